#!/usr/bin/perl
# C unit tests of the registry's Cache-Control (TAP).
exec 'build/unit/test_cache_control'
    or die "cannot run build/unit/test_cache_control: $!";
