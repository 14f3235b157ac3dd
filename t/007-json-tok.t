#!/usr/bin/perl
# C unit tests of the listing body's tokenizer against jansson (TAP).
exec 'build/unit/test_json_tok'
    or die "cannot run build/unit/test_json_tok: $!";
