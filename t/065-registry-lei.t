#!/usr/bin/perl
# Foreign sellers checked against GLEIF: with passport_lei_registry a
# seller identified by an LEI is looked up at {URL}/lei-records/{LEI}
# (recorded answers in GLEIF's JSON:API shape, served on loopback); an
# ACTIVE entity with an ISSUED, PENDING_TRANSFER or PENDING_ARCHIVAL
# registration is in force, any other pair is SELLER_INACTIVE naming both
# statuses in the seller's language, a 404 is SELLER_NOT_REGISTERED and a
# record of another LEI is a registry error (a 404 detail names GLEIF's
# register, not the national one).  Other sellers and the codes still go
# to passport_registry.  The report record carries the legal name and the
# legal address's country, from the cache too; items' own LEI sellers are
# looked up with passport_lei_registry alone.  token_file= and
# trusted_certificate= are the LEI registry's own (a private mirror over
# TLS): the national registry's token and CAs never go there.

use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

my $reg = PassportTest::Registry->new($t, port => 'registry');
$reg->entity('0100109106', 'active');
$reg->code('01/08934673577038', authorized_sellers => [ '5493001KJTIIGC8Y1R12', '529900T8BM49AURSDO55',
    '213800KUD8LAJWSQ9D15', '984500A9D6A4C0ABC754', '254900OPPU84GM83MG36', '5299000J2N45DDNE4Y28' ]);

# a lei-records answer as GLEIF's API gives it
sub gleif {
    my ($lei, $entity, $registration, %o) = @_;
    return { meta => { goldenCopy => { publishDate => '2024-05-01T08:00:00Z' } },
        data => { type => 'lei-records', id => $o{id} // $lei,
            attributes => { lei => $lei,
                entity => { legalName => { name => $o{name} // 'Muster Handels GmbH', language => 'de' },
                    otherNames => [], legalAddress => { language => 'de', addressLines => [ 'Hauptstraße 1' ],
                        city => 'Berlin', region => 'DE-BE', country => $o{country} // 'DE', postalCode => '10115' },
                    jurisdiction => 'DE', category => 'GENERAL', legalForm => { id => '2HBR', other => undef },
                    status => $entity },
                registration => { initialRegistrationDate => '2014-02-10T09:00:00Z',
                    lastUpdateDate => '2024-02-11T10:00:00Z', status => $registration,
                    nextRenewalDate => '2025-02-10T09:00:00Z', managingLou => '5299000J2N45DDNE4Y28',
                    corroborationLevel => 'FULLY_CORROBORATED' },
                bic => undef },
            links => { self => "https://api.gleif.org/api/v1/lei-records/$lei" } } };
}
my %LEI = (
    '5493001KJTIIGC8Y1R12' => gleif('5493001KJTIIGC8Y1R12', 'ACTIVE', 'ISSUED'),
    '529900T8BM49AURSDO55' => gleif('529900T8BM49AURSDO55', 'ACTIVE', 'PENDING_TRANSFER'),
    '213800KUD8LAJWSQ9D15' => gleif('213800KUD8LAJWSQ9D15', 'ACTIVE', 'LAPSED'),
    '984500A9D6A4C0ABC754' => gleif('984500A9D6A4C0ABC754', 'INACTIVE', 'RETIRED',
        name => 'Công ty Ví dụ', country => 'vn'),
    '254900OPPU84GM83MG36' => gleif('254900OPPU84GM83MG36', 'ACTIVE', 'ISSUED', id => '5493001KJTIIGC8Y1R12'),
);
my $gl = $t->backend('gleif', routes => [
    [ 'GET', qr{^/api/v1/lei-records/}, sub {
        my ($lei) = $_[0]{path} =~ m{/lei-records/(.*)$};
        return $LEI{$lei} ? { json => $LEI{$lei}, headers => { 'Content-Type' => 'application/vnd.api+json' } }
            : { status => 404, json => { errors => [ { status => '404', title => 'Not Found' } ] } };
    } ] ]);

# a private LEI mirror over TLS (the fixture registry's files), with a
# token and a CA of its own
my $certs = PassportTest::Registry::make_certs($t);
my $mirror = PassportTest::Registry->new($t, port => 'mirror', scheme => 'https', log => 'logs/mirror.log');
$t->write_file("html/registry/lei-records/$_.json", $json->encode($LEI{$_}))
    for qw(5493001KJTIIGC8Y1R12 984500A9D6A4C0ABC754);
my $national_token = $t->write_file('conf/national.token', "national-secret\n");
my $lei_token = $t->write_file('conf/lei.token', "lei-secret\n");
my $log = $t->path('logs/reports.log');
my $mirror_url = 'https://127.0.0.1:%%PORT_mirror%%/registry';

$t->config(<<"EOF2")->run;
@{[ $reg->nginx_conf ]}
@{[ $mirror->nginx_conf(ssl => { cert => $certs->{cert}, key => $certs->{key} }) ]}
    passport_report_log %%PREFIX%%/logs/reports.log node=t065;
    passport_cache_zone lei:1m;
    server {
        listen 127.0.0.1:%%PORT_main%%;
        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_registry http://127.0.0.1:%%PORT_registry%%/registry;
        passport_registry_token_file $national_token;
        passport_registry_trusted_certificate $certs->{ca};
        passport_lei_registry http://127.0.0.1:%%PORT_gleif%%/api/v1;
        passport_cache lei;
        proxy_set_header X-Verdict \$passport_verdict;
        location / {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /mirror {
            passport on;
            passport_lei_registry $mirror_url
                token_file=$lei_token trusted_certificate=$certs->{ca};
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /mirror-national-ca {
            passport on;
            passport_lei_registry $mirror_url token_file=$lei_token;
            passport_registry_breaker 1000 1s;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
    server {
        listen 127.0.0.1:%%PORT_checkout%%;
        passport_items /items;
        passport_item_code /trace_code;
        passport_item_seller /seller_id;
        passport_lei_registry http://127.0.0.1:%%PORT_gleif%%/api/v1;
        location / {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2

sub listing {
    my ($seller, @h) = @_;
    return PassportTest::Registry::post_json($t, '/listings',
        { seller_id => $seller, items => [ { trace_code => '8934673577038' } ] }, @h);
}
sub detail { my $r = shift; my $e = (($r->{json} || {})->{errors} || [])->[0] || {}; $e->{detail} // '' }
sub records {
    open(my $fh, '<:raw', $log) or return ();
    return map { $json->decode($_) } grep { /"type":"verdict"/ } <$fh>;
}

my $r = listing('5493001KJTIIGC8Y1R12');
is($r->{status}, 200, 'ACTIVE + ISSUED: passes') or diag $r->{body};
is($gl->last_request->{path}, '/api/v1/lei-records/5493001KJTIIGC8Y1R12', '... asked at {URL}/lei-records/{LEI}');
is($gl->last_request->{headers}{authorization}, undef, '... without a token');
is($reg->count(qr{/entities/}), 0, '... and not asked of the national registry');

$r = listing('529900T8BM49AURSDO55');
is($r->{status}, 200, 'ACTIVE + PENDING_TRANSFER: passes') or diag $r->{body};

$r = listing('213800KUD8LAJWSQ9D15');
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'SELLER_INACTIVE /seller_id' ], 'LAPSED: SELLER_INACTIVE');
like(detail($r), qr/the legal entity is active, the LEI registration has lapsed/, '... naming both statuses');
$r = listing('213800KUD8LAJWSQ9D15', 'Accept-Language' => 'vi');
like(detail($r), qr/pháp nhân đang hoạt động, mã LEI đã quá hạn gia hạn/, '... in Vietnamese');

my @rec = records();
is(scalar @rec, 2, 'the two lapsed listings are recorded');
for my $i (0, 1) {
    is_deeply([ map { $rec[$i]{$_} } qw(seller seller_status seller_name seller_country) ],
        [ '213800KUD8LAJWSQ9D15', 'active', 'Muster Handels GmbH', 'DE' ],
        'the record has the legal name and country' . ($i ? ', from the cache' : ''));
}
is(scalar(grep { $_->{path} =~ /213800KUD8LAJWSQ9D15/ } $gl->requests), 1, '... GLEIF asked once');

$r = listing('984500A9D6A4C0ABC754');
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'SELLER_INACTIVE /seller_id' ], 'INACTIVE + RETIRED: SELLER_INACTIVE');
like(detail($r), qr/the legal entity is inactive, the LEI registration has been retired/, '... naming both statuses');
is_deeply([ map { (records())[-1]{$_} } qw(seller_name seller_country) ], [ 'Công ty Ví dụ', 'VN' ],
    '... a UTF-8 name, the country upper-cased');

$r = listing('5299000J2N45DDNE4Y28');
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'SELLER_NOT_REGISTERED /seller_id' ], '404: SELLER_NOT_REGISTERED');
is(detail($r), 'the LEI 5299000J2N45DDNE4Y28 is not in the global LEI register (GLEIF)',
    '... not in GLEIF\'s register, not "the traceability registry"');
$r = listing('5299000J2N45DDNE4Y28', 'Accept-Language' => 'vi');
is(detail($r), 'mã LEI 5299000J2N45DDNE4Y28 không có trong sổ đăng ký LEI toàn cầu (GLEIF)', '... in Vietnamese');
ok(!exists((records())[-1]{seller_name}), '... and no name in its record');

$t->mark_log;
$r = listing('254900OPPU84GM83MG36');
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'REGISTRY_UNAVAILABLE /seller_id' ], 'another LEI: REGISTRY_UNAVAILABLE');
$t->wait_for(sub { PassportTest::Registry::lookup_errors($t) }, 3);
like(join("\n", PassportTest::Registry::lookup_errors($t)),
    qr/lei-records\/254900OPPU84GM83MG36" failed: record is for "5493001KJTIIGC8Y1R12", not the asked "254900OPPU84GM83MG36"/,
    '... logged');

$r = listing('0100109106');
is($r->{status}, 200, 'a Vietnamese tax code still goes to passport_registry');
is($reg->count(qr{/entities/0100109106}), 1, '... asked there');
my ($nat) = grep { $_->{uri} =~ m{/entities/0100109106} } $reg->log_lines;
is($nat->{auth}, 'Bearer national-secret', '... with the national token');
ok(!grep({ defined $_->{headers}{authorization} } $gl->requests), 'GLEIF never got a token');

# items' own LEI sellers, with passport_lei_registry alone
$r = $t->request(method => 'POST', path => '/checkout', port => $t->port('checkout'),
    headers => [ 'Content-Type' => 'application/json' ],
    body => $json->encode({ items => [
        { trace_code => '8934673577038', seller_id => '984500A9D6A4C0ABC754' },
        { trace_code => '8934673577038', seller_id => '5493001KJTIIGC8Y1R12' } ] }));
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'SELLER_INACTIVE /items/0/seller_id' ],
    'an item\'s own LEI seller is looked up without passport_registry');
my %by = map { $_->{pointer} => $_ } @{ (records())[-1]{items} };
is_deeply([ map { $by{'/items/0/seller_id'}{$_} } qw(seller seller_status seller_name seller_country) ],
    [ '984500A9D6A4C0ABC754', 'inactive', 'Công ty Ví dụ', 'VN' ], '... its name and country in the record');

# the mirror: its own token and CA, never the national ones
$r = PassportTest::Registry::post_json($t, '/mirror',
    { seller_id => '984500A9D6A4C0ABC754', items => [ { trace_code => '8934673577038' } ] });
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'SELLER_INACTIVE /seller_id' ],
    'a private LEI mirror over TLS, its own CA: answers');
my ($m) = grep { $_->{uri} =~ m{/lei-records/984500A9D6A4C0ABC754} } $mirror->log_lines;
is($m->{auth} // '', 'Bearer lei-secret', '... given token_file=\'s token, not the national one');

$t->mark_log;
$r = PassportTest::Registry::post_json($t, '/mirror-national-ca',
    { seller_id => '5493001KJTIIGC8Y1R12', items => [ { trace_code => '8934673577038' } ] });
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'REGISTRY_UNAVAILABLE /seller_id' ],
    'without trusted_certificate= the national registry\'s CA is not used for it');
$t->wait_for(sub { PassportTest::Registry::lookup_errors($t) }, 3);
like(join("\n", PassportTest::Registry::lookup_errors($t)), qr/mirror|certificate|SSL/i, '... a TLS failure, logged');

$t->stop;
$t->error_log_clean(allow => [ qr/passport: registry lookup/ ]);

# nginx -t: the parameters
sub conf_err {
    my ($params) = @_;
    $t->config(<<"EOF2");
    server {
        listen 127.0.0.1:%%PORT_main%%;
        passport_items /items;
        passport_item_code /trace_code;
        location / { passport on; passport_lei_registry $params; }
    }
EOF2
    my ($rc, $out) = $t->test_config;
    return ($rc, $out);
}
my ($rc, $out) = conf_err("http://127.0.0.1:1/api token_file=$lei_token");
is($rc, 0, "token_file= over http:// is accepted") or diag $out;
like($out, qr/\[warn\].*"passport_lei_registry" sends its bearer token to "http:\/\/127\.0\.0\.1:1\/api" in clear text: use an https:\/\/ URL/,
    '... with a warning');
($rc, $out) = conf_err("https://127.0.0.1:1/api trusted_certificate=$certs->{ca} token_file=$lei_token");
is($rc, 0, 'both parameters, any order') or diag $out;
($rc, $out) = conf_err('https://127.0.0.1:1/api token_file=/nonexistent/lei.token');
like($out, qr/\[emerg\].*"passport_lei_registry": the token file must be readable.*"\/nonexistent\/lei\.token"/,
    'a missing token file: refused');
($rc, $out) = conf_err('https://127.0.0.1:1/api trusted_certificate=/nonexistent/ca.pem');
like($out, qr/\[emerg\].*"passport_lei_registry": a PEM file of CA certificates is expected.*"\/nonexistent\/ca\.pem"/,
    'a missing CA file: refused');
($rc, $out) = conf_err("https://127.0.0.1:1/api token_file=$lei_token token_file=$lei_token");
like($out, qr/\[emerg\].*duplicate parameter "token_file=.*": give it once/, 'a parameter twice: refused');
($rc, $out) = conf_err('https://127.0.0.1:1/api token=x');
like($out, qr/\[emerg\].*invalid parameter "token=x": token_file=FILE and trusted_certificate=FILE are known/,
    'an unknown parameter: refused');
($rc, $out) = conf_err("off token_file=$lei_token");
like($out, qr/\[emerg\].*"passport_lei_registry off" takes no parameter/, 'off with a parameter: refused');
($rc, $out) = conf_err('https://user:pw@127.0.0.1:1/api');
like($out, qr/\[emerg\].*a bearer token goes in the token_file= parameter/, 'credentials in the URL: the fix named');

done_testing;
