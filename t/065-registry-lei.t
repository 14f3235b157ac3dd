#!/usr/bin/perl
# Foreign sellers checked against GLEIF: with passport_lei_registry a
# seller identified by an LEI is looked up at {URL}/lei-records/{LEI}
# (recorded answers in GLEIF's JSON:API shape, served on loopback); an
# ACTIVE entity with an ISSUED, PENDING_TRANSFER or PENDING_ARCHIVAL
# registration is in force, any other pair is SELLER_INACTIVE naming both
# statuses in the seller's language, a 404 is SELLER_NOT_REGISTERED and a
# record of another LEI is a registry error.  Other sellers and the codes
# still go to passport_registry.

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
    '984500A9D6A4C0ABC754' => gleif('984500A9D6A4C0ABC754', 'INACTIVE', 'RETIRED'),
    '254900OPPU84GM83MG36' => gleif('254900OPPU84GM83MG36', 'ACTIVE', 'ISSUED', id => '5493001KJTIIGC8Y1R12'),
);
my $gl = $t->backend('gleif', routes => [
    [ 'GET', qr{^/api/v1/lei-records/}, sub {
        my ($lei) = $_[0]{path} =~ m{/lei-records/(.*)$};
        return $LEI{$lei} ? { json => $LEI{$lei}, headers => { 'Content-Type' => 'application/vnd.api+json' } }
            : { status => 404, json => { errors => [ { status => '404', title => 'Not Found' } ] } };
    } ] ]);

$t->config(<<"EOF2")->run;
@{[ $reg->nginx_conf ]}
    server {
        listen 127.0.0.1:%%PORT_main%%;
        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_registry http://127.0.0.1:%%PORT_registry%%/registry;
        passport_lei_registry http://127.0.0.1:%%PORT_gleif%%/api/v1;
        proxy_set_header X-Verdict \$passport_verdict;
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

$r = listing('984500A9D6A4C0ABC754');
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'SELLER_INACTIVE /seller_id' ], 'INACTIVE + RETIRED: SELLER_INACTIVE');
like(detail($r), qr/the legal entity is inactive, the LEI registration has been retired/, '... naming both statuses');

$r = listing('5299000J2N45DDNE4Y28');
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'SELLER_NOT_REGISTERED /seller_id' ], '404: SELLER_NOT_REGISTERED');

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

$t->stop;
$t->error_log_clean(allow => [ qr/passport: registry lookup/ ]);
done_testing;
