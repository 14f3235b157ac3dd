#!/usr/bin/perl
# C unit tests of what a seller reads: Vietnamese without English words,
# registry failures without their causes (TAP).
exec 'build/unit/test_catalog' or die "cannot run build/unit/test_catalog: $!";
