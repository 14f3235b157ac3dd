#!/usr/bin/perl
# C unit tests of the packed registry records the cache keeps (TAP).
exec 'build/unit/test_record_pack'
    or die "cannot run build/unit/test_record_pack: $!";
