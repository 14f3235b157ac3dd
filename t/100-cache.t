#!/usr/bin/perl
# The shared-memory cache of registry answers, one worker: nginx -t for
# passport_cache_zone, passport_cache and passport_cache_purge; a warm
# listing makes no registry request (counted at the registry); expiry by
# valid, by not_found and by Cache-Control max-age, no-store/no-cache and
# registry errors are never kept; a failing registry is stood in for by
# stale records within "stale" (warn line once per key) and past it the
# passport_on_registry_error policy applies; purge pushes a recall through
# at once and takes any GS1 form of a code; $passport_cache_status.
# Expiry is observed by polling the registry (bounded), never timed.
# Several workers, eviction and reload: t/110-cache-workers.t.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;
use PassportTest::Cache qw(tax_codes log_format_conf access_lines);

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

# --- registries: one served by nginx from files (counted in its access
# log), three PassportTest::Server ones answering from the same files and
# steered by their own control files

my $reg = PassportTest::Registry->new($t, port => 'registry');
my $fv = PassportTest::Registry->new($t, port => 'fv', control => 'tmp/fv.json');    # expiry
my $fs = PassportTest::Registry->new($t, port => 'fs', control => 'tmp/fs.json');    # stale
my $fp = PassportTest::Registry->new($t, port => 'fp', control => 'tmp/fp.json');    # past stale

# sellers of their own for each section, so that one cannot warm another's
my @S = tax_codes(30, prefix => '03', from => 4200);
my %S;
@S{qw(main main2 purge valid nf cc ccno st st2 past err)} = @S;
my ($U_valid, $U_nf) = @S[20, 21];    # never registered (not in %S): 404
$reg->entity($_, 'active') for values %S;
my $LEI = '5493001KJTIIGC8Y1R12';
$reg->entity($LEI, 'active');

sub code_of { "01/08934673577038/21/$_[0]" }         # canonical code of a serial
sub gs1_of  { "(01)08934673577038(21)$_[0]" }        # as a seller writes it
$reg->code(code_of($_), owner => '0100109106', authorized_sellers => [ @S, $LEI ])
    for qw(MAIN V1 NF1 CC1 CCNOSTORE CCNOCACHE CCZERO ST1 PAST1 ERR1 LEI1);
$reg->code('01/09506000134352', owner => '0100109106', authorized_sellers => \@S);
$fv->server;
$fs->server;
$fp->server;
$t->port('closed');    # nobody listens there

# --- nginx -t

sub conf_test {
    my ($http, $loc) = @_;
    $t->config(<<"EOF2");
    $http
    server {
        listen 127.0.0.1:%%PORT_main%%;
        location /listings {
            passport on;
            passport_item_code /trace_code;
            passport_registry http://127.0.0.1:%%PORT_registry%%/registry;
            $loc
            root %%PREFIX%%/html;
        }
    }
EOF2
    return $t->test_config;
}

my @good = (
    [ 'passport_cache_zone z:1m;', 'passport_cache z;', 'a zone and its use' ],
    [ 'passport_cache_zone z:1m valid=5m not_found=30s stale=2h;', 'passport_cache z;', 'every zone parameter' ],
    [ 'passport_cache_zone z:32k;', 'passport_cache z;', 'the smallest zone, 8 pages' ],
    [ 'passport_cache z; passport_cache_zone z:1m;', '', 'passport_cache at http level, before the zone' ],
    [ 'passport_cache_zone z:1m;', 'passport_cache off;', 'passport_cache off' ],
    [ 'passport_cache_zone z:1m valid=0 stale=0;', 'passport_cache z;', 'valid=0 stale=0' ],
    [ 'passport_cache_zone z:1m;', 'passport_cache z; passport_cache_purge;', 'passport_cache_purge' ],
);
for my $c (@good) {
    my ($rc, $out) = conf_test(@$c[0, 1]);
    is($rc, 0, "nginx -t: $c->[2]") or diag $out;
}

my @bad = (
    [ 'passport_cache_zone z:16k;', 'passport_cache z;', qr/\[emerg\].*invalid zone size/, 'a zone under 32k' ],
    [ 'passport_cache_zone z:abc;', 'passport_cache z;', qr/\[emerg\].*invalid zone size/, 'a size that is not one' ],
    [ 'passport_cache_zone z;', 'passport_cache z;', qr/\[emerg\].*NAME:SIZE/, 'a zone without a size' ],
    [ 'passport_cache_zone :1m;', '', qr/\[emerg\].*NAME:SIZE/, 'a zone without a name' ],
    [ 'passport_cache_zone z:1m valid=soon;', 'passport_cache z;', qr/\[emerg\].*invalid time/, 'valid=soon' ],
    [ 'passport_cache_zone z:1m stale=-1;', 'passport_cache z;', qr/\[emerg\].*invalid time/, 'stale=-1' ],
    [ 'passport_cache_zone z:1m inactive=1m;', 'passport_cache z;', qr/\[emerg\].*invalid parameter "inactive=1m"/, 'an unknown parameter' ],
    [ 'passport_cache_zone z:1m; passport_cache_zone z:2m;', 'passport_cache z;', qr/\[emerg\].*(?:duplicate zone|already)/, 'a zone defined twice' ],
    [ '', 'passport_cache nowhere;', qr/\[emerg\].*zero size shared memory zone "nowhere"/, 'an undefined zone' ],
    [ 'passport_cache_zone z:1m;', 'passport_cache z; passport_cache z;', qr/\[emerg\].*"passport_cache" directive is duplicate/, 'passport_cache twice' ],
    [ 'passport_cache_zone z:1m;', 'passport_cache z x;', qr/\[emerg\].*invalid number of arguments/, 'passport_cache with two arguments' ],
    [ 'server { listen 127.0.0.1:%%PORT_other%%; passport_cache_zone z:1m; }', '',
      qr/\[emerg\].*"passport_cache_zone" directive is not allowed here/, 'passport_cache_zone in a server' ],
    [ 'passport_cache_zone z:1m;', 'passport_cache_purge;',
      qr/\[emerg\].*"passport_cache_purge" needs "passport_cache" and "passport_registry"/, 'purge without passport_cache' ],
    [ 'passport_cache_zone z:1m;', 'passport_cache z; passport_cache_purge x;',
      qr/\[emerg\].*invalid number of arguments/, 'passport_cache_purge with an argument' ],
    [ 'passport_cache_zone z:1m; passport_cache_purge;', '',
      qr/\[emerg\].*"passport_cache_purge" directive is not allowed here/, 'passport_cache_purge at http level' ],
);
for my $c (@bad) {
    my ($rc, $out) = conf_test(@$c[0, 1]);
    isnt($rc, 0, "nginx -t fails: $c->[3]");
    like($out, $c->[2], "... with the message") or diag $out;
}
{   # purge in a location without a registry
    $t->config(<<'EOF2');
    passport_cache_zone z:1m;
    server {
        listen 127.0.0.1:%%PORT_main%%;
        location /purge { passport_cache z; passport_cache_purge; }
    }
EOF2
    my ($rc, $out) = $t->test_config;
    isnt($rc, 0, 'nginx -t fails: purge without passport_registry');
    like($out, qr/\[emerg\].*"passport_cache_purge" needs "passport_cache" and "passport_registry"/, '... with the message');
}

# --- the server under test

my $be_url = 'http://127.0.0.1:%%PORT_backend%%';
sub loc {    # a checked location: zone, registry port name, more directives
    my ($name, $zone, $port, $more) = @_;
    return <<"EOF2";
        location /$name {
            passport on;
            @{[ defined $zone ? "passport_cache $zone;" : '' ]}
            passport_registry http://127.0.0.1:%%PORT_$port%%/registry;
            @{[ $more // '' ]}
            proxy_pass $be_url;
        }
EOF2
}

$t->config(<<"EOF2")->run;
@{[ $reg->nginx_conf ]}
@{[ log_format_conf('cache') ]}
    passport_cache_zone main:1m;                                     # the defaults
    passport_cache_zone valid2:1m valid=2s not_found=10m;
    passport_cache_zone nf2:1m valid=10m not_found=2s;
    passport_cache_zone cc:1m valid=10m not_found=10m;
    passport_cache_zone stale:1m valid=1s stale=1h;
    passport_cache_zone past:1m valid=1s stale=2s;

    server {
        listen 127.0.0.1:%%PORT_main%%;
        access_log %%PREFIX%%/logs/cache.log cache;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_cache main;                          # server level, inherited
        proxy_set_header X-Passport-Verdict \$passport_verdict;
        proxy_set_header X-Passport-Reasons \$passport_reasons;
        proxy_set_header X-Passport-Cache \$passport_cache_status;
        add_header X-Passport-Cache \$passport_cache_status always;

@{[ loc('main', undef, 'registry') ]}
@{[ loc('main2', undef, 'fv') ]}
@{[ loc('nocache', 'off', 'registry') ]}
@{[ loc('nocache-down', 'off', 'closed', 'passport_registry_breaker 1 10s;') ]}
@{[ loc('valid2', 'valid2', 'fv') ]}
@{[ loc('nf2', 'nf2', 'fv') ]}
@{[ loc('cc', 'cc', 'fv', 'passport_registry_breaker 1000 1s;') ]}
@{[ loc('stale', 'stale', 'fs', 'passport_registry_breaker 5 1s;') ]}
@{[ loc('past', 'past', 'fp', 'passport_registry_breaker 1000 1s;') ]}
        location /purge {
            passport_registry http://127.0.0.1:%%PORT_registry%%/registry;
            passport_cache_purge;
        }
        location /plain {
            proxy_pass $be_url;
        }
    }
EOF2

sub post { PassportTest::Registry::post_json($t, @_) }
sub seen { ($be->requests)[-1] }
sub cache_of { $_[0]{headers}{'x-passport-cache'} // '' }    # add_header sends no empty header
sub listing {
    my ($seller, @codes) = @_;
    return $json->encode({ seller_id => $seller, items => [ map { { trace_code => $_ } } @codes ] });
}
sub errors { [ sort(PassportTest::Registry::errors_of($_[0])) ] }
sub purge { my $q = shift; return $t->request(method => 'DELETE', path => "/purge?$q") }
my $eurl = sub { $reg->entity_url($_[0]) };
my $curl = sub { $reg->code_url($_[0]) };
sub quiet { select(undef, undef, undef, 0.3) }    # let a stray request show up, if any

# --- a warm listing makes no registry request

my $main = listing($S{main}, gs1_of('MAIN'));
my $n0 = $reg->count;
my $r = post('/main', $main);
is($r->{status}, 200, 'cold listing passes') or diag $r->{body};
is(cache_of($r), 'MISS', '... $passport_cache_status MISS');
is(seen()->{headers}{'x-passport-cache'}, 'MISS', '... also proxied to the backend');
ok($t->wait_for(sub { $reg->count == $n0 + 2 }, 5), '... the registry was asked for the seller and the code');

for my $i (1 .. 3) {
    $r = post('/main', $main);
    is($r->{status}, 200, "warm listing $i passes");
    is(cache_of($r), 'HIT', "... HIT");
    is(seen()->{headers}{'x-passport-verdict'}, 'pass', '... verdict pass');
}
quiet();
is($reg->count, $n0 + 2, 'three warm listings made zero registry requests');

# the key is the normalised ID and the canonical code
$r = post('/main', listing(" \L$S{main}\E ", '0108934673577038' . '21MAIN'));
is($r->{status}, 200, 'same seller and code written differently passes');
is(cache_of($r), 'HIT', '... from the cache');
quiet();
is($reg->count, $n0 + 2, '... with zero registry requests');

# the key holds the registry base: another registry does not share records
my $nf = $fv->nreq;
$r = post('/main2', $main);
is($r->{status}, 200, 'same listing, same zone, other registry: passes');
is(cache_of($r), 'MISS', '... MISS');
is($fv->nreq, $nf + 2, '... that registry was asked for both');
$r = post('/main2', $main);
is(cache_of($r), 'HIT', '... then HIT');

# weakest over the request's lookups: a cached seller with a new code is MISS
$n0 = $reg->count;
$r = post('/main', listing($S{main}, '9506000134352'));
is($r->{status}, 200, 'cached seller, new code: passes');
is(cache_of($r), 'MISS', '... MISS (the weakest of HIT and MISS)');
is($reg->count, $n0 + 1, '... only the code was asked for');

# --- BYPASS

$r = post('/nocache', $main);
is($r->{status}, 200, 'passport_cache off: passes');
is(cache_of($r), 'BYPASS', '... BYPASS');
is(seen()->{headers}{'x-passport-cache'}, 'BYPASS', '... proxied as BYPASS');
for my $i (1 .. 2) {    # the second finds the breaker open
    $r = post('/nocache-down', $main);
    is($r->{status}, 503, "passport_cache off, registry down ($i): 503");
    is(cache_of($r), 'BYPASS', '... BYPASS');
}
$r = post('/main', listing('0100109100', '1234567890129'));
is($r->{status}, 422, 'nothing to look up (seller and code invalid): 422');
is(cache_of($r), 'BYPASS', '... BYPASS: no lookup was made');
$r = post('/plain', $main);
is($r->{status}, 200, 'a location without passport');
is(cache_of($r), '', '... leaves $passport_cache_status empty, like the other variables');

# --- expiry by valid (valid=2s not_found=10m)

# Each expiry case: the record is HIT at some point (bounded wait), then a
# repeat makes the registry see a new request (bounded wait, 10 s).
sub warm_then_expire {
    my ($path, $body, $f, $re, $name) = @_;
    my $n = $f->nreq($re);
    my $r = post($path, $body);
    is($f->nreq($re), $n + 1, "$name: first listing asks the registry");
    is(cache_of($r), 'MISS', "$name: ... MISS");
    ok($t->wait_for(sub { cache_of(post($path, $body)) eq 'HIT' }, 10), "$name: a repeat is a HIT");
    my $n1 = $f->nreq($re);
    ok($n1 <= $n + 2, "$name: ... at most one refetch before it") or diag "$n1 requests";
    ok($t->wait_for(sub { post($path, $body); $f->nreq($re) > $n1 }, 10),
        "$name: the record expires, the registry is asked again");
    return $r;
}

my $v = listing($U_valid, gs1_of('V1'));
$r = warm_then_expire('/valid2', $v, $fv, qr{/codes/.*V1$}, 'valid=2s, found code');
is_deeply(errors($r), [ 'SELLER_NOT_REGISTERED /seller_id' ], 'valid2: unregistered seller, registered code');
is($fv->nreq(qr{/entities/$U_valid$}), 1, 'valid=2s not_found=10m: the 404 was asked for once only');

my $nfl = listing($U_nf, gs1_of('NF1'));
warm_then_expire('/nf2', $nfl, $fv, qr{/entities/$U_nf$}, 'not_found=2s, 404 seller');
is($fv->nreq(qr{/codes/.*NF1$}), 1, 'not_found=2s valid=10m: the found code was asked for once only');
is(cache_of(post('/nf2', $nfl)) =~ /^(?:HIT|MISS)$/ ? $fv->nreq(qr{/codes/.*NF1$}) : -1, 1,
    '... and is still not asked for again');

# --- Cache-Control from the registry (zone valid=10m)

sub answer {    # a fault-registry action: the record with extra headers
    my ($code, $cc) = @_;
    return { status => 200, headers => { 'Content-Type' => 'application/json', 'Cache-Control' => $cc },
             body => $json->encode({ code => $code, status => 'active', owner => '0100109106',
                                     authorized_sellers => \@S, origin => 'VN' }) };
}
$fv->control(ids => {
    code_of('CC1')       => answer(code_of('CC1'), 'public, max-age=2'),
    code_of('CCNOSTORE') => answer(code_of('CCNOSTORE'), 'no-store'),
    code_of('CCNOCACHE') => answer(code_of('CCNOCACHE'), 'private, no-cache'),
    code_of('CCZERO')    => answer(code_of('CCZERO'), 'max-age=0'),
});
my $cc = listing($S{cc}, gs1_of('CC1'));
$r = warm_then_expire('/cc', $cc, $fv, qr{/codes/.*CC1$}, 'max-age=2 overrides valid=10m');
is($r->{status}, 200, 'Cache-Control max-age=2: passes');
is($fv->nreq(qr{/entities/$S{cc}$}), 1, '... the seller (no Cache-Control, valid=10m) was asked for once');

for my $c ([ 'CCNOSTORE', 'no-store' ], [ 'CCNOCACHE', 'private, no-cache' ], [ 'CCZERO', 'max-age=0' ]) {
    my ($serial, $cc) = @$c;
    my $re = qr{/codes/.*\Q$serial\E$};
    my $n = $fv->nreq($re);
    my @st;
    for (1 .. 3) {
        $r = post('/cc', listing($S{ccno}, gs1_of($serial)));
        is($r->{status}, 200, "Cache-Control: $cc: passes");
        push @st, cache_of($r);
    }
    is($fv->nreq($re), $n + 3, "Cache-Control: $cc: each listing asks the registry (not stored)");
    is_deeply(\@st, [ ('MISS') x 3 ], '... MISS each time');
}
$fv->control;

# registry errors are never cached
$fv->control(ids => { code_of('ERR1') => { status => 500, body => 'boom' } });
my $err = listing($S{err}, gs1_of('ERR1'));
my $ne = $fv->nreq(qr{/codes/.*ERR1$});
for my $i (1 .. 2) {
    $r = post('/cc', $err);
    is($r->{status}, 503, "registry error $i: 503");
    is_deeply(errors($r), [ 'REGISTRY_UNAVAILABLE /items/0/trace_code' ], '... REGISTRY_UNAVAILABLE on the code');
    is(cache_of($r), 'MISS', '... MISS');
    is($fv->nreq(qr{/codes/.*ERR1$}), $ne + $i, '... the registry was asked (the error was not kept)');
}
$fv->control;
$r = post('/cc', $err);
is($r->{status}, 200, 'the registry answers again: passes at once');
is(cache_of(post('/cc', $err)), 'HIT', '... and the answer is kept');

# --- registry down after warm-up: stale records decide within "stale"

# zone stale: valid=1s stale=1h, breaker 5 failures / 1 s.  The seller's
# answer says max-age=600, so it stays fresh and only the code goes stale.
my $sent = sub {
    my $id = shift;
    return { status => 200, headers => { 'Content-Type' => 'application/json', 'Cache-Control' => 'max-age=600' },
             body => $json->encode({ id => $id, status => 'active', name => "Company $id", country => 'VN' }) };
};
my $st = listing($S{st}, gs1_of('ST1'));
my $st_curl = $fs->code_url(code_of('ST1'));
$fs->control(ids => { $S{st} => $sent->($S{st}) });
$r = post('/stale', $st);
is($r->{status}, 200, 'stale: warm-up passes') or diag $r->{body};
is(cache_of($r), 'MISS', '... MISS');

$fs->control(all => { status => 503, body => 'down' }, ids => { $S{st} => $sent->($S{st}), $S{st2} => $sent->($S{st2}) });
$t->mark_log;
my $nst = $fs->nreq(qr{/codes/});
$r = $t->wait_for(sub { my $x = post('/stale', $st); cache_of($x) eq 'STALE' ? $x : undef }, 10);
ok($r, 'registry down: once the code expired, the listing is decided from the stale record');
$r ||= {};
is($r->{status}, 200, '... 200');
is(seen()->{headers}{'x-passport-verdict'}, 'pass', '... verdict pass');
is(seen()->{headers}{'x-passport-cache'}, 'STALE', '... $passport_cache_status STALE (seller HIT, code STALE)');
ok($fs->nreq(qr{/codes/}) > $nst, '... after a failed fetch of the code');
ok($t->wait_for(sub { $t->log_since_mark =~ /\[error\].*passport: registry lookup "\Q$st_curl\E" failed/ }, 2),
    '... the failed lookup is logged at error');

# MISS beats STALE: a new seller (fetched) with the stale code
$r = post('/stale', listing($S{st2}, gs1_of('ST1')));
is($r->{status}, 200, 'new seller, stale code: passes');
is(cache_of($r), 'MISS', '... MISS (MISS beats STALE)');

# more listings: still decided; the breaker opens after 5 failures and the
# stale record still decides
for my $i (1 .. 6) {
    $r = post('/stale', $st);
    is($r->{status}, 200, "stale listing $i: passes");
    is(cache_of($r), 'STALE', '... STALE');
}
ok($t->wait_for(sub { $t->log_since_mark =~ /passport: registry "[^"]*" failed 5 times in a row/ }, 2),
    'the circuit breaker opened');
$r = post('/stale', $st);
is($r->{status}, 200, 'breaker open: the stale record still decides');
is(cache_of($r), 'STALE', '... STALE');
my @warn = grep { /\[warn\].*passport: registry lookup "\Q$st_curl\E" failed, deciding with a stale record/ }
    split /\n/, $t->log_since_mark;
is(scalar @warn, 1, 'the stale use is logged at warn once for the key') or diag join "\n", @warn;

# the registry comes back: fresh answers again
$fs->control(ids => { $S{st} => $sent->($S{st}) });
ok($t->wait_for(sub { cache_of(post('/stale', $st)) eq 'MISS' }, 10),
    'registry back (after the cool-down): the code is fetched again (MISS)');
is(post('/stale', $st)->{status}, 200, '... and passes');

# --- past "stale" the policy applies (zone past: valid=1s stale=2s)

my $past = listing($S{past}, gs1_of('PAST1'));
$r = post('/past', $past);
is($r->{status}, 200, 'past: warm-up passes');
$fp->control(all => { status => 500, body => 'down' });
my %saw;
$r = $t->wait_for(sub { my $x = post('/past', $past); $saw{ cache_of($x) . ' ' . ($x->{status} // '-') }++;
                        # the seller's and the code's entries were stored
                        # apart and may cross a second apart: wait for both
                        $x->{status} && $x->{status} == 503
                            && @{ errors($x) } == 2 ? $x : undef }, 15);
ok($r, 'registry down past "stale": the listing gets 503') or diag explain \%saw;
$r ||= {};
ok($saw{'STALE 200'}, '... after passing on the stale records while within "stale"') or diag explain \%saw;
is_deeply(errors($r), [ 'REGISTRY_UNAVAILABLE /items/0/trace_code', 'REGISTRY_UNAVAILABLE /seller_id' ],
    '... REGISTRY_UNAVAILABLE for the seller and the code (passport_on_registry_error block)');
ok($r->{headers}{'retry-after'}, '... with Retry-After');
is(cache_of($r), 'MISS', '... MISS');
is(post('/past', $past)->{status}, 503, '... and again');
$fp->control;

# --- purge: a recall at the registry is blocked on the next request

my $pcode = '01/09506000134352';
my $pl = listing($S{purge}, '9506000134352');
$r = post('/main', $pl);
is($r->{status}, 200, 'purge: the code is active and passes');
is(cache_of(post('/main', $pl)), 'HIT', '... and is cached');
$reg->code($pcode, status => 'recalled', owner => '0100109106', authorized_sellers => \@S);
$r = post('/main', $pl);
is($r->{status}, 200, 'recalled at the registry: still passes from the cache before a purge');
is(cache_of($r), 'HIT', '... HIT');

$r = purge('code=(01)09506000134352');
is($r->{status}, 200, 'DELETE /purge?code=(01)...: 200');
like($r->{headers}{'content-type'} // '', qr{^application/json}, '... JSON');
is_deeply($r->{json}, { removed => JSON::PP::true, key => $curl->($pcode) }, '... removed, key is the lookup URL');
$r = post('/main', $pl);
is($r->{status}, 422, 'the next listing is blocked');
is_deeply(errors($r), [ 'CODE_RECALLED /items/0/trace_code' ], '... CODE_RECALLED');
is(cache_of($r), 'MISS', '... MISS');
is(cache_of(post('/main', $pl)), 'HIT', '... and the recall is cached');

# any GS1 form of the code purges the one record
for my $form ('9506000134352', '09506000134352', '(01)09506000134352', '0109506000134352',
              ']C10109506000134352', ']E09506000134352', 'https://id.gs1.org/01/09506000134352',
              'HTTPS://example.com/products/01/09506000134352?17=281231', '01/09506000134352',
              ' 9506000134352 ') {
    (my $q = $form) =~ s/([^A-Za-z0-9\-._~()])/sprintf '%%%02X', ord $1/ge;
    $r = purge("code=$q");
    is($r->{status}, 200, "purge code \"$form\": 200");
    is_deeply($r->{json}, { removed => JSON::PP::true, key => $curl->($pcode) }, '... removed the record')
        or diag $r->{body};
    $r = purge("code=$q");
    is_deeply($r->{json}, { removed => JSON::PP::false, key => $curl->($pcode) }, '... a second purge: removed false');
    $r = post('/main', $pl);
    is(cache_of($r), 'MISS', '... next listing: MISS');
    is($r->{status}, 422, '... 422');
}

# an entity: any way of writing the ID
$r = post('/main', listing($LEI, gs1_of('LEI1')));
is($r->{status}, 200, 'purge entity: an active LEI passes');
$reg->entity($LEI, 'suspended');
is(post('/main', listing($LEI, gs1_of('LEI1')))->{status}, 200, '... suspended at the registry, still cached');
$r = purge('entity=%20' . lc($LEI) . '%20');
is_deeply($r->{json}, { removed => JSON::PP::true, key => $eurl->($LEI) }, 'purge entity= in lower case with spaces: removed')
    or diag $r->{body};
$r = post('/main', listing($LEI, gs1_of('LEI1')));
is_deeply(errors($r), [ 'SELLER_INACTIVE /seller_id' ], '... next listing: SELLER_INACTIVE');
is(purge("entity=$S{main}")->{json}{removed}, JSON::PP::true, 'purge entity=tax code: removed');
is(purge('entity=0314409058002')->{json}{key}, $eurl->('0314409058-002'), 'a 13-digit branch ID is normalised in the key');

# bad purges
for my $c ([ '', 'no argument' ], [ 'x=1', 'another argument' ], [ 'entity=abc', 'an invalid seller ID' ],
           [ 'entity=', 'an empty entity' ], [ 'code=', 'an empty code' ], [ 'code=%20%20', 'a blank code' ],
           [ 'code=1234567890129', 'a GTIN with a wrong check digit' ]) {
    $r = purge($c->[0]);
    is($r->{status}, 400, "purge with $c->[1]: 400") or diag $r->{body};
    like($r->{headers}{'content-type'} // '', qr{^application/json}, '... JSON');
    ok(ref $r->{json} eq 'HASH' && $r->{json}{error}, '... with an error member');
}
for my $m (qw(GET POST PUT)) {
    $r = $t->request(method => $m, path => "/purge?code=9506000134352", $m eq 'GET' ? () : (body => ''));
    is($r->{status}, 405, "purge with $m: 405");
}
$t->error_log_like(qr/\[notice\].*passport: cache purge "\Q${\ $curl->($pcode)}\E": removed/, 'a purge is logged at notice');

# --- $passport_cache_status in the access log

my @al = access_lines($t, 'logs/cache.log');
my %seen = map { ("$_->{uri} $_->{cache}" => 1) } @al;
ok($seen{"/main $_"}, "access log: /main with $_") for qw(HIT MISS BYPASS);
ok($seen{'/nocache BYPASS'}, 'access log: /nocache with BYPASS');
ok($seen{'/stale STALE'}, 'access log: /stale with STALE');
ok($seen{'/plain '}, 'access log: no passport, empty');

$t->stop;
$t->error_log_unlike(qr/exited on signal/, 'no worker crashed');
$t->error_log_clean(allow => [ qr/passport: registry lookup .* failed/, qr/passport: registry ".*" failed \d+ times in a row/ ]);

done_testing;
