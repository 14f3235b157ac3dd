#!/usr/bin/perl
# Codes, from the most specific record to the product: a registry that
# keeps one record per product answers a lot or a serial with a 404 (the
# module then asks for the lot, then the GTIN) or at once with its GTIN's
# record; the first record found decides, a lot recalled under an active
# GTIN is still caught, the answer is cached under the code asked, and
# passport_registry_code_fallback off keeps exact records only.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry qw(seg_encode);

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

my $reg = PassportTest::Registry->new($t, port => 'registry');
my $fake = PassportTest::Registry->new($t, port => 'fake', control => 'tmp/fake.json');

my $G = '01/08934673577038';            # the product: one record
$reg->entity('0100109106', 'active');
$reg->entity('0100233488', 'active');    # sells none of these
$reg->code($G);                          # owner 0100109106
$reg->code("$G/10/BAD", status => 'recalled');    # a recalled lot
$reg->code("$G/10/EXACT");
# 01/09506000134352: nothing at all

$t->write_file('conf/registry.token', 'tok-fallback');
$t->config(<<"EOF2")->run;
@{[ $reg->nginx_conf ]}
    passport_cache_zone z:1m;
    server {
        listen 127.0.0.1:%%PORT_main%%;
        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        proxy_set_header X-Verdict \$passport_verdict;
        proxy_set_header X-Cache \$passport_cache_status;

        location /walk {
            passport on;
            passport_registry http://127.0.0.1:%%PORT_registry%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /exact {
            passport on;
            passport_registry http://127.0.0.1:%%PORT_registry%%/registry;
            passport_registry_code_fallback off;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /cached {
            passport on;
            passport_registry http://127.0.0.1:%%PORT_registry%%/registry;
            passport_cache z;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /fake {
            passport on;
            passport_registry http://127.0.0.1:%%PORT_fake%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /fake-exact {
            passport on;
            passport_registry http://127.0.0.1:%%PORT_fake%%/registry;
            passport_registry_code_fallback off;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2
$fake->server;

sub listing {
    my ($path, $seller, @codes) = @_;
    return PassportTest::Registry::post_json($t, $path,
        { seller_id => $seller, items => [ map { { trace_code => $_ } } @codes ] });
}

# the code lookups the fixture registry served since $n, as canonical codes
sub asked {
    my ($n) = @_;
    my @l = $reg->log_lines;
    return map { PassportTest::Registry::seg_decode($_->{uri} =~ s{^/registry/codes/}{}r) }
        grep { $_->{uri} =~ m{^/registry/codes/} } @l[$n .. $#l];
}
sub settle { my $n = shift; $t->wait_for(sub { $reg->log_lines >= $n }, 3) }

# --- a lot the registry does not know: its GTIN's record decides

my $n = $reg->log_lines;
my $r = listing('/walk', '0100109106', "(01)08934673577038(10)LOTA");
is($r->{status}, 200, 'a lot of a registered product passes') or diag $r->{body};
is($be->last_request->{headers}{'x-verdict'}, 'pass', '... verdict pass');
settle($n + 3);
is_deeply([ asked($n) ], [ "$G/10/LOTA", $G ], '... the lot, then the GTIN were asked');

$n = $reg->log_lines;
$r = listing('/walk', '0100109106', "(01)08934673577038(10)LOTB(21)S1");
is($r->{status}, 200, 'a serial of a registered product passes') or diag $r->{body};
settle($n + 4);
is_deeply([ asked($n) ], [ "$G/10/LOTB/21/S1", "$G/10/LOTB", $G ],
    '... the serial, its lot, then the GTIN were asked');

$r = listing('/walk', '0100233488', "(01)08934673577038(10)LOTA");
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'CODE_OWNER_MISMATCH /items/0/trace_code' ],
    "the GTIN's record decides the owner check");

# --- the most specific record wins

$n = $reg->log_lines;
$r = listing('/walk', '0100109106', "(01)08934673577038(10)BAD");
is($r->{status}, 422, 'a lot recalled under an active GTIN is blocked');
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'CODE_RECALLED /items/0/trace_code' ],
    '... CODE_RECALLED');
settle($n + 2);
is_deeply([ asked($n) ], [ "$G/10/BAD" ], '... with one request');

$n = $reg->log_lines;
$r = listing('/walk', '0100109106', "(01)08934673577038(10)BAD(21)S9");
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'CODE_RECALLED /items/0/trace_code' ],
    'a serial of a recalled lot is CODE_RECALLED');
settle($n + 3);
is_deeply([ asked($n) ], [ "$G/10/BAD/21/S9", "$G/10/BAD" ], '... the serial, then the lot were asked');

$n = $reg->log_lines;
$r = listing('/walk', '0100109106', "(01)08934673577038(10)EXACT");
is($r->{status}, 200, 'a lot with its own record passes');
settle($n + 2);
is_deeply([ asked($n) ], [ "$G/10/EXACT" ], '... with one request');

# --- nothing known: a 404 for the GTIN is the answer

$n = $reg->log_lines;
$r = listing('/walk', '0100109106', "(01)09506000134352(10)L1(21)S1");
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'CODE_NOT_REGISTERED /items/0/trace_code' ],
    'an unknown product: CODE_NOT_REGISTERED');
settle($n + 4);
is_deeply([ asked($n) ], [ '01/09506000134352/10/L1/21/S1', '01/09506000134352/10/L1', '01/09506000134352' ],
    '... after asking down to the GTIN');

# --- fallback off: exact records only

$n = $reg->log_lines;
$r = listing('/exact', '0100109106', "(01)08934673577038(10)LOTC");
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'CODE_NOT_REGISTERED /items/0/trace_code' ],
    'fallback off: a lot without a record is CODE_NOT_REGISTERED');
settle($n + 2);
is_deeply([ asked($n) ], [ "$G/10/LOTC" ], '... with one request');
$r = listing('/exact', '0100109106', "(01)08934673577038(10)EXACT");
is($r->{status}, 200, 'fallback off: an exact record passes');

# --- a registry that answers a lot with its GTIN's record at once

my $gtin_rec = { code => $G, status => 'active', owner => '0100109106', origin => 'VN' };
$fake->control(ids => { "$G/10/LOTD" => { json => $gtin_rec },
                        "$G/10/LOTE" => { json => { %$gtin_rec, code => '01/08934673577045' } } });
my $f = $fake->nreq;
$r = listing('/fake', '0100109106', "(01)08934673577038(10)LOTD");
is($r->{status}, 200, "a 200 with the GTIN's record answers for the lot") or diag $r->{body};
is($fake->nreq - $f, 2, '... one request for the code, one for the seller');

$t->mark_log;
$r = listing('/fake-exact', '0100109106', "(01)08934673577038(10)LOTD");
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'REGISTRY_UNAVAILABLE /items/0/trace_code' ],
    "fallback off: the GTIN's record for a lot is a registry error");
$t->wait_for(sub { PassportTest::Registry::lookup_errors($t) }, 3);
like(join("\n", PassportTest::Registry::lookup_errors($t)),
    qr/record is for "01\/08934673577038", not the asked "01\/08934673577038\/10\/LOTD"/, '... logged');

$t->mark_log;
$r = listing('/fake', '0100109106', "(01)08934673577038(10)LOTE");
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'REGISTRY_UNAVAILABLE /items/0/trace_code' ],
    "another product's record is never an ancestor");

# a failed ancestor lookup is a registry error, logged with the ancestor's URL
$fake->control(ids => { "01/09506000134352" => { status => 500 } });
$t->mark_log;
$r = listing('/fake', '0100109106', "(01)09506000134352(10)L7");
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'REGISTRY_UNAVAILABLE /items/0/trace_code' ],
    'the GTIN lookup fails: REGISTRY_UNAVAILABLE');
$t->wait_for(sub { PassportTest::Registry::lookup_errors($t) }, 3);
my $gurl = $fake->code_url('01/09506000134352');
like(join("\n", PassportTest::Registry::lookup_errors($t)),
    qr/\Q$gurl\E" failed: unexpected HTTP status 500/,
    '... logged with the URL of the GTIN');
$fake->control;

# --- cached under the code asked: the next listing makes no request

$n = $reg->log_lines;
$r = listing('/cached', '0100109106', "(01)08934673577038(10)LOTF");
is($r->{status}, 200, 'cached location: a lot passes');
is($be->last_request->{headers}{'x-cache'}, 'MISS', '... a MISS');
settle($n + 3);
is_deeply([ asked($n) ], [ "$G/10/LOTF", $G ], '... the lot, then the GTIN');
$n = $reg->log_lines;
$r = listing('/cached', '0100109106', "(01)08934673577038(10)LOTF");
is($r->{status}, 200, 'the same lot again passes');
is($be->last_request->{headers}{'x-cache'}, 'HIT', '... a HIT');
select undef, undef, undef, 0.3;
is_deeply([ asked($n) ], [], '... without asking the registry');
$r = listing('/cached', '0100233488', "(01)08934673577038(10)LOTF");
is_deeply([ PassportTest::Registry::errors_of($r) ],
    [ 'CODE_OWNER_MISMATCH /items/0/trace_code' ],
    "the cached GTIN record still decides for the lot");

$t->stop;
$t->error_log_clean(allow => [ qr/passport: registry lookup/ ]);
done_testing;
