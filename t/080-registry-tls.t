#!/usr/bin/perl
# HTTPS registry with a private CA (made here with the openssl CLI), served
# by nginx with "ssl http2": trusted with passport_registry_trusted_certificate,
# refused with the system store, accepted with passport_registry_ssl_verify
# off; the host name is verified; in steady state lookups reuse the TLS
# connection. A connection made without verification is never reused for a
# location that verifies.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $certs = PassportTest::Registry::make_certs($t);

my $reg = PassportTest::Registry->new($t, port => 'tls', scheme => 'https', log => 'logs/tls.log');
my $wrong = PassportTest::Registry->new($t, port => 'wrong', scheme => 'https', log => 'logs/wrong.log');
my @sellers = qw(0100109106 0100233488 0300588569 0314409058-002 5493001KJTIIGC8Y1R12 213800KUD8LAJWSQ9D15);
$reg->entity($_, 'active') for @sellers;
my @lots = map { sprintf 'LOT%02d', $_ } 1 .. 20;
$reg->code("01/08934673577038/10/$_", authorized_sellers => \@sellers) for @lots;
$reg->code('01/12312312312326', status => 'recalled');

my $base = 'https://127.0.0.1:%%PORT_tls%%/registry';
$t->config(<<"EOF2")->run;
@{[ $reg->nginx_conf(ssl => { cert => $certs->{cert}, key => $certs->{key} }) ]}
@{[ $wrong->nginx_conf(ssl => { cert => $certs->{wrong_cert}, key => $certs->{wrong_key} }) ]}
    server {
        listen 127.0.0.1:%%PORT_main%%;
        proxy_set_header X-Passport-Verdict \$passport_verdict;
        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_registry_breaker 1000 1s;

        location /trusted {
            passport on;
            passport_registry $base;
            passport_registry_trusted_certificate $certs->{ca};
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /system {
            passport on;
            passport_registry $base;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /noverify {
            passport on;
            passport_registry $base;
            passport_registry_ssl_verify off;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /wrongname {
            passport on;
            passport_registry https://127.0.0.1:%%PORT_wrong%%/registry;
            passport_registry_trusted_certificate $certs->{ca};
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /wrongname-noverify {
            passport on;
            passport_registry https://127.0.0.1:%%PORT_wrong%%/registry;
            passport_registry_ssl_verify off;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2

sub post { PassportTest::Registry::post_json($t, @_) }
sub listing {
    my ($seller, @codes) = @_;
    return $json->encode({ seller_id => $seller, items => [ map { { trace_code => $_ } } @codes ] });
}
sub lot { "(01)08934673577038(10)$_[0]" }
my $lot = 0;
sub next_lot { lot($lots[ $lot++ ]) }    # a code not looked up before

# checks a refused lookup: 503, REGISTRY_UNAVAILABLE, one error line per
# lookup naming the URL and a certificate problem
sub refused {
    my ($path, $name, $reg_used, $seller, $code, $canon) = @_;
    $t->mark_log;
    my $n = $reg_used->log_lines;
    my $r = post($path, listing($seller, $code));
    is($r->{status}, 503, "$name: 503");
    is_deeply([ sort(PassportTest::Registry::errors_of($r)) ],
        [ 'REGISTRY_UNAVAILABLE /items/0/trace_code', 'REGISTRY_UNAVAILABLE /seller_id' ],
        "$name: REGISTRY_UNAVAILABLE on the seller and the code");
    $t->wait_for(sub { PassportTest::Registry::lookup_errors($t) >= 2 }, 3);
    my @le = PassportTest::Registry::lookup_errors($t);
    is(scalar @le, 2, "$name: one error line per lookup") or diag join "\n", @le;
    is(scalar(grep { /\Q${\ $reg_used->entity_url($seller)}\E/ } @le), 1, "$name: the seller URL is logged");
    is(scalar(grep { /\Q${\ $reg_used->code_url($canon)}\E/ } @le), 1, "$name: the code URL is logged");
    is(scalar(grep { /certificate/i } @le), 2, "$name: the cause mentions the certificate")
        or diag join "\n", @le;
    is(scalar $reg_used->log_lines, $n, "$name: no request was served to the registry");
}

# --- A: trusted CA

my $r = post('/trusted', listing('0100109106', next_lot()));
is($r->{status}, 200, 'trusted CA: good listing passes') or diag $r->{body};
is($be->last_request->{headers}{'x-passport-verdict'}, 'pass', 'trusted CA: verdict pass');
$r = post('/trusted', listing('0100109106', '12312312312326'));
is($r->{status}, 422, 'trusted CA: a recalled code is blocked');
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'CODE_RECALLED /items/0/trace_code' ],
    'trusted CA: CODE_RECALLED, so the record was read over TLS');

# --- B: system store (the test CA is not in it)

refused('/system', 'system CA store', $reg, '0100233488', next_lot(), "01/08934673577038/10/$lots[$lot - 1]");

# --- C: verification off

$r = post('/noverify', listing('0300588569', next_lot()));
is($r->{status}, 200, 'ssl_verify off: good listing passes') or diag $r->{body};

# B again, after connections were made with a trusted CA and without
# verification: neither may be reused where the system store is required
refused('/system', 'system CA store, after /trusted and /noverify', $reg, '0314409058-002',
    next_lot(), "01/08934673577038/10/$lots[$lot - 1]");

# --- host name: a certificate of the test CA, but for another name

refused('/wrongname', 'certificate for another host name', $wrong, '5493001KJTIIGC8Y1R12',
    '8934673577038', '01/08934673577038');
$wrong->code('01/08934673577038', authorized_sellers => \@sellers);
$wrong->entity('5493001KJTIIGC8Y1R12', 'active');
$r = post('/wrongname-noverify', listing('5493001KJTIIGC8Y1R12', '8934673577038'));
is($r->{status}, 200, 'another host name with ssl_verify off: passes') or diag $r->{body};

# --- steady state: lookups reuse the TLS connection

my $before = $reg->log_lines;
for (1 .. 5) {
    $r = post('/trusted', listing('213800KUD8LAJWSQ9D15', next_lot()));
    is($r->{status}, 200, "steady state listing $_ passes") or diag $r->{body};
}
$t->wait_for(sub { $reg->log_lines >= $before + 6 }, 2);
my @l = $reg->log_lines;
@l = @l[$before .. $#l];
my %conns = map { $_->{conn} => 1 } @l;
ok(@l >= 6, scalar(@l) . ' lookups over TLS');
ok((grep { $_->{creq} > 1 } @l), 'a TLS connection carried more than one lookup ($connection_requests > 1)');
cmp_ok(scalar(keys %conns), '<', scalar(@l), 'fewer TLS connections (' . scalar(keys %conns) . ') than lookups');
is_deeply([ grep { $_->{proto} ne 'HTTP/2.0' } @l ], [], 'the registry offers HTTP/2 and the lookups use it');

$t->stop;
$t->error_log_unlike(qr/exited on signal/, 'no worker crashed');
$t->error_log_unlike(qr/ignoring stale global SSL error/,
    "lookups leave no OpenSSL errors behind for nginx's own TLS in the same worker");
$t->error_log_clean(allow => [ qr/passport: registry lookup/ ]);

done_testing;
