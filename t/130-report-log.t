#!/usr/bin/perl
# The report log: every flag and block verdict (and monitor's would-be
# verdicts) recorded in one signed hash chain by all workers, continued
# after a restart (also after a line cut by a crash) and after a reopen,
# checked with build/passport-verify.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $verify = "$PassportTest::ROOT/build/passport-verify";
my ($key, $pub, $other) = map { $t->path("conf/$_.pem") } qw(key pub other);
my $log = $t->path('logs/reports.log');

system("openssl genpkey -algorithm ed25519 -out $key 2>/dev/null") == 0
    or BAIL_OUT('openssl genpkey failed');
system("openssl pkey -in $key -pubout -out $pub 2>/dev/null") == 0
    or BAIL_OUT('openssl pkey failed');
system("openssl genpkey -algorithm ed25519 -out $other 2>/dev/null") == 0
    or BAIL_OUT('openssl genpkey failed');

# t/131-report-log-threads.t runs this file again with a thread pool
# (PASSPORT_TEST_THREADS): "default" is used without a parameter, another
# name with threads=NAME
my $pool = $ENV{PASSPORT_TEST_THREADS};
my %main = $pool ? (main => "thread_pool $pool threads=4;\n") : ();
my $param = ($pool && $pool ne 'default') ? " threads=$pool" : '';

(my $http = <<'EOF2') =~ s/node=market-1;/node=market-1$param;/;
    passport_report_log %%PREFIX%%/logs/reports.log key=key.pem node=market-1;

    server {
        listen 127.0.0.1:%%PORT_main%%;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;

        location /listings {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /flag {
            passport on;
            passport_mode flag;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /monitor {
            passport on;
            passport_mode monitor;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /reports {
            allow 127.0.0.1;
            deny all;
            passport_reports;
        }
    }
EOF2
$t->config($http, workers => 2, %main);
$t->run;

sub post {
    my ($path, $body) = @_;
    return $t->request(method => 'POST', path => $path,
                       body => ref $body ? $json->encode($body) : $body,
                       headers => [ 'Content-Type' => 'application/json' ]);
}

sub records {
    my ($f) = @_;
    open(my $fh, '<:raw', $f // $log) or return ();
    return map { eval { $json->decode($_) } || { raw => $_ } } <$fh>;
}

sub verify {
    my $out = `$verify @_ 2>&1`;
    return ($? >> 8, $out);
}

my $bad = { seller_id => '0100233480',
            items => [ { trace_code => '12345673' },
                       { trace_code => '8934673577038' } ] };
my $good = { seller_id => '0100109106',
             items => [ { trace_code => '8934673577038' } ] };

# --- what gets recorded

is(post('/listings', $good)->{status}, 200, 'a pass');
my $r = post('/listings?page=2', $bad);
is($r->{status}, 422, 'a block');
is(post('/flag', $bad)->{status}, 200, 'a flag');
is(post('/monitor', $bad)->{status}, 200, 'a monitor would-be block');

my @rec = records();
is(scalar @rec, 3, 'passes are not recorded, flag/block/monitor are');
is_deeply([ map { "$_->{seq} $_->{verdict} $_->{mode}" } @rec ],
          [ '1 block enforce', '2 flag flag', '3 block monitor' ],
          'seq, verdict and mode');
my $b = $rec[0];
is($b->{node}, 'market-1', 'node');
is($b->{type}, 'verdict', 'type');
is($b->{request_id}, $r->{json}{instance}, 'request_id is the instance');
is($b->{seller}, '0100233480', 'seller');
is_deeply($b->{reasons}, [ 'SELLER_ID_INVALID', 'CODE_INVALID' ], 'reasons');
is_deeply($b->{items}, [
    { pointer => '/seller_id', code => '0100233480',
      reasons => [ 'SELLER_ID_INVALID' ] },
    { pointer => '/items/0/trace_code', code => '12345673',
      reasons => [ 'CODE_INVALID' ] } ], 'items with pointer and reasons');
is($b->{method}, 'POST', 'method');
is($b->{uri}, '/listings', 'uri is the path only');
is($b->{prev}, '0' x 64, 'the first record has prev 0');
like($b->{hash}, qr/^[0-9a-f]{64}$/, 'hash');
like($b->{sig}, qr/^[A-Za-z0-9+\/]{86}==$/, 'signature');
is($rec[1]{prev}, $rec[0]{hash}, 'chained');
ok(!grep({ /trace_code|8934673577038/ } map { $_->{raw} // '' } @rec),
   'never the request body');

# --- the query endpoint

sub query {
    my ($q) = @_;
    my $r = $t->request(path => "/reports$q");
    return ($r, [ map { $json->decode($_) } grep { length } split /\n/,
                  $r->{body} // '' ]);
}

post('/listings', { seller_id => '5493001KJTIIGC8Y1R12',
                    items => [ { trace_code => '12345673' } ] });

my ($qr, $q) = query('');
is($qr->{status}, 200, 'query: 200');
is($qr->{headers}{'content-type'}, 'application/x-ndjson', 'query: ndjson');
is(scalar @$q, 4, 'query: every record');
($qr, $q) = query('?since=2&limit=1');
is_deeply([ map { $_->{seq} } @$q ], [ 3 ], 'query: since and limit');
($qr, $q) = query('?verdict=flag');
is_deeply([ map { $_->{seq} } @$q ], [ 2 ], 'query: verdict=flag');
($qr, $q) = query('?seller=5493001KJTIIGC8Y1R12');
is_deeply([ map { $_->{seq} } @$q ], [ 4 ], 'query: seller');
my $v;
($qr, $v) = query('?view=sellers');
is_deeply([ map { "$_->{seller} $_->{flagged} $_->{blocked} "
                 . "$_->{monitor_blocked}" } @$v ],
          [ '0100233480 1 1 1', '5493001KJTIIGC8Y1R12 0 1 0' ],
          'view=sellers: counts, most reported first, the monitored '
          . 'would-be block apart');
is($qr->{headers}{'content-type'}, 'application/x-ndjson',
   'view=sellers: a row a line');
is($v->[0]{reasons}{CODE_INVALID}, 3, 'view=sellers: counts per reason');
ok($v->[0]{first} le $v->[0]{last}, 'view=sellers: first and last seen');
for my $bad ('?since=x', '?limit=0', '?verdict=pass', '?view=items') {
    ($qr) = query($bad);
    is($qr->{status}, 400, "query $bad: 400");
    is($qr->{headers}{'content-type'}, 'application/problem+json',
       "query $bad: problem document");
}
is($t->request(method => 'POST', path => '/reports')->{status}, 405,
   'query: POST is not allowed');
my $raw = $t->raw(data => "HEAD /reports?verdict=pass HTTP/1.1\r\n"
                          . "Host: localhost\r\n\r\n"
                          . "HEAD /reports HTTP/1.1\r\nHost: localhost\r\n"
                          . "Connection: close\r\n\r\n");
is(join(' ', $raw =~ m{^HTTP/1\.1 (\d+)}mg), '400 200',
   'query: HEAD with a bad parameter gets its 400, the connection goes on');
like($raw, qr{\r\n\r\nHTTP/1\.1 200 .*\r\n\r\n\z}s,
     'query: HEAD answers are headers only');

# --- two workers, many records: one chain

# thousands of records, 40 requests at a time over both workers
for (1 .. 50) {
    my @h = map { $t->request_begin(method => 'POST', path => '/listings',
                      body => $json->encode($bad),
                      headers => [ 'Content-Type' => 'application/json' ]) }
            1 .. 40;
    $t->request_end($_) for @h;
}

@rec = records();
is(scalar @rec, 2004, 'every verdict recorded');
is_deeply([ map { $_->{seq} } @rec ], [ 1 .. 2004 ], 'seq with no gap');
my %by = map { $_ => 1 } grep { defined } map { $_->{request_id} } @rec;
is(scalar keys %by, 2004, 'one record per request');
my %pids = map { $_ => 1 }
           $t->error_log =~ /\] (\d+)#\d+: \*\d+ passport: block/g;
ok(keys %pids >= 2, 'both workers wrote to the chain');

my ($rc, $out) = verify('--key', $pub, $log);
is($rc, 0, 'passport-verify: intact') or diag $out;
like($out, qr/2004 records/, '... counts the records');

($rc, $out) = verify('--key', $other, $log);
is($rc, 1, 'another key: tampered');
like($out, qr/seq 1\b.*signature/i, '... bad signature at seq 1');

($qr, $q) = query('?view=sellers');
is($q->[0]{blocked} + $q->[0]{monitor_blocked}, 2002,
   'view=sellers matches the log');

# --- restart with a last line cut by a crash

$t->stop;
open(my $fh, '>>:raw', $log) or die;
print $fh '{"seq":2005,"time":"2026-11-';
close $fh;
$t->run;
$t->error_log_like(qr/\[warn\].*report log .* ends with a cut line after seq 2004/,
                   'the cut line is noticed at start');
post('/listings', $bad);

@rec = records();
my @tail = @rec[-2, -1];
is($tail[0]{type}, 'recovery', 'a recovery record follows the cut line');
is($tail[1]{type}, 'verdict', 'then the chain goes on');
is($tail[1]{prev}, $tail[0]{hash}, '... linked to the recovery record');
($rc, $out) = verify('--key', $pub, $log);
is($rc, 0, 'passport-verify: intact after a crash recovery') or diag $out;

# --- a plain restart continues the chain

$t->stop;
$t->run;
post('/flag', $bad);
@rec = records();
is($rec[-1]{seq}, $rec[-2]{seq} + 1, 'restart: seq goes on');
is($rec[-1]{prev}, $rec[-2]{hash}, 'restart: chained');

# --- nginx -s reopen (log rotation)

rename $log, "$log.1" or die;
$t->signal('USR1');
$t->wait_for(sub { -e $log }, 5);
post('/listings', $bad);
post('/listings', $bad);
my @new = records($log);
is($new[0]{type}, 'rotation', 'the new file starts with a rotation record');
is($new[0]{prev}, (records("$log.1"))[-1]{hash}, '... chained to the old file');
($rc, $out) = verify('--key', $pub, "$log.1", $log);
is($rc, 0, 'passport-verify: the chain across both files') or diag $out;

# --- a log that cannot be (re)opened: reported, requests still decided

chmod 0444, $log;
my $n = () = records($log);
if ($> == 0) {
    # root writes anyway: take the file away instead
    rename $log, "$log.gone";
    mkdir $log;
    $t->signal('USR1');
    $t->wait_for(sub { $t->error_log =~ /reopen|Is a directory/ }, 5);
}
$r = post('/listings', $bad);
is($r->{status}, 422, 'broken log: the request is still decided');
ok($t->wait_for(sub { $t->error_log
                      =~ /\[(crit|alert|emerg)\].*(reports\.log|report log)/ },
               5),
   'broken log: reported in the error log');

$t->stop;
unlike($t->error_log, qr/exited on signal/, 'no worker crashed');

done_testing;
