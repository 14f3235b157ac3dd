#!/usr/bin/perl
# make soak: the registry flapping every second between up, refused, slow,
# 500 and garbage for 30 s under 50 clients (PassportTest::Soak::flapping).
use strict; use warnings; use Test::More; use PassportTest::Soak;
PassportTest::Soak::flapping(name => 'soak-flapping', duration => $ENV{SOAK_SECONDS} // 30);
done_testing;
