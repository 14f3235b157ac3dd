#!/usr/bin/perl
# make soak: kill -9 of the workers every 0.5 s for 30 s while reports are
# written (PassportTest::Soak::kill9).
use strict; use warnings; use Test::More; use PassportTest::Soak;
PassportTest::Soak::kill9(name => 'soak-kill9', duration => $ENV{SOAK_SECONDS} // 30, clients => 50);
done_testing;
