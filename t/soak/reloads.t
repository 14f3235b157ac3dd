#!/usr/bin/perl
# make soak: nginx -s reload every second for 30 s under load
# (PassportTest::Soak::reloads).
use strict; use warnings; use Test::More; use PassportTest::Soak;
PassportTest::Soak::reloads(name => 'soak-reloads', duration => $ENV{SOAK_SECONDS} // 30, clients => 50);
done_testing;
