#!/usr/bin/perl
# Lookups run on the event loop, proven by observation (never by timing):
# a listing's lookups are all in flight at once; a worker that waits on the
# registry still serves other requests; concurrent lookups for one key are
# shared; duplicate codes are looked up once; registry connections are
# kept alive.  Each section uses sellers and codes of its own, so that a
# cache (if any) cannot hide a lookup.

use strict;
use warnings;
use Test::More;
use IO::Select;
use JSON::PP;
use Digest::MD5 qw(md5_hex);
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

my $slow = PassportTest::Registry->new($t, port => 'slow', control => 'tmp/slow.json');    # PassportTest::Server
my $fix = PassportTest::Registry->new($t, port => 'fixture', log => 'logs/fixture.log');    # nginx, same files

my @sellers = qw(0100109106 0100233488 5493001KJTIIGC8Y1R12 0300588569 0314409058-002
    213800KUD8LAJWSQ9D15);
$slow->entity($_, 'active') for @sellers;
my @lots = map { sprintf 'LOT%02d', $_ } 1 .. 25;
my @auth = (authorized_sellers => \@sellers);
$slow->code("01/08934673577038/10/$_", @auth) for @lots;
$slow->code('01/01234567890128', @auth);
$slow->code('01/00000002345673', owner => '5493001KJTIIGC8Y1R12');
$slow->code('01/04006381333931', @auth);
$slow->code('01/09780345418913', @auth);
$slow->code('01/00416000336108', @auth);
$slow->server;

$t->config(<<"EOF2")->run;
@{[ $fix->nginx_conf ]}
    server {
        listen 127.0.0.1:%%PORT_main%%;
        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_registry_breaker 1000 1s;

        location /slow {
            passport on;
            passport_registry http://127.0.0.1:%%PORT_slow%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /fixture {
            passport on;
            passport_registry http://127.0.0.1:%%PORT_fixture%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /plain {
            return 200 "plain\\n";
        }
    }
EOF2

sub post { PassportTest::Registry::post_json($t, @_) }
sub listing {
    my ($seller, @codes) = @_;
    return $json->encode({ seller_id => $seller, items => [ map { { trace_code => $_ } } @codes ] });
}
sub begin_post {
    my ($path, $body) = @_;
    return $t->request_begin(method => 'POST', path => $path, body => $body,
        headers => [ 'Content-Type' => 'application/json' ]);
}

# --- a listing with 20 codes: all 21 lookups in flight at once

$slow->control(all => { delay => 1 });
my $big = listing('0100109106', map { "(01)08934673577038(10)$_" } @lots[0 .. 19]);
my $r = post('/slow', $big);
is($r->{status}, 200, '20 codes, each lookup delayed: the listing passes') or diag $r->{body};
my $st = $slow->server->stats;
is($st->{total}, 21, 'the registry got 21 requests (1 seller + 20 codes)');
cmp_ok($st->{max_concurrent}, '>=', 21, 'the registry held all 21 at once: the lookups ran in parallel');
is_deeply([ sort map { $_->{path} } $slow->requests ],
    [ sort '/registry/entities/0100109106', map { "/registry/codes/01%2F08934673577038%2F10%2F$_" } @lots[0 .. 19] ],
    'one request per distinct code');
is($be->last_request && $be->last_request->{body_md5}, md5_hex($big), 'the backend got the listing');

# --- while a request waits on the registry, the worker serves others

$slow->control(all => { delay => 2 });
my $n = $slow->nreq;
my $h = begin_post('/slow', listing('0100233488', '1234567890128'));
ok($t->wait_for(sub { $slow->server->stats->{current} >= 1 }, 5), 'a lookup is held by the registry');
$r = $t->request(path => '/plain');
is($r->{status}, 200, 'meanwhile, a location without passport answers');
is($r->{body}, "plain\n", '... with its body');
my $fr = post('/fixture', listing('0300588569', '(01)08934673577038(10)LOT21'));
is($fr->{status}, 200, 'meanwhile, a listing checked against another registry passes');
cmp_ok($slow->server->stats->{current}, '>=', 1, '... and the registry still holds the first lookup');
ok(!IO::Select->new($h->{sock})->can_read(0), '... and the waiting request has no answer yet');
$r = $t->request_end($h);
is($r->{status}, 200, 'then the waiting request gets its verdict');
is($slow->nreq, $n + 2, 'its two lookups were made once');

# --- 20 concurrent requests for the same seller and code share the lookups

$slow->control(all => { delay => 1.5 });
my $ne = $slow->nreq(qr{/entities/5493001KJTIIGC8Y1R12$});
my $nc = $slow->nreq(qr{/codes/01%2F00000002345673$});
my $one = listing('5493001KJTIIGC8Y1R12', '02345673');
my @h = map { begin_post('/slow', $one) } 1 .. 20;
my @res = map { $t->request_end($_) } @h;
is(scalar(grep { ($_->{status} // 0) == 200 } @res), 20, '20 concurrent requests: all pass');
is($slow->nreq(qr{/entities/5493001KJTIIGC8Y1R12$}) - $ne, 1, 'the registry saw exactly one entities request');
is($slow->nreq(qr{/codes/01%2F00000002345673$}) - $nc, 1, 'the registry saw exactly one codes request');

# --- duplicate codes within one listing are looked up once

$slow->control;
$nc = $slow->nreq(qr{/codes/01%2F04006381333931$});
$r = post('/slow', listing('0300588569', '4006381333931', '4006381333931', '00416000336108', '4006381333931'));
is($r->{status}, 200, 'a listing with the same code three times passes') or diag $r->{body};
is($slow->nreq(qr{/codes/01%2F04006381333931$}) - $nc, 1, '... and the code was looked up once');

$nc = $slow->nreq(qr{/codes/01%2F09780345418913$});
$r = post('/slow', listing('0314409058-002', '9780345418913', '09780345418913', '(01)09780345418913',
    'https://id.gs1.org/01/09780345418913'));
is($r->{status}, 200, 'a listing with one code in four forms passes') or diag $r->{body};
is($slow->nreq(qr{/codes/01%2F09780345418913$}) - $nc, 1, '... and the canonical code was looked up once');

# --- registry connections are kept alive

my $before = $fix->log_lines;
for my $lot (@lots[21 .. 24]) {
    $r = post('/fixture', listing('213800KUD8LAJWSQ9D15', "(01)08934673577038(10)$lot"));
    is($r->{status}, 200, "fixture registry: listing with $lot passes") or diag $r->{body};
}
$t->wait_for(sub { $fix->log_lines >= $before + 5 }, 2);
my @l = $fix->log_lines;
@l = @l[$before .. $#l];
my %conns = map { $_->{conn} => 1 } @l;
ok(@l >= 5, scalar(@l) . ' lookups in the fixture log');
ok((grep { $_->{creq} > 1 } @l), 'a registry connection served more than one request ($connection_requests > 1)');
cmp_ok(scalar(keys %conns), '<', scalar(@l), 'fewer connections (' . scalar(keys %conns) . ') than lookups');

$t->stop;
$t->error_log_unlike(qr/exited on signal/, 'no worker crashed');
$t->error_log_clean;

done_testing;
