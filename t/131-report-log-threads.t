#!/usr/bin/perl
# t/130-report-log.t again, with the report log's file work in nginx's
# "default" thread pool: used with no parameter when the configuration
# has one.

use strict;
use warnings;
use FindBin;

$ENV{PASSPORT_TEST_THREADS} = 'default';
do "$FindBin::Bin/130-report-log.t";
die $@ if $@;
