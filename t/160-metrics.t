#!/usr/bin/perl
# passport_metrics: known traffic over two workers (reuseport spreads the
# connections) gives exact counts, summed from the shared zone; the counts
# go on after a reload; every metric has HELP and TYPE, label values are
# escaped (a registry URL with a quote and a backslash), the format passes
# "promtool check metrics" when promtool is installed.  The report push:
# failures are counted, pending records shown, and the recovery is logged
# at notice ("delivered again after N failures").

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $dir = $t->path('backends/regulator');

my $reg = PassportTest::Registry->new($t, port => 'registry');
$reg->entity('0100109106', 'active');
$reg->code('01/08934673577038');

# the regulator: 500 while "fail" exists
my $regulator = $t->backend('regulator', routes => [ [ 'POST', qr{^/ingest$}, sub {
    return { status => 500, body => "down\n" } if -e "$dir/fail";
    return { status => 200, body => "ok\n" };
} ] ]);
open(my $fh, '>', "$dir/fail") or die "$dir/fail: $!";
close $fh;

$t->config(<<'EOF', workers => 2);
    passport_cache_zone reg:1m;
    passport_report_log %%PREFIX%%/logs/reports.log node=m1;
    passport_report_push http://127.0.0.1:%%PORT_regulator%%/ingest
                         interval=200ms batch=100;
@@REGISTRY@@
    server {
        listen 127.0.0.1:%%PORT_main%% reuseport;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_cache reg;
        passport_registry http://127.0.0.1:%%PORT_registry%%/registry;

        location /enforce { passport on; proxy_pass http://127.0.0.1:%%PORT_backend%%; }
        location /flag { passport on; passport_mode flag; proxy_pass http://127.0.0.1:%%PORT_backend%%; }
        location /monitor { passport on; passport_mode monitor; proxy_pass http://127.0.0.1:%%PORT_backend%%; }
        location /check { passport_check; }
        location /down {
            passport on;
            passport_cache off;
            passport_registry "http://127.0.0.1:%%PORT_down%%/a\"b\\c";
            passport_registry_breaker 1 60s;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location = /metrics { passport_metrics; }
    }
EOF
{
    my $c = $t->path('conf/nginx.conf');
    open(my $in, '<', $c) or die;
    my $text = do { local $/; <$in> };
    close $in;
    my $r = $reg->nginx_conf;
    $r =~ s/%%PORT_registry%%/$t->port('registry')/ge;
    $text =~ s/\@\@REGISTRY\@\@/$r/;
    $t->write_file('conf/nginx.conf', $text);
}
$t->port('down');    # nothing listens there
$t->run;
is(scalar($t->worker_pids), 2, 'two workers');

sub listing {
    my ($seller, $code) = @_;
    return $json->encode({ seller_id => $seller, items => [ { trace_code => $code } ] });
}
sub post {
    my ($path, $body) = @_;
    my $r = $t->request(method => 'POST', path => $path, body => $body,
                        headers => [ 'Content-Type' => 'application/json' ]);
    return $r->{status};
}
sub metrics {
    my $r = $t->request(path => '/metrics');
    is($r->{status}, 200, 'GET /metrics: 200');
    like($r->{headers}{'content-type'} // '', qr{^text/plain; version=0\.0\.4},
         '... in the Prometheus text format');
    my %v;
    for (split /\n/, $r->{body}) {
        next if /^#/;
        /^(\S+) (\d+)$/ and $v{$1} = $2;
    }
    return ($r->{body}, \%v);
}

my $good = listing('0100109106', '8934673577038');
my $bad = listing('0100109106', '8934673577039');         # check digit
my $unknown = listing('0314409058', '8934673577038');     # no such seller

is(post('/enforce', $good), 200, "good listing $_") for 1 .. 3;
is(post('/enforce', $bad), 422, "bad code $_") for 1 .. 2;
is(post('/enforce', $unknown), 422, 'unknown seller');
is(post('/flag', $bad), 200, 'flag mode: passes, flagged');
is(post('/monitor', $bad), 200, 'monitor mode: passes');
is(post('/down', $good), 503, 'registry down: 503');
is(post('/check', $bad), 200, 'a self-check');
is(post('/check', $good), 200, 'another');

my ($text, $v) = metrics();

my %want = (
    'passport_requests_total{verdict="pass",mode="enforce"}' => 3,
    'passport_requests_total{verdict="block",mode="enforce"}' => 4,
    'passport_requests_total{verdict="flag",mode="flag"}' => 1,
    'passport_requests_total{verdict="block",mode="monitor"}' => 1,
    'passport_requests_total{verdict="pass",mode="flag"}' => 0,
    'passport_reasons_total{reason="CODE_INVALID"}' => 4,
    'passport_reasons_total{reason="SELLER_NOT_REGISTERED"}' => 1,
    'passport_reasons_total{reason="REGISTRY_UNAVAILABLE"}' => 1,
    'passport_reasons_total{reason="CODE_RECALLED"}' => 0,
    'passport_checks_total{verdict="block"}' => 1,
    'passport_checks_total{verdict="pass"}' => 1,
    'passport_checks_total{verdict="flag"}' => 0,
    "passport_registry_requests_total{registry=\"http://127.0.0.1:@{[$t->port('registry')]}/registry\",result=\"ok\"}" => 2,
    "passport_registry_requests_total{registry=\"http://127.0.0.1:@{[$t->port('registry')]}/registry\",result=\"not_found\"}" => 1,
    "passport_registry_requests_total{registry=\"http://127.0.0.1:@{[$t->port('registry')]}/registry\",result=\"error\"}" => 0,
    "passport_registry_breaker_open{registry=\"http://127.0.0.1:@{[$t->port('registry')]}/registry\"}" => 0,
    "passport_registry_breaker_open{registry=\"http://127.0.0.1:@{[$t->port('down')]}/a\\\"b\\\\c\"}" => 1,
    'passport_cache_misses_total{zone="reg"}' => 3,
    'passport_cache_entries{zone="reg"}' => 3,
    'passport_cache_stale_total{zone="reg"}' => 0,
    'passport_cache_evictions_total{zone="reg"}' => 0,
    'passport_reports_written_total' => 6,
);
for my $k (sort keys %want) {
    is($v->{$k}, $want{$k}, "$k = $want{$k}") or diag $text;
}
my $down = "passport_registry_requests_total{registry=\"http://127.0.0.1:@{[$t->port('down')]}/a\\\"b\\\\c\",result=\"error\"}";
ok(($v->{$down} // 0) >= 1, 'the registry that is down: its errors, label escaped') or diag $text;
ok($v->{'passport_cache_hits_total{zone="reg"}'} >= 6, 'cache hits counted');
ok($t->wait_for(sub { (metrics())[1]{'passport_report_push_failures_total'} }), 'push failures counted');

# HELP and TYPE for every metric, once each, before its samples

my (%help, %type, %seen);
my $order_ok = 1;
for (split /\n/, $text) {
    if (/^# HELP (\S+) \S/) { $help{$1}++; next }
    if (/^# TYPE (\S+) (counter|gauge)$/) { $type{$1}++; next }
    my ($name) = /^([a-z_]+)[{ ]/ or do { fail("a sample line: $_"); next };
    $seen{$name} = 1;
    $order_ok = 0 unless $help{$name} && $type{$name};
}
ok($order_ok, 'every sample follows its HELP and TYPE');
is(scalar(grep { $help{$_} != 1 || ($type{$_} // 0) != 1 } keys %help), 0, 'each HELP and TYPE once');
for my $m (qw(passport_requests_total passport_reasons_total passport_checks_total
              passport_registry_requests_total passport_registry_breaker_open
              passport_cache_hits_total passport_cache_misses_total passport_cache_stale_total
              passport_cache_evictions_total passport_cache_entries passport_reports_written_total
              passport_report_push_records_total passport_report_push_failures_total
              passport_report_push_pending)) {
    ok($help{$m} && $type{$m}, "$m: HELP and TYPE");
}

SKIP: {
    my $promtool = (grep { -x "$_/promtool" } split /:/, $ENV{PATH})[0];
    skip 'promtool is not installed', 1 unless $promtool;
    my $f = $t->write_file('tmp/metrics.txt', $text);
    my $out = `$promtool/promtool check metrics < $f 2>&1`;
    is($?, 0, 'promtool check metrics') or diag $out;
}

# the push: pending while the regulator fails, then delivered, and logged

ok($v->{'passport_report_push_pending'} >= 0, 'pending shown');
$t->wait_for(sub { (metrics())[1]{'passport_report_push_pending'} == 6 }, 5);
is((metrics())[1]{'passport_report_push_pending'}, 6, 'six records pending while the regulator fails');
unlink "$dir/fail";
ok($t->wait_for(sub { $t->error_log =~ /\[notice\].*report push to "[^"]+" delivered again after \d+ failures/ }, 10),
   'the recovery is logged at notice');
ok($t->wait_for(sub { (metrics())[1]{'passport_report_push_pending'} == 0 }, 5), 'nothing pending after it');
is((metrics())[1]{'passport_report_push_records_total'}, 6, 'six records delivered');

# methods

is($t->request(method => 'POST', path => '/metrics', body => 'x')->{status}, 405, 'POST /metrics: 405');
is($t->request(method => 'HEAD', path => '/metrics')->{status}, 200, 'HEAD /metrics: 200');

# a reload keeps the counts

$t->reload;
is(post('/enforce', $good), 200, 'after the reload');
(undef, $v) = metrics();
is($v->{'passport_requests_total{verdict="pass",mode="enforce"}'}, 4, 'the counts go on after a reload');
is($v->{'passport_reports_written_total'}, 6, '... all of them');
is($v->{'passport_cache_entries{zone="reg"}'}, 3, '... and the cache too');

$t->stop;
$t->error_log_clean(allow => [ qr/registry lookup .* failed/, qr/report push to .* failed/,
                               qr/failed 1 times in a row/ ]);
done_testing;
