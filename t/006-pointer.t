#!/usr/bin/perl
# C unit tests of JSON Pointers, parsed and resolved (TAP).
exec 'build/unit/test_pointer' or die "cannot run build/unit/test_pointer: $!";
