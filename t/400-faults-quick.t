#!/usr/bin/perl
# Quick versions of the fault scenarios of "make soak" (t/soak/), so that
# they cannot rot: a registry flapping under load, kill -9 of a worker
# while reports are written, reloads under load. See PassportTest::Soak.

use strict;
use warnings;
use Test::More;
use PassportTest::Soak;

PassportTest::Soak::flapping(name => '400-flapping', duration => 8);
PassportTest::Soak::kill9(name => '400-kill9', duration => 4);
PassportTest::Soak::reloads(name => '400-reloads', duration => 5);

done_testing;
