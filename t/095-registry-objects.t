#!/usr/bin/perl
# Registry objects.  Locations whose registry settings are all the same
# share one object: its lookups in flight, its cache entries and its
# circuit breaker.  Any difference (here the token, or the breaker's
# thresholds) makes another object, whose answers are its own.  The
# registry answers by the Authorization header: with token-b every
# seller is suspended, with any other token active, so an answer given
# to the wrong location shows.  A purge drops the entry of every object
# with that zone and URL; a reload with the same settings keeps the
# entries, a new token starts with none.  Requests are counted at the
# registry.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry qw(seg_decode);
use PassportTest::Cache qw(tax_codes);

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

my %S;
@S{qw(flight same cache fault)} = tax_codes(4, prefix => '03', from => 5100);

# the registry: a seller's status depends on the token; a code is owned
# by the seller of its serial (AI 21); slow while tmp/slow exists
my $slow = $t->path('tmp/slow');
my $route = sub {
    my $req = shift;
    my ($kind, $raw) = $req->{path} =~ m{^/registry/(entities|codes)/([^/]+)$}
        or return { status => 400, body => "not a lookup\n" };
    my $key = seg_decode($raw);
    my $auth = $req->{headers}{authorization} // '';
    my $rec = $kind eq 'entities'
        ? { id => $key, status => $auth eq 'Bearer token-b' ? 'suspended' : 'active' }
        : { code => $key, status => 'active', origin => 'VN',
            owner => $key =~ m{/21/(\d{10})$} ? $1 : '0100109106' };
    return { json => $rec, -e $slow ? (delay => 1) : () };
};
my $reg = $t->backend('registry', routes => [ [ 'GET', qr{^/registry/}, $route ] ]);

my $fault = PassportTest::Registry->new($t, port => 'fault', control => 'tmp/fault.json');
$fault->server;
$fault->control(all => { status => 500 });

$t->write_file('conf/token-a', "token-a\n");
$t->write_file('conf/token-b', "token-b\n");
$t->write_file('conf/empty', "\n");

# --- configuration errors name the directive and say what to do

sub conf_error {
    my ($loc, $re, $name) = @_;
    $t->config(<<"EOF");
    server {
        listen 127.0.0.1:%%PORT_main%%;
        location / { $loc }
    }
EOF
    my ($rc, $out) = $t->test_config;
    isnt($rc, 0, "$name: nginx -t fails");
    like($out, $re, "$name: the message");
}

conf_error('passport_registry "http://127.0.0.1:9/registry#top";',
    qr/\[emerg\] .*invalid registry URL "http:\/\/127\.0\.0\.1:9\/registry#top" in "passport_registry": remove the fragment/,
    'a fragment');
conf_error('passport_registry http://user:pw@127.0.0.1:9/registry;',
    qr/\[emerg\] .*in "passport_registry": remove the credentials.*goes in passport_registry_token_file/,
    'credentials');
conf_error('passport_registry_breaker 0 10s;',
    qr/\[emerg\] .*"passport_registry_breaker": invalid number of failures "0": use 1 to 1000/,
    'a breaker without failures');
conf_error('passport_registry_token_file empty;',
    qr/\[emerg\] .*"passport_registry_token_file": token file ".*empty" must hold one non-empty line/,
    'an empty token file');

# --- the locations

my $url = 'http://127.0.0.1:%%PORT_registry%%/registry';
my $furl = 'http://127.0.0.1:%%PORT_fault%%/registry';

sub loc {
    my ($path, $registry, @more) = @_;
    return "        location $path {\n            passport on;\n"
         . "            passport_registry $registry;\n"
         . join('', map { "            $_;\n" } @more)
         . "            proxy_pass http://127.0.0.1:%%PORT_backend%%;\n        }\n";
}

$t->config(<<"EOF");
    passport_cache_zone z:1m;

    server {
        listen 127.0.0.1:%%PORT_main%%;
        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_registry_breaker 1000 1s;

@{[ loc('/a', $url, 'passport_registry_token_file token-a') ]}
@{[ loc('/a2', $url, 'passport_registry_token_file token-a') ]}
@{[ loc('/b', $url, 'passport_registry_token_file token-b') ]}
@{[ loc('/ca', $url, 'passport_registry_token_file token-a', 'passport_cache z') ]}
@{[ loc('/ca2', $url, 'passport_registry_token_file token-a', 'passport_cache z') ]}
@{[ loc('/cb', $url, 'passport_registry_token_file token-b', 'passport_cache z') ]}
@{[ loc('/f1', $furl, 'passport_registry_breaker 2 10s') ]}
@{[ loc('/f2', $furl) ]}
@{[ loc('/f3', $furl, 'passport_registry_breaker 2 10s') ]}
        location /purge {
            passport_registry $url;
            passport_cache z;
            passport_cache_purge;
        }
    }
EOF
$t->run;

sub listing {
    my $s = shift;
    return $json->encode({ seller_id => $s,
                           items => [ { trace_code => "(01)08934673577038(21)$s" } ] });
}
sub post { PassportTest::Registry::post_json($t, $_[0], listing($_[1])) }
sub begin {
    my ($path, $s) = @_;
    return $t->request_begin(method => 'POST', path => $path, body => listing($s),
                             headers => [ 'Content-Type' => 'application/json' ]);
}

# entity lookups of $id the registry received, with that token if given
sub asked {
    my ($id, $token) = @_;
    return scalar grep {
        $_->{path} eq "/registry/entities/$id"
            && (!defined $token || ($_->{headers}{authorization} // '') eq "Bearer $token")
    } $reg->requests;
}
sub errors { [ PassportTest::Registry::errors_of($_[0]) ] }

# --- in flight: another token is another lookup, the same settings share

$t->write_file('tmp/slow', '');

my $ha = begin('/a', $S{flight});
ok($t->wait_for(sub { asked($S{flight}) }, 5), 'in flight: /a asks the registry');
my $hb = begin('/b', $S{flight});
my ($ra, $rb) = ($t->request_end($ha), $t->request_end($hb));
is($ra->{status}, 200, 'in flight: /a (token-a) passes') or diag $ra->{body};
is($rb->{status}, 422, "in flight: /b (token-b) does not get /a's answer");
is_deeply(errors($rb), [ 'SELLER_INACTIVE /seller_id' ], '... it gets its own: suspended');
is(asked($S{flight}, 'token-a'), 1, 'in flight: one lookup with token-a');
is(asked($S{flight}, 'token-b'), 1, 'in flight: one lookup with token-b');

$ha = begin('/a', $S{same});
ok($t->wait_for(sub { asked($S{same}) }, 5), 'same settings: /a asks the registry');
my $ha2 = begin('/a2', $S{same});
($ra, my $ra2) = ($t->request_end($ha), $t->request_end($ha2));
is($ra->{status}, 200, 'same settings: /a passes') or diag $ra->{body};
is($ra2->{status}, 200, 'same settings: /a2 passes') or diag $ra2->{body};
is(asked($S{same}), 1, 'same settings in two locations: one request for both');

unlink $slow;

# --- the cache: entries belong to one object

my $s = $S{cache};
is(post('/ca', $s)->{status}, 200, 'cache: /ca passes');
is(asked($s, 'token-a'), 1, 'cache: /ca asked with token-a');
my $r = post('/cb', $s);
is($r->{status}, 422, "cache: /cb is not answered from /ca's entry");
is_deeply(errors($r), [ 'SELLER_INACTIVE /seller_id' ], '... it asked with token-b: suspended');
is(asked($s, 'token-b'), 1, 'cache: /cb asked with token-b');
is(post('/ca', $s)->{status}, 200, 'cache: /ca again passes');
is(post('/cb', $s)->{status}, 422, 'cache: /cb again is blocked');
is(post('/ca2', $s)->{status}, 200, 'cache: /ca2, the settings of /ca, passes');
is(asked($s), 2, "cache: each answered from its object's entry, /ca2 from /ca's");

# --- purge: every object with that zone and URL

$r = $t->request(method => 'DELETE', path => "/purge?entity=$s");
is($r->{status}, 200, 'purge: 200');
is_deeply($r->{json}, { removed => JSON::PP::true,
                        key => "http://127.0.0.1:" . $t->port('registry') . "/registry/entities/$s" },
          'purge: removed, the key is the lookup URL');
is(post('/ca', $s)->{status}, 200, 'after the purge: /ca passes');
is(asked($s, 'token-a'), 2, "after the purge: /ca's entry was gone, it asked again");
is(post('/cb', $s)->{status}, 422, 'after the purge: /cb is blocked');
is(asked($s, 'token-b'), 2, "after the purge: /cb's entry was gone too, it asked again");

# --- reload: the same settings find their entries, a new token has none

$t->reload;
is(post('/ca', $s)->{status}, 200, 'reload: /ca passes');
is(post('/cb', $s)->{status}, 422, 'reload: /cb is blocked');
is(asked($s), 4, 'reload with the same settings: both answered from the cache');

$t->write_file('conf/token-a', "token-a2\n");
$t->reload;
is(post('/ca', $s)->{status}, 200, 'a new token: /ca passes');
is(asked($s, 'token-a2'), 1, 'a new token: an empty cache for that object, it asked');
is(post('/cb', $s)->{status}, 422, 'a new token elsewhere: /cb is blocked');
is(asked($s, 'token-b'), 2, "a new token elsewhere: /cb's entry is still used");

# --- the breaker: thresholds and state per object

my $fl = $S{fault};
is(post('/f1', $fl)->{status}, 503, 'breaker: /f1 fails');
my $n = $fault->nreq;
is($n, 2, 'breaker: /f1 made two failed lookups, its breaker (2) opens');
$r = post('/f1', $fl);
is($r->{status}, 503, 'breaker: /f1 again 503');
like($r->{headers}{'retry-after'} // '', qr/^(?:[1-9]|10)$/, "breaker: Retry-After from /f1's cool-down");
is($fault->nreq, $n, 'breaker: /f1 fails fast');
is(post('/f3', $fl)->{status}, 503, 'breaker: /f3, the settings of /f1, 503');
is($fault->nreq, $n, "breaker: /f3 shares /f1's open breaker");
post('/f2', $fl);
is($fault->nreq, $n + 2, 'breaker: /f2, other thresholds, has its own breaker: it asks');
post('/f2', $fl);
is($fault->nreq, $n + 4, 'breaker: /f2 asks again, its threshold is 1000');

$t->stop;
$t->error_log_clean(allow => [ qr/passport: registry lookup .* failed/,
                               qr/passport: registry ".*" failed \d+ times in a row/ ]);

done_testing;
