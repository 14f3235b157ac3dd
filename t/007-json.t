#!/usr/bin/perl
# C unit tests of counting JSON values before parsing, and of numbers (TAP).
exec 'build/unit/test_json' or die "cannot run build/unit/test_json: $!";
