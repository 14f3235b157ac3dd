#!/usr/bin/perl
# Registry lookups through the whole path, against a fixture registry that
# nginx itself serves from JSON files: every registry reason in enforce,
# flag and monitor mode, for a single-seller listing and for a multi-seller
# cart; good listings pass byte for byte; no registry means local rules
# only; the bearer token is sent and never logged; request headers.

use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP;
use Digest::MD5 qw(md5_hex);
use PassportTest;
use PassportTest::Registry qw(seg_encode);

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

# --- fixture records: sellers and codes in every status

my $reg = PassportTest::Registry->new($t, port => 'registry');    # nginx-served files
my $fake = PassportTest::Registry->new($t, port => 'fake', control => 'tmp/fake.json');    # same files, PassportTest::Server

$reg->entity('0100109106', 'active');              # owner of most codes
$reg->entity('0100233488', 'active');              # authorised seller
$reg->entity('5493001KJTIIGC8Y1R12', 'active');    # another company
$reg->entity('0300588569', 'suspended');
$reg->entity('0314409058-002', 'dissolved');
# 213800KUD8LAJWSQ9D15: not registered (no file, 404)

my %CANON = (    # trace code as sent => canonical code (the registry key)
    '8934673577038'                          => '01/08934673577038',
    '(01)08934673577038(10)ABC123(17)351231' => '01/08934673577038/10/ABC123',
    '(01)12312312312326(21)abc123'           => '01/12312312312326/21/abc123',
    '(01)12312312312333(10)ABC+123'          => '01/12312312312333/10/ABC%2B123',
    '12312312312326'                         => '01/12312312312326',
    '1234567890128'                          => '01/01234567890128',
    '02345673'                               => '01/00000002345673',
    '416000336108'                           => '01/00416000336108',
    '12345678901231'                         => '01/12345678901231',
    '09506000134352'                         => '01/09506000134352',
    '4006381333931'                          => '01/04006381333931',
    '9780345418913'                          => '01/09780345418913',
    'VN-TXNG-2024-000123'                    => 'VN-TXNG-2024-000123',
);
$reg->code('01/08934673577038', authorized_sellers => [ '0100233488' ]);
$reg->code('01/08934673577038/10/ABC123');
$reg->code('01/12312312312326/21/abc123', product => undef);    # product is optional
$reg->code('01/12312312312333/10/ABC%2B123');                   # "%" in the key: sent as %25
$reg->code('01/12312312312326', status => 'recalled');
$reg->code('01/01234567890128', status => 'revoked');
$reg->code('01/00000002345673', owner => '5493001KJTIIGC8Y1R12');    # someone else's
$reg->code('01/00416000336108', owner => '5493001KJTIIGC8Y1R12',
           authorized_sellers => [ '0100233488', '0100109106' ]);
$reg->code('01/12345678901231', origin => 'CN');
$reg->code('01/04006381333931', origin => '704');                     # numeric origin
$reg->code('01/09780345418913', authorized_sellers =>               # any seller may sell it
           [ '213800KUD8LAJWSQ9D15', '0300588569', '0314409058-002', '0100233488' ]);
$reg->code('VN-TXNG-2024-000123');
# 01/09506000134352: not registered

# --- nginx -t: the directives

$t->write_file('conf/registry.token', 'tok-SECRET-4f9a');
$t->write_file('conf/registry-nl.token', "tok-NEWLINE-77c1\n");
my $certs = PassportTest::Registry::make_certs($t);

sub conf_test {
    my ($dirs) = @_;
    $t->config(<<"EOF2");
    server {
        listen 127.0.0.1:%%PORT_main%%;
        location /listings {
            passport on;
            passport_item_code /trace_code;
            $dirs
            root %%PREFIX%%/html;
        }
    }
EOF2
    return $t->test_config;
}

my ($rc, $out) = conf_test('passport_registry http://127.0.0.1:%%PORT_registry%%/registry;');
is($rc, 0, 'nginx -t: passport_registry http://') or diag $out;
($rc, $out) = conf_test('passport_registry https://127.0.0.1:%%PORT_registry%%/registry/;');
is($rc, 0, 'nginx -t: passport_registry https:// with a trailing slash') or diag $out;
($rc, $out) = conf_test(<<"EOF2");
passport_registry https://127.0.0.1:%%PORT_registry%%/registry;
            passport_registry_timeout 500ms;
            passport_registry_token_file %%PREFIX%%/conf/registry.token;
            passport_registry_ssl_verify off;
            passport_registry_trusted_certificate $certs->{ca};
            passport_on_registry_error flag;
            passport_registry_breaker 3 2s;
EOF2
is($rc, 0, 'nginx -t: every registry directive') or diag $out;
for my $v (qw(block flag pass)) {
    ($rc, $out) = conf_test("passport_registry http://127.0.0.1:1/r; passport_on_registry_error $v;");
    is($rc, 0, "nginx -t: passport_on_registry_error $v") or diag $out;
}
for my $bad ('ftp://x', 'http://', 'registry.example') {
    ($rc, $out) = conf_test("passport_registry $bad;");
    isnt($rc, 0, "nginx -t fails on passport_registry \"$bad\"");
    like($out, qr/\[emerg\]/, "... with an [emerg] for \"$bad\"");
}
($rc, $out) = conf_test('passport_registry http://127.0.0.1:1/r; '
    . 'passport_registry_token_file %%PREFIX%%/conf/no-such.token;');
isnt($rc, 0, 'nginx -t fails on a missing token file');
like($out, qr/\[emerg\].*no-such\.token/, '... naming the file');
unlike($out, qr/tok-SECRET/, '... and not showing any token');
($rc, $out) = conf_test('passport_registry http://127.0.0.1:1/r; passport_on_registry_error maybe;');
isnt($rc, 0, 'nginx -t fails on passport_on_registry_error maybe');

# --- the server under test

my $common = <<'EOF2';
            passport_seller /seller_id;
            passport_items /items;
            passport_item_code /trace_code;
            passport_item_origin /origin;
EOF2
my $cart = <<'EOF2';
            passport_seller /seller_id;
            passport_items /lines;
            passport_item_code /code;
            passport_item_seller /seller;
            passport_item_origin /origin;
EOF2
my $registry = 'passport_registry http://127.0.0.1:%%PORT_registry%%/registry;';
my $backend = 'proxy_pass http://127.0.0.1:%%PORT_backend%%;';

my $locations = '';
for my $mode (qw(enforce flag monitor)) {
    $locations .= <<"EOF2";
        location /listing/$mode {
            passport on;
            passport_mode $mode;
$common            $registry
            $backend
        }
        location /cart/$mode {
            passport on;
            passport_mode $mode;
$cart            $registry
            $backend
        }
EOF2
}

$t->config(<<"EOF2")->run;
@{[ $reg->nginx_conf ]}
    server {
        listen 127.0.0.1:%%PORT_main%%;

        proxy_set_header X-Passport-Verdict \$passport_verdict;
        proxy_set_header X-Passport-Reasons \$passport_reasons;
        passport_code_pattern "VN-TXNG-[0-9]{4}-[0-9]{6}";

$locations
        location /local {
            passport on;
$common            $backend
        }

        location /token {
            passport on;
$common            passport_registry http://127.0.0.1:%%PORT_fake%%/registry;
            passport_registry_token_file %%PREFIX%%/conf/registry.token;
            $backend
        }

        location /token-nl {
            passport on;
$common            passport_registry http://127.0.0.1:%%PORT_fake%%/registry/;
            passport_registry_token_file %%PREFIX%%/conf/registry-nl.token;
            $backend
        }
    }
EOF2
$fake->server;

sub post { PassportTest::Registry::post_json($t, @_) }
sub seen { ($be->requests)[-1] }
sub listing {
    my ($seller, @items) = @_;
    return { seller_id => $seller, title => 'Sữa đặc Ông Thọ',
             items => [ map { ref $_ ? { trace_code => $_->[0], origin => $_->[1] }
                                     : { trace_code => $_ } } @items ] };
}
sub cart {    # cart(LISTING_SELLER or undef, [code, seller, origin], ...)
    my ($seller, @lines) = @_;
    my $c = { lines => [ map { +{ code => $_->[0], defined $_->[1] ? (seller => $_->[1]) : (),
                                  defined $_->[2] ? (origin => $_->[2]) : () } } @lines ] };
    $c->{seller_id} = $seller if defined $seller;
    return $c;
}
sub new_lines { my $n = shift; my @l = $reg->log_lines; return @l[$n .. $#l] }

# --- a good listing passes, and every lookup reached the registry

my @good_codes = ('8934673577038', '(01)08934673577038(10)ABC123(17)351231',
    '(01)12312312312326(21)abc123', '(01)12312312312333(10)ABC+123', '416000336108',
    '12345678901231', 'VN-TXNG-2024-000123');
my $good = $json->encode(listing('0100109106', [ '8934673577038', 'VN' ],
    @good_codes[1 .. $#good_codes], [ '4006381333931', 'VN' ]));

my $n = $reg->log_lines;
my $r = post('/listing/enforce', $good);
is($r->{status}, 200, 'good listing passes') or diag $r->{body};
is(seen()->{body_md5}, md5_hex($good), 'backend received the body byte for byte');
is(seen()->{headers}{'x-passport-verdict'}, 'pass', '$passport_verdict pass');
is(seen()->{headers}{'x-passport-reasons'}, undef, '$passport_reasons empty');
$t->wait_for(sub { $reg->log_lines >= $n + 9 }, 2);
my @l = new_lines($n);
is_deeply([ sort map { $_->{uri} } @l ],
    [ sort '/registry/entities/0100109106',
      map { '/registry/codes/' . seg_encode($CANON{$_}) } @good_codes, '4006381333931' ],
    'one lookup for the seller and one per code, each code as one encoded path segment');
is_deeply([ grep { $_->{status} != 200 } @l ], [], 'every record was found');
is_deeply([ grep { $_->{accept} !~ m{application/json} } @l ], [], 'lookups send Accept: application/json');
is_deeply([ grep { $_->{ua} !~ /ngx_http_passport_module/ } @l ], [], 'User-Agent names the module');
is_deeply([ grep { $_->{auth} ne '-' } @l ], [], 'no Authorization without a token file');

$r = post('/listing/enforce', listing('0100233488', '8934673577038', '416000336108'));
is($r->{status}, 200, 'seller in authorized_sellers (not the owner) passes');
$r = post('/listing/enforce', listing('0100109106', [ '12345678901231', 'CN' ]));
is($r->{status}, 200, 'claimed origin equal to the registry origin passes');
$r = post('/listing/enforce', listing('0100109106', [ '4006381333931', '704' ]));
is($r->{status}, 200, 'numeric origins compare as countries');
$r = post('/listing/flag', $good);
is($r->{status}, 200, 'flag: good listing');
is(seen()->{headers}{'x-passport-verdict'}, 'pass', 'flag: verdict pass');
$r = post('/cart/enforce', cart(undef, [ '8934673577038', '0100109106' ],
    [ '8934673577038', '0100233488' ], [ '02345673', '5493001KJTIIGC8Y1R12' ]));
is($r->{status}, 200, 'cart: three sellers, each allowed to sell its line') or diag $r->{body};
$r = post('/cart/enforce', cart('5493001KJTIIGC8Y1R12', [ '02345673' ],
    [ '8934673577038', '0100233488' ]));
is($r->{status}, 200, 'cart: a line without a seller uses the listing seller');

# --- every registry reason, in every mode, for a listing and a cart

my @cases = (
    # [ name, path kind, body, reason, pointer, detail regex ]
    [ 'seller not registered', 'listing', listing('213800KUD8LAJWSQ9D15', '9780345418913'),
      'SELLER_NOT_REGISTERED', '/seller_id' ],
    [ 'seller suspended', 'listing', listing('0300588569', '9780345418913'),
      'SELLER_INACTIVE', '/seller_id', qr/suspended/ ],
    [ 'seller dissolved', 'listing', listing('0314409058-002', '9780345418913'),
      'SELLER_INACTIVE', '/seller_id', qr/dissolved/ ],
    [ 'code not registered', 'listing', listing('0100109106', '8934673577038', '09506000134352'),
      'CODE_NOT_REGISTERED', '/items/1/trace_code' ],
    [ 'code recalled', 'listing', listing('0100109106', '8934673577038', '12312312312326'),
      'CODE_RECALLED', '/items/1/trace_code' ],
    [ 'code revoked', 'listing', listing('0100109106', '8934673577038', '1234567890128'),
      'CODE_REVOKED', '/items/1/trace_code' ],
    [ 'code of another company', 'listing', listing('0100109106', '8934673577038', '02345673'),
      'CODE_OWNER_MISMATCH', '/items/1/trace_code' ],
    [ 'origin CN claimed VN', 'listing', listing('0100109106', '8934673577038', [ '12345678901231', 'VN' ]),
      'ORIGIN_MISMATCH', qr{^/items/1/(?:trace_code|origin)$} ],

    [ 'seller not registered', 'cart', cart(undef, [ '8934673577038', '0100109106' ],
        [ '9780345418913', '213800KUD8LAJWSQ9D15' ]), 'SELLER_NOT_REGISTERED', '/lines/1/seller' ],
    [ 'seller suspended', 'cart', cart(undef, [ '8934673577038', '0100109106' ],
        [ '9780345418913', '0300588569' ]), 'SELLER_INACTIVE', '/lines/1/seller', qr/suspended/ ],
    [ 'seller dissolved', 'cart', cart(undef, [ '8934673577038', '0100109106' ],
        [ '9780345418913', '0314409058-002' ]), 'SELLER_INACTIVE', '/lines/1/seller', qr/dissolved/ ],
    [ 'code not registered', 'cart', cart(undef, [ '8934673577038', '0100233488' ],
        [ '09506000134352', '0100109106' ]), 'CODE_NOT_REGISTERED', '/lines/1/code' ],
    [ 'code recalled', 'cart', cart(undef, [ '8934673577038', '0100233488' ],
        [ '12312312312326', '0100109106' ]), 'CODE_RECALLED', '/lines/1/code' ],
    [ 'code revoked', 'cart', cart(undef, [ '8934673577038', '0100233488' ],
        [ '1234567890128', '0100109106' ]), 'CODE_REVOKED', '/lines/1/code' ],
    [ 'code of another company (item seller)', 'cart', cart(undef, [ '8934673577038', '0100233488' ],
        [ '8934673577038', '5493001KJTIIGC8Y1R12' ]), 'CODE_OWNER_MISMATCH', '/lines/1/code' ],
    [ 'code of another company (listing seller)', 'cart', cart('0100233488',
        [ '8934673577038' ], [ '02345673' ]), 'CODE_OWNER_MISMATCH', '/lines/1/code' ],
    [ 'origin CN claimed VN', 'cart', cart(undef, [ '8934673577038', '0100233488' ],
        [ '12345678901231', '0100109106', 'VN' ]), 'ORIGIN_MISMATCH', qr{^/lines/1/(?:code|origin)$} ],
);

for my $c (@cases) {
    my ($name, $kind, $body, $reason, $ptr, $detail) = @$c;
    $body = $json->encode($body);
    my $seller = $json->decode($body)->{seller_id};

    # enforce
    my $nb = $be->requests;
    $t->mark_log;
    $r = post("/$kind/enforce", $body);
    my $what = "$kind, $name, enforce";
    is($r->{status}, 422, "$what: 422");
    is($r->{headers}{'content-type'}, 'application/problem+json', "$what: problem document");
    my @e = ref $r->{json} eq 'HASH' ? @{ $r->{json}{errors} || [] } : ();
    is(scalar @e, 1, "$what: one error") or diag $r->{body};
    is($e[0] && $e[0]{code}, $reason, "$what: $reason");
    if (ref $ptr) { like($e[0] && $e[0]{pointer}, $ptr, "$what: pointer") }
    else          { is($e[0] && $e[0]{pointer}, $ptr, "$what: pointer $ptr") }
    ok($e[0] && length($e[0]{detail} // ''), "$what: has a detail");
    like($e[0] && $e[0]{detail}, $detail, "$what: detail names the status") if $detail;
    is($r->{json} && $r->{json}{status}, 422, "$what: status member");
    is(scalar $be->requests, $nb, "$what: backend not reached");
    my $id = ($r->{json} && $r->{json}{instance}) // 'none';
    like($t->log_since_mark, defined $seller
        ? qr/\[warn\].*passport: block \(mode enforce\) request_id:$id seller:"\Q$seller\E" reasons:$reason\b/
        : qr/\[warn\].*passport: block \(mode enforce\) request_id:$id .*reasons:$reason\b/,
        "$what: warn line");

    # flag
    $what = "$kind, $name, flag";
    $r = post("/$kind/flag", $body);
    is($r->{status}, 200, "$what: goes through");
    is(scalar $be->requests, $nb + 1, "$what: reached the backend");
    is(seen()->{body_md5}, md5_hex($body), "$what: body unchanged");
    is(seen()->{headers}{'x-passport-verdict'}, 'flag', "$what: verdict flag");
    is(seen()->{headers}{'x-passport-reasons'}, $reason, "$what: reasons $reason");

    # monitor
    $what = "$kind, $name, monitor";
    $r = post("/$kind/monitor", $body);
    is($r->{status}, 200, "$what: goes through");
    is(scalar $be->requests, $nb + 2, "$what: reached the backend");
    is(seen()->{headers}{'x-passport-verdict'}, 'block', "$what: verdict block");
    is(seen()->{headers}{'x-passport-reasons'}, $reason, "$what: reasons $reason");
}
$t->error_log_like(qr/passport: flag \(mode flag\) request_id:[0-9a-f]{32} seller:"0100109106" reasons:CODE_RECALLED/,
    'flag: warn line');
$t->error_log_like(qr/passport: block \(mode monitor\) request_id:[0-9a-f]{32} seller:"0300588569" reasons:SELLER_INACTIVE/,
    'monitor: warn line');

# several registry reasons in one listing: one error each
$r = post('/listing/enforce', listing('0300588569', '12312312312326', '8934673577038', '1234567890128'));
is($r->{status}, 422, 'several registry problems: 422');
is_deeply([ sort(PassportTest::Registry::errors_of($r)) ],
    [ sort('SELLER_INACTIVE /seller_id', 'CODE_RECALLED /items/0/trace_code',
           'CODE_OWNER_MISMATCH /items/1/trace_code', 'CODE_REVOKED /items/2/trace_code') ],
    'one error per problem (the suspended seller is not authorised for 8934673577038)');

# --- local rules first: what failed them is not looked up

$n = $reg->log_lines;
$r = post('/listing/enforce', listing('0100109106', '8934673577038', '1234567890129'));
is($r->{status}, 422, 'a code failing local rules: 422');
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'CODE_INVALID /items/1/trace_code' ],
    '... CODE_INVALID only');
is_deeply([ grep { $_->{uri} !~ m{^/registry/(?:entities/0100109106|codes/01%2F08934673577038)$} } new_lines($n) ],
    [], '... and the invalid code was not looked up');

$n = $reg->log_lines;
$r = post('/listing/enforce', listing('0100233480', '8934673577038'));
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'SELLER_ID_INVALID /seller_id' ],
    'an invalid seller ID: SELLER_ID_INVALID only');
is_deeply([ grep { $_->{uri} =~ m{/entities/} } new_lines($n) ], [], '... and it was not looked up');

# --- without passport_registry only local rules run

$n = $reg->log_lines;
my $nf = $fake->nreq;
$r = post('/local', listing('213800KUD8LAJWSQ9D15', '09506000134352', '12312312312326'));
is($r->{status}, 200, 'no passport_registry: an unregistered seller and codes pass the local rules');
is(seen()->{headers}{'x-passport-verdict'}, 'pass', '... verdict pass');
$r = post('/local', listing('0100109106', '1234567890129'));
is($r->{status}, 422, '... local rules still apply');
select(undef, undef, undef, 0.3);
is(scalar $reg->log_lines, $n, '... no request reached the fixture registry');
is($fake->nreq, $nf, '... nor the other registry');

# --- bearer token, Accept, User-Agent (PassportTest::Server as the registry)

$r = post('/token', listing('0100109106', '8934673577038', '(01)12312312312333(10)ABC+123'));
is($r->{status}, 200, 'token location: good listing passes') or diag $r->{body};
my @fr = $fake->requests;
is(scalar @fr, 3, 'three lookups');
is_deeply([ sort map { "$_->{method} $_->{path}" } @fr ],
    [ sort 'GET /registry/entities/0100109106', 'GET /registry/codes/01%2F08934673577038',
      'GET /registry/codes/01%2F12312312312333%2F10%2FABC%252B123' ],
    'GET, "/" sent as %2F and "%" as %25 in one path segment');
for my $q (@fr) {
    is($q->{headers}{authorization}, 'Bearer tok-SECRET-4f9a', "$q->{path}: Authorization: Bearer <token>");
    like($q->{headers}{accept} // '', qr{^application/json\b}, "$q->{path}: Accept: application/json");
    like($q->{headers}{'user-agent'} // '', qr/ngx_http_passport_module/, "$q->{path}: User-Agent names the module");
}
like($fr[0]{headers}{'user-agent'} // '', qr/\d+\.\d+/, 'User-Agent has a version');

$r = post('/token-nl', listing('0100109106', '8934673577038'));
is($r->{status}, 200, 'token file ending in a newline: good listing passes') or diag $r->{body};
@fr = $fake->requests;
is($fr[-1]{headers}{authorization}, 'Bearer tok-NEWLINE-77c1', '... the newline is not part of the token');
is(scalar(grep { $_->{path} =~ m{//} } @fr), 0, 'a base URL with a trailing slash makes no "//"');

# a failed lookup logs its URL, never the token
$fake->control(ids => { '0100233488' => { status => 500, body => 'boom' } });
$t->mark_log;
$r = post('/token', listing('0100233488', '8934673577038'));
is($r->{status}, 503, 'a failed lookup at the token location: 503');
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'REGISTRY_UNAVAILABLE /seller_id' ],
    '... REGISTRY_UNAVAILABLE on the seller');
$t->wait_for(sub { PassportTest::Registry::lookup_errors($t) }, 2);
my @le = PassportTest::Registry::lookup_errors($t);
is(scalar @le, 1, '... one error line');
like($le[0] // '', qr/\Q${\ $fake->entity_url('0100233488')}\E/, '... with the URL');
$fake->control;

# reload re-reads the token file
$t->write_file('conf/registry.token', 'tok-SECRET-rotated-b7e2');
$t->reload;
$r = post('/token', listing('0100109106', '4006381333931'));
is($r->{status}, 200, 'after a reload: good listing passes') or diag $r->{body};
is(($fake->requests)[-1]{headers}{authorization}, 'Bearer tok-SECRET-rotated-b7e2',
    'after a reload: the new token is sent');

$t->stop;
$t->error_log_unlike(qr/tok-SECRET|tok-NEWLINE|Bearer/, 'the token never appears in the error log');
$t->error_log_unlike(qr/exited on signal/, 'no worker crashed');
$t->error_log_clean(allow => [ qr/passport: registry lookup/ ]);

done_testing;
