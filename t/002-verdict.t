#!/usr/bin/perl
# C unit tests of reasons, verdicts and problem documents (TAP).
exec 'build/unit/test_verdict' or die "cannot run build/unit/test_verdict: $!";
