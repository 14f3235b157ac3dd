#!/usr/bin/perl
# make soak: big and deep bodies, their time and memory per request
# (PassportTest::Soak::big).
use strict; use warnings; use Test::More; use PassportTest::Soak;
PassportTest::Soak::big(name => 'soak-big');
done_testing;
