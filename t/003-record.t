#!/usr/bin/perl
# C unit tests of registry records and cross-checks (TAP).
exec 'build/unit/test_record' or die "cannot run build/unit/test_record: $!";
