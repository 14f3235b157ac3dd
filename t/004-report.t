#!/usr/bin/perl
# C unit tests of regulator report records, hash chain and signatures (TAP).
exec 'build/unit/test_report' or die "cannot run build/unit/test_report: $!";
