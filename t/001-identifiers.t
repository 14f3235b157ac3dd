#!/usr/bin/perl
# TAP of the identifier library unit tests (make unit builds them)
exec "build/unit/test_id" or die "cannot run build/unit/test_id: $!\n";
