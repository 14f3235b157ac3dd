#!/usr/bin/perl
# The body's JSON tree lives in a scratch pool of the worker, and jansson
# allocates from it only around the body's json_loadb() (extract.c): a
# listing in one buffer, one spilled to a temporary file, one whose tree
# outgrows the scratch pool, a malformed one and one with duplicate keys,
# in turn in one worker, each get their own verdict, the problem values
# quoted from a body survive the tree, the upstream gets every body as
# sent, and the registry records parsed meanwhile (with malloc(), through
# jansson too) still decide: a bad owner is CODE_OWNER_MISMATCH.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $reg = PassportTest::Registry->new($t, port => 'registry');
$reg->entity('0100109106', 'active');
$reg->code('01/08934673577038', owner => '0100109106');
$reg->code('01/09506000134352', owner => '0300588569');

$t->config(<<"EOF2", workers => 1)->run;
@{[ $reg->nginx_conf ]}
    client_max_body_size 4m;

    server {
        listen 127.0.0.1:%%PORT_main%%;
        client_body_buffer_size 1k;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;

        location / {
            passport on;
            passport_registry @{[ $reg->base ]};
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2

sub post {
    my ($body) = @_;
    return $t->request(method => 'POST', path => '/l', body => $body,
        headers => [ 'Content-Type' => 'application/json' ]);
}
sub listing { $json->encode({ seller_id => $_[0], items => $_[1], @_[2 .. $#_] }) }
sub errors { [ PassportTest::Registry::errors_of($_[0]) ] }
my $good = [ { trace_code => '8934673577038' } ];

my @bodies;
sub pass_ok {
    my ($body, $name) = @_;
    my $r = post($body);
    is($r->{status}, 200, "$name: 200");
    push @bodies, $body;
    my $got = $be->last_request;
    ok($got && $got->{body} eq $body, "$name: the upstream got the body as sent");
}

pass_ok(listing('0100109106', $good), 'a small listing (one buffer)');
pass_ok(listing('0100109106', $good, note => 'x' x 3000), 'a listing in a temporary file');

# 90 items of 33 values: about 3000 values, far more tree than the
# 32 KB scratch pool
my $big = listing("0100109106", [ map { { trace_code => "8934673577038", n => $_, a => [ 1 .. 30 ] } } 1 .. 90 ]);
pass_ok($big, 'a listing whose tree outgrows the scratch pool');

my $r = post('{"seller_id":"0100109106","items":[{"trace_code":');
is($r->{status}, 400, 'malformed JSON: 400');
is_deeply(errors($r), [ 'BODY_MALFORMED ' ], '... BODY_MALFORMED');

$r = post('{"seller_id":"0100109106","seller_id":"0300588569","items":[]}');
is($r->{status}, 400, 'duplicate keys: 400');

pass_ok(listing('0100109106', $good), 'a small listing after them');

# a value quoted from the body, after the tree is gone
$r = post(listing('01001091XY', $good, pad => 'y' x 2000));
is($r->{status}, 422, 'a bad seller: 422');
like($r->{body}, qr/01001091XY/, '... its value is quoted from the body');

# registry records are parsed with malloc(), between bodies parsed in the pool
$r = post(listing('0100109106', [ { trace_code => '9506000134352' } ]));
is($r->{status}, 422, 'a code of another owner: 422');
is_deeply(errors($r), [ 'CODE_OWNER_MISMATCH /items/0/trace_code' ], '... CODE_OWNER_MISMATCH');

for my $i (1 .. 50) {    # interleaved, in one worker
    $r = post($i % 2 ? $big : listing('0100109106', [ { trace_code => '9506000134352' } ]));
    last unless is($r->{status}, $i % 2 ? 200 : 422, "round $i") || 0;
}

$t->error_log_clean;
done_testing;
