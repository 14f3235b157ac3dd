#!/usr/bin/perl
# t/140-report-push.t again, with the report log's file work (reading the
# log, saving the cursor) in the thread pool named by
# "passport_report_log ... threads=push".

use strict;
use warnings;
use FindBin;

$ENV{PASSPORT_TEST_THREADS} = 'push';
do "$FindBin::Bin/140-report-push.t";
die $@ if $@;
