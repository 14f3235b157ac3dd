#!/usr/bin/perl
# A fleet of nodes, one registry load: three passport nodes (three nginx,
# each with its own passport cache) ask one caching gateway nginx (the
# proxy_cache settings of examples/registry-gateway.conf) in front of a
# slow fixture registry.  30 concurrent listings of one code no one has
# cached, spread over the nodes, make exactly one registry request for it.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $json = JSON::PP->new->canonical->utf8;

my $gw = PassportTest->new(name => '220-gateway');
my $reg = PassportTest::Registry->new($gw, port => 'registry', control => 'tmp/registry.json');
$reg->entity('0100109106', 'active');
$reg->code('01/08934673577038');
$reg->server;
my $be = $gw->backend('backend');

# the gateway: the cache part of examples/registry-gateway.conf, over http
$gw->config(<<'EOF', workers => 2);
    proxy_cache_path %%PREFIX%%/tmp/cache levels=1:2 keys_zone=passport_registry:10m
                     max_size=100m inactive=1d use_temp_path=off;
    log_format gateway '$request_uri cache=$upstream_cache_status';
    server {
        listen 127.0.0.1:%%PORT_main%% reuseport;
        access_log %%PREFIX%%/logs/gateway.log gateway;
        location /registry/ {
            limit_except GET { deny all; }
            proxy_pass http://127.0.0.1:%%PORT_registry%%;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache passport_registry;
            proxy_cache_valid 200 10m;
            proxy_cache_valid 404 1m;
            proxy_cache_lock on;
            proxy_cache_lock_timeout 3s;
            proxy_cache_lock_age 3s;
            proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
            proxy_cache_background_update on;
            proxy_connect_timeout 1s;
            proxy_read_timeout 2s;
            proxy_next_upstream off;
        }
    }
EOF
$gw->run;
my $gport = $gw->port('main');

my @nodes;
for my $i (1 .. 3) {
    my $n = PassportTest->new(name => "220-gateway-node$i");
    $n->config(<<"EOF");
    passport_cache_zone node:1m;
    server {
        listen 127.0.0.1:%%PORT_main%%;
        location /listings {
            passport on;
            passport_seller /seller_id;
            passport_items /items;
            passport_item_code /trace_code;
            passport_cache node;
            passport_registry http://127.0.0.1:$gport/registry;
            passport_registry_timeout 5s;
            proxy_pass http://127.0.0.1:@{[ $be->port ]};
        }
    }
EOF
    $n->run;
    push @nodes, $n;
}

sub listing { $json->encode({ seller_id => $_[0], items => [ { trace_code => $_[1] } ] }) }

# warm the seller's record everywhere, so only the code is cold
for my $n (@nodes) {
    $reg->code('01/00000002345673', owner => '0100109106');    # a code used only here
    my $r = $n->request(method => 'POST', path => '/listings', body => listing('0100109106', '02345673'),
                        headers => [ 'Content-Type' => 'application/json' ]);
    is($r->{status}, 200, 'a node warms up');
}
is($reg->nreq(qr{/entities/0100109106$}), 1, 'the seller was asked of the registry once for three nodes');

# 30 concurrent listings of one cold code, the registry slow (1 s)

$reg->control(all => { delay => 1 });
my @h;
for my $i (0 .. 29) {
    my $n = $nodes[$i % 3];
    push @h, [ $n, $n->request_begin(method => 'POST', path => '/listings', timeout => 20,
                                     body => listing('0100109106', '8934673577038'),
                                     headers => [ 'Content-Type' => 'application/json' ]) ];
}
my @r = map { $_->[0]->request_end($_->[1]) } @h;
is(scalar(grep { ($_->{status} // 0) == 200 } @r), 30, '30 listings over 3 nodes pass');
is($reg->nreq(qr{/codes/01%2F08934673577038$}), 1, 'exactly one registry request for the code');

for my $n (@nodes) {
    $n->stop;
    $n->error_log_clean;
}
$gw->stop;
$gw->error_log_clean;
done_testing;
