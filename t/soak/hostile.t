#!/usr/bin/perl
# make soak: 30 rounds of hostile clients; the worker's descriptors and
# memory must not grow (PassportTest::Soak::hostile).
use strict; use warnings; use Test::More; use PassportTest::Soak;
PassportTest::Soak::hostile(name => 'soak-hostile', rounds => $ENV{SOAK_ROUNDS} // 30);
done_testing;
