#!/usr/bin/perl
# Quick versions of the client-side scenarios of "make soak" (t/soak/):
# hostile clients (slow bodies, disconnects at every stage, HTTP/2,
# chunked, 100-continue, temporary files), big and deep bodies, with
# their cost per request measured, and the report log at its file size
# limit. See PassportTest::Soak.

use strict;
use warnings;
use Test::More;
use PassportTest::Soak;

PassportTest::Soak::hostile(name => '400-hostile', rounds => 3);
PassportTest::Soak::big(name => '400-big');
PassportTest::Soak::log_full(name => '400-log-full');

done_testing;
