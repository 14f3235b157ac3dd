#!/usr/bin/perl
# A flood of lookups cannot force the fail-open path.  A client sends four
# listings of 100 distinct valid GTINs while the registry takes 2 s to
# answer, with few worker_connections: libcurl's connections are capped
# (the rest queue), the worker's lookups are capped, and a lookup that
# cannot be made here is REGISTRY_BUSY (503 + Retry-After), never
# "registry unavailable".  So: no "[alert] worker_connections are not
# enough", an unrelated request is served, a listing with a recalled code
# under passport_on_registry_error pass is never forwarded, and the
# breaker is not opened by these local failures.  Then the per-request
# cap, and queued lookups that get their answers.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

my $reg = PassportTest::Registry->new($t, port => 'slow', control => 'tmp/slow.json');
$reg->entity($_, 'active') for qw(0100109106 0100233488 0300588569);
$reg->code('01/12312312312326', status => 'recalled');
$reg->code('01/08934673577038', authorized_sellers => [ '0300588569' ]);
$reg->server;

# a valid GTIN-14 (mod-10 check digit) from 13 digits
sub gtin {
    my $d = shift;
    my ($sum, $i) = (0, 0);
    $sum += $_ * ($i++ % 2 ? 1 : 3) for reverse split //, $d;
    return $d . ((10 - $sum % 10) % 10);
}
my @flood = map { my $l = $_; [ map { gtin(sprintf '0893467%06d', $l * 1000 + $_) } 1 .. 100 ] } 1 .. 4;
my @queued = map { gtin(sprintf '0893468%06d', $_) } 1 .. 20;
$reg->code("01/$_", authorized_sellers => [ '0100233488' ]) for @queued;

$t->config(<<'EOF2', events => "worker_connections 64;\n")->run;
    passport_registry_connections 16;
    passport_registry_lookups 150;
    server {
        listen 127.0.0.1:%%PORT_main%%;
        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_on_registry_error pass;
        passport_registry_timeout 3s;
        passport_registry_breaker 3 30s;
        passport_registry http://127.0.0.1:%%PORT_slow%%/registry;

        location /pass {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /capped {
            passport on;
            passport_registry_request_lookups 3;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /plain {
            return 200 "plain\n";
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
sub forwarded { my $re = shift; scalar grep { ($_->{body} // '') =~ $re } $be->requests }
sub errors { [ PassportTest::Registry::errors_of($_[0]) ] }

# --- the flood

$reg->control(all => { delay => 2 });
my @h = map { begin_post('/pass', listing('0100109106', @$_)) } @flood;
ok($t->wait_for(sub { $reg->server->stats->{current} >= 16 }, 10), 'the flood: lookups held by the registry');
cmp_ok($reg->server->stats->{current}, '<=', 16, 'at most passport_registry_connections (16) at the registry');

my $r = $t->request(path => '/plain');
is($r->{status}, 200, 'meanwhile an unrelated request is served') or diag $r->{error};

my $recalled = listing('0100233488', '12312312312326');
$r = post('/pass', $recalled);
isnt($r->{status}, 200, "meanwhile a recalled product under \"pass\" is not passed ($r->{status})");
if ($r->{status} == 503) {
    my @e = @{ errors($r) };
    ok(@e && !grep({ !/^REGISTRY_BUSY / } @e), '... it is REGISTRY_BUSY') or diag "@e";
    ok(($r->{headers}{'retry-after'} // 0) >= 1, '... with Retry-After');
    is($r->{json}{type}, 'urn:passport:problem:registry-busy', '... of its own type');
} else {
    is_deeply(errors($r), [ 'CODE_RECALLED /items/0/trace_code' ], '... it is CODE_RECALLED');
}

my @res = map { $t->request_end($_) } @h;
for my $i (0 .. $#res) {
    my $s = $res[$i]{status} // 0;
    ok($s == 503 || $s == 422, "flood listing $i: refused ($s), not passed");
    my @e = @{ errors($res[$i]) };
    ok(!grep({ /^REGISTRY_UNAVAILABLE / } @e), "flood listing $i: no REGISTRY_UNAVAILABLE")
        or diag join ', ', @e[0 .. 3];
}
ok((grep { ($_->{status} // 0) == 503 } @res), 'some flood listings were refused as busy');
is(forwarded(qr/12312312312326/), 0, 'the recalled listing never reached the backend');
is(forwarded(qr/08934670/), 0, 'no flood listing reached the backend');
# (the fixture counts a lookup as in flight until its answer is fully
# written: it may overlap the next lookup on a connection by a little)
cmp_ok($reg->server->stats->{max_concurrent}, '<=', 20, 'the registry never had much more than 16 lookups at once');

# --- afterwards: the breaker is closed, no stale answer, fresh verdicts

$reg->control;
ok($t->wait_for(sub { $reg->server->stats->{current} == 0 }, 10), 'the registry is idle');
$r = post('/pass', $recalled);
is($r->{status}, 422, 'after the flood the recalled product is blocked') or diag $r->{body};
is_deeply(errors($r), [ 'CODE_RECALLED /items/0/trace_code' ], '... as CODE_RECALLED: the breaker stayed closed');
$r = post('/pass', listing('0300588569', '8934673577038'));
is($r->{status}, 200, 'a good listing passes') or diag $r->{body};
$t->error_log_unlike(qr/failing fast/, 'the breaker never opened');
$t->error_log_unlike(qr/\[alert\]/, 'no [alert]');
$t->error_log_unlike(qr/worker_connections are not enough/, 'worker_connections were enough');

# --- lookups beyond the connections queue and get their answers

$reg->control(all => { delay => 0.3 });
$r = post('/pass', listing('0100233488', @queued));
is($r->{status}, 200, '21 lookups on 16 connections: the listing passes') or diag $r->{body};
cmp_ok($reg->server->stats->{max_concurrent}, '<=', 20, '... the registry still had about 16 at once');

# --- the per-request cap

$reg->control;
my $n = $reg->nreq;
$r = post('/capped', listing('0300588569', map { gtin(sprintf '0893469%06d', $_) } 1 .. 5));
is($r->{status}, 503, 'a request with more lookups than passport_registry_request_lookups: 503');
ok(($r->{headers}{'retry-after'} // 0) >= 1, '... with Retry-After');
is($r->{json}{errors}[0]{code}, 'REGISTRY_BUSY', '... REGISTRY_BUSY, under "pass"') or diag $r->{body};
like($r->{json}{errors}[0]{detail}, qr/too many checks/, '... saying why in plain words');
unlike($r->{body}, qr/127\.0\.0\.1|passport_registry/, '... without an address or a directive');
is(forwarded(qr/08934690/), 0, '... and it was not forwarded');
$r = post('/capped', listing('0300588569', '8934673577038'));
is($r->{status}, 200, 'a request within the cap passes') or diag $r->{body};
$r = post('/pass', listing('0300588569', '8934673577038', '12312312312326'), 'Accept-Language' => 'vi');
is($r->{status}, 422, 'elsewhere the cap does not apply');

$t->stop;
$t->error_log_unlike(qr/exited on signal/, 'no worker crashed');
$t->error_log_clean(allow => [ qr/passport: registry lookup/ ]);

done_testing;
