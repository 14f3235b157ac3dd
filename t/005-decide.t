#!/usr/bin/perl
# C unit tests of ranking a request's problems into a verdict (TAP).
exec 'build/unit/test_decide' or die "cannot run build/unit/test_decide: $!";
