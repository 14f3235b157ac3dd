#!/usr/bin/perl
# The cache shared by several workers (worker_processes 2, reuseport so that
# the kernel spreads the connections over both): concurrent listings of one
# cold key make one registry request per key, whichever worker they reach,
# and when that fetch fails each worker asks once more at most; a tiny zone
# (32k) with 500 distinct sellers evicts the least recently used records,
# keeps answering and logs no allocation alert; a 64k zone holds at least
# 200 code records (packed records in 256-byte slab chunks: the zone
# memory of docs/benchmarks.md); nginx -s reload keeps the
# records of a zone whose name and size stay, and starts an empty zone
# without errors when the size changes.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;
use PassportTest::Cache qw(tax_codes open_registry_routes log_format_conf access_lines);

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

# a fault registry (files + control), and one that knows everybody
my $slow = PassportTest::Registry->new($t, port => 'slow', control => 'tmp/slow.json');
my $open = $t->backend('open', routes => open_registry_routes());
# and one whose code records name two authorized sellers, as most do
my $fillreg = $t->backend('fillreg', routes => open_registry_routes(
    authorized => [ tax_codes(2, prefix => '03', from => 9000) ]));

my @S = tax_codes(520, prefix => '03', from => 7000);
my @cold = @S[0 .. 3];      # for the coalescing rounds
my @many = @S[10 .. 509];   # for the eviction
$slow->entity($_, 'active') for @cold, $S[4];
$slow->code("01/08934673577038/21/C$_", owner => '0100109106', authorized_sellers => \@S) for 0 .. 4;
$slow->server;

sub conf {
    my (%o) = @_;
    my $size = $o{size} // '1m';
    return <<"EOF2";
@{[ log_format_conf('cache') ]}
    passport_cache_zone shared:$size;
    passport_cache_zone tiny:32k;
    passport_cache_zone fill:64k;

    server {
        listen 127.0.0.1:%%PORT_main%% reuseport;
        access_log %%PREFIX%%/logs/cache.log cache;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_registry_timeout 5s;        # > the registry's 1 s delay: bounds the wait
        passport_registry_breaker 1000 1s;
        proxy_set_header X-Passport-Verdict \$passport_verdict;
        add_header X-Passport-Cache \$passport_cache_status always;

        location /shared {
            passport on;
            passport_cache shared;
            passport_registry http://127.0.0.1:%%PORT_slow%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /tiny {
            passport on;
            passport_cache tiny;
            passport_registry http://127.0.0.1:%%PORT_open%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /fill {
            passport on;
            passport_cache fill;
            passport_registry http://127.0.0.1:%%PORT_fillreg%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2
}
$t->config(conf(), workers => 2)->run;
is(scalar($t->worker_pids), 2, 'two workers');

sub listing {
    my ($seller, @codes) = @_;
    return $json->encode({ seller_id => $seller, items => [ map { { trace_code => $_ } } @codes ] });
}
sub post { PassportTest::Registry::post_json($t, @_) }
sub cache_of { $_[0]{headers}{'x-passport-cache'} // '' }
sub errors { [ sort(PassportTest::Registry::errors_of($_[0])) ] }
sub quiet { select(undef, undef, undef, 0.3) }

# N concurrent listings: all sent before any answer is read.
sub concurrent {
    my ($n, $path, $body) = @_;
    my @h = map { $t->request_begin(method => 'POST', path => $path, body => $body,
                                    headers => [ 'Content-Type' => 'application/json' ], timeout => 20) } 1 .. $n;
    return map { $t->request_end($_) } @h;
}

# --- coalescing: 30 concurrent listings of one cold key, registry delay 1 s
#
# Bound: exactly one registry request per key.  The first worker to miss
# locks the key in the zone and fetches it; the other worker polls the zone
# every 50 ms (at most passport_registry_timeout, here 5 s, then it would
# fetch itself) and within a worker concurrent lookups are shared anyway.

$slow->control(all => { delay => 1 });
for my $round (0 .. 1) {
    my $seller = $cold[$round];
    my $code = "01/08934673577038/21/C$round";
    my $from = () = access_lines($t, 'logs/cache.log');
    my @r = concurrent(30, '/shared', listing($seller, "(01)08934673577038(21)C$round"));
    is(scalar(grep { ($_->{status} // 0) == 200 } @r), 30, "round $round: all 30 concurrent listings pass")
        or diag explain [ map { "$_->{status} " . ($_->{error} // '') } @r ];
    is($slow->nreq(qr{^/registry/entities/$seller$}), 1, "round $round: the registry saw one request for the seller");
    is($slow->nreq(qr{^/registry/codes/\Q${\ PassportTest::Registry::seg_encode($code)}\E$}), 1,
        "round $round: the registry saw one request for the code");
    my @l = (access_lines($t, 'logs/cache.log'))[$from .. $from + 29];
    my %pids = map { $_->{pid} => 1 } grep { defined } @l;
    is(scalar keys %pids, 2, "round $round: both workers served some of them") or diag explain \%pids;
    my %st;
    $st{ $_->{cache} }++ for grep { defined } @l;
    ok(!grep({ !/^(?:HIT|MISS)$/ } keys %st), "round $round: each is a MISS (fetched or shared) or a HIT (waited)")
        or diag explain \%st;
}

# the fetch fails: the waiting worker then fetches itself, so at most one
# request per worker (2) for the key
$slow->control(all => { delay => 1, status => 500, body => 'down' });
{
    my $seller = $cold[2];
    my @r = concurrent(30, '/shared', listing($seller, '(01)08934673577038(21)C2'));
    is(scalar(grep { ($_->{status} // 0) == 503 } @r), 30, 'failing registry: all 30 get 503');
    my $n = $slow->nreq(qr{^/registry/entities/$seller$});
    ok($n >= 1 && $n <= 2, 'failing registry: at most one request per worker for the seller') or diag "$n requests";
}
$slow->control;

# --- eviction: a 32k zone, 500 distinct sellers, each with a code of its own

my $bad = 0;
my $nreq0 = $open->requests;
for (my $i = 0; $i < @many; $i += 25) {
    my @batch = @many[$i .. $i + 24];
    my @h = map { $t->request_begin(method => 'POST', path => '/tiny',
                      body => listing($_, "(01)08934673577038(21)$_"),
                      headers => [ 'Content-Type' => 'application/json' ]) } @batch;
    for my $h (@h) {
        my $r = $t->request_end($h);
        $bad++ unless ($r->{status} // 0) == 200 && cache_of($r) eq 'MISS';
    }
}
is($bad, 0, 'tiny zone: 500 listings of distinct sellers all pass (MISS)');
is($open->requests - $nreq0, 1000, '... 1000 distinct keys were fetched');

# which of the last concurrent batch is still in the zone depends on the
# order the answers came in: ask twice, the second is what was just kept
my $r = post('/tiny', listing($many[-1], "(01)08934673577038(21)$many[-1]"));
$r = post('/tiny', listing($many[-1], "(01)08934673577038(21)$many[-1]"));
is($r->{status}, 200, 'the most recent listing passes');
is(cache_of($r), 'HIT', '... from the cache');
my $first_re = qr{^/registry/entities/$many[0]$};
is(scalar(grep { $_->{path} =~ $first_re } $open->requests), 1, 'the first seller was fetched once so far');
$r = post('/tiny', listing($many[0], "(01)08934673577038(21)$many[0]"));
is($r->{status}, 200, 'the first listing again passes');
is(cache_of($r), 'MISS', '... MISS: its records were evicted');
is(scalar(grep { $_->{path} =~ $first_re } $open->requests), 2, '... and the registry was asked again');
$t->error_log_unlike(qr/could not allocate|no memory|ngx_slab_alloc/, 'no allocation failure logged');
$t->error_log_unlike(qr/\[(?:alert|crit|emerg)\]/, 'no alert, crit or emerg');

# --- zone memory: how many code records a 64k zone holds
#
# 16 pages: one for the slab allocator's own data, one of 64-byte chunks
# (the zone's name), one of 128-byte chunks (the zone's header, the
# seller's record, the fetch locks), 13 of 256-byte chunks: 16 code
# records each, 208.  The raw JSON kept before took a 512-byte chunk per
# code, about 104.  Fill it with 260 codes of one owner, each with two
# authorized sellers, one a listing (so that they are kept in that order),
# then ask for them newest first, one a listing: the first miss ends what
# the zone held (the older ones were evicted, least recently used first).

sub fill_code { "(01)08934673577038(21)F$_[0]" }
{
    my $n = 260;
    my $bad = 0;
    for my $i (0 .. $n - 1) {
        my $r = post('/fill', listing('0100109106', fill_code($i)));
        $bad++ unless ($r->{status} // 0) == 200;
    }
    is($bad, 0, 'zone memory: 260 codes cached, one after the other');
    my $nreq = $fillreg->requests;
    my $held = 0;
    for (my $i = $n - 1; $i >= 0; $i--) {
        my $r = post('/fill', listing('0100109106', fill_code($i)));
        last unless ($r->{status} // 0) == 200 && cache_of($r) eq 'HIT';
        $held++;
    }
    diag("a 64k zone held $held code records");
    ok($held >= 200, 'zone memory: a 64k zone holds at least 200 code records')
        or diag "$held records";
    is($fillreg->requests - $nreq, $held < $n ? 1 : 0, '... all HIT until the first miss');
}

# --- reload keeps the records (same name, same size)

my $warm = listing($S[4], '(01)08934673577038(21)C4');
$r = post('/shared', $warm);
is($r->{status}, 200, 'reload: warm-up passes');
is(post('/shared', $warm)->{headers}{'x-passport-cache'}, 'HIT', '... cached');
my $nw = $slow->nreq;
my @old = $t->worker_pids;
$t->mark_log;
ok(eval { $t->reload; 1 }, 'nginx -s reload with the same configuration') or diag $@;
ok(!grep({ my $p = $_; grep { $_ == $p } $t->worker_pids } @old), '... new workers');
my @st = map { cache_of(post('/shared', $warm)) } 1 .. 6;
is_deeply(\@st, [ ('HIT') x 6 ], '... the records are still there: HIT from the new workers');
quiet();
is($slow->nreq, $nw, '... no registry request after the reload');
$r = post('/tiny', listing($many[-1], "(01)08934673577038(21)$many[-1]"));
is(cache_of($r), 'HIT', '... the tiny zone kept its records too');
$t->error_log_clean(since_mark => 1, name => 'reload: error log clean');

# --- reload with a new size: an empty zone, no errors

$t->config(conf(size => '2m'), workers => 2);
$t->mark_log;
ok(eval { $t->reload; 1 }, 'nginx -s reload with a new zone size succeeds') or diag $@;
$r = post('/shared', $warm);
is($r->{status}, 200, '... listing passes');
is(cache_of($r), 'MISS', '... MISS: the new zone starts empty');
is($slow->nreq, $nw + 2, '... the registry was asked for the seller and the code');
$r = post('/shared', $warm);
is(cache_of($r), 'HIT', '... then HIT');
is($slow->nreq, $nw + 2, '... without another request');
is(cache_of(post('/tiny', listing($many[-1], "(01)08934673577038(21)$many[-1]"))), 'HIT',
    '... the unchanged tiny zone kept its records');
$t->error_log_clean(since_mark => 1, name => 'reload with a new size: error log clean');

$t->stop;
$t->error_log_unlike(qr/exited on signal/, 'no worker crashed');
$t->error_log_clean(allow => [ qr/passport: registry lookup .* failed/ ]);

done_testing;
