#!/usr/bin/perl
# passport_reports over a receiving directory (two nodes' files, one with
# a rotated file), the filters, the 400s, CSV, a checkout's item seller
# and monitored verdicts kept apart; the worker's memory on a large log.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $gen = "$PassportTest::ROOT/build/unit/report_gen";
-x $gen or BAIL_OUT("$gen not built: make unit");

my $dir = $t->path('received');
mkdir $dir;
system("REPORT_GEN_NODE=hn-1 $gen 30 > $dir/hn-1.ndjson.1") == 0 or die;
system("REPORT_GEN_NODE=hn-1 $gen 20 - $dir/hn-1.ndjson.1"
       . " > $dir/hn-1.ndjson") == 0 or die;
system("REPORT_GEN_NODE=hcm-2 $gen 40 > $dir/hcm-2.ndjson") == 0 or die;
$t->write_file('received/notes.txt', "not a node's file\n");

sub recs {
    my @r;
    for my $f (@_) {
        open(my $fh, '<:raw', "$dir/$f") or die;
        push @r, map { $json->decode($_) } <$fh>;
    }
    return grep { $_->{type} eq 'verdict' } @r;
}
# nodes in name order, each oldest first
my @all = recs('hcm-2.ndjson', 'hn-1.ndjson.1', 'hn-1.ndjson');
is(scalar @all, 90, '90 records in three files');

$t->config(<<'EOF2');
    passport_report_log %%PREFIX%%/logs/reports.log node=hn-9
                        operator=0312345678;

    server {
        listen 127.0.0.1:%%PORT_main%%;

        location /checkout {
            passport on;
            passport_mode monitor;
            passport_items /items;
            passport_item_code /code;
            passport_item_seller /seller;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /reports {
            passport_reports;
        }

        location /received {
            passport_reports %%PREFIX%%/received;
        }
    }
EOF2
$t->run;

sub get {
    my $r = $t->request(path => shift);
    my @l = $r->{status} == 200 && $r->{headers}{'content-type'} =~ /ndjson/
            ? map { $json->decode($_) } split /\n/, $r->{body} : ();
    return ($r, @l);
}
sub seqs { join ' ', map { "$_->{node}:$_->{seq}" } @_ }

my ($r, @l) = get('/received?limit=10000');
is(seqs(@l), seqs(@all), 'every node, rotated files included, in order');

($r, @l) = get('/received?node=hn-1&since=25&limit=10000');
is(seqs(@l), seqs(grep { $_->{node} eq 'hn-1' && $_->{seq} > 25 } @all),
   'node= and since= (per node), across the rotation');

($r, @l) = get('/received?verdict=block&mode=monitor&limit=10000');
is(seqs(@l), seqs(grep { $_->{verdict} eq 'block'
                         && $_->{mode} eq 'monitor' } @all),
   'verdict= and mode=');

my $from = $all[5]{time};
my $to = $all[20]{time};
($r, @l) = get("/received?node=hcm-2&from=$from&to=$to&limit=10000");
is(seqs(@l), seqs(grep { $_->{node} eq 'hcm-2' && $_->{time} ge $from
                         && $_->{time} le $to } @all),
   'from= and to=');
# the same time seven hours west (the generator's records are at 22:xx)
(my $from7 = $from) =~ s/T(\d\d)/'T' . sprintf('%02d', $1 - 7)/e;
$from7 =~ s/Z$/-07:00/;
my ($r7, @l7) = get("/received?node=hcm-2&from=$from7&to=$to&limit=10000");
is(seqs(@l7), seqs(@l), 'from= with an offset is the same time');

($r, @l) = get('/received?seller=0100109106&reason=CODE_RECALLED&limit=3');
is(scalar @l, 3, 'seller=, reason= and limit=');
($r, @l) = get('/received?code=01%2F0000&limit=10000');
is(scalar @l, 0, 'code= that no item has: nothing');

# 400s naming the parameter
for my $q ([ 'from=2026', 'from' ], [ 'format=xml', 'format' ],
           [ 'bogus=1', 'bogus' ], [ 'limit=0', 'limit' ],
           [ 'mode=loud', 'mode' ], [ 'reason=NOPE', 'reason' ],
           [ 'verdict=pass', 'verdict' ], [ 'since=x', 'since' ],
           [ 'limit=1&limit=2', 'limit' ]) {
    ($r) = get("/received?$q->[0]");
    is($r->{status}, 400, "400 for $q->[0]");
    like($r->{json}{detail} // '', qr/^\Q$q->[1]\E: /, '... naming it');
}

# a checkout in monitor mode: its item sellers found, its would-be
# block counted apart
$r = $t->request(method => 'POST', path => '/checkout',
                 headers => [ 'Content-Type' => 'application/json' ],
                 body => $json->encode({ items => [
                     { code => 'nonsense', seller => '0300588569' },
                     { code => 'bad too', seller => '0100233488' } ] }));
is($r->{status}, 200, 'monitor mode lets the checkout through');
($r, @l) = get('/reports?seller=0300588569');
is(scalar @l, 1, 'seller= finds a checkout by an item\'s seller');
is($l[0]{seller}, undef, '... whose listing seller is null');
($r, @l) = get('/reports?view=sellers');
my ($row) = grep { $_->{seller} eq '0100233488' } @l;
ok($row && $row->{monitor_blocked} == 1 && $row->{blocked} == 0
   && $row->{modes}{monitor} == 1,
   'view=sellers: a monitored would-be block is no block');
is_deeply($row->{nodes}, [ 'hn-9' ], '... and names the node');

# CSV
$r = $t->request(path => '/reports?format=csv');
like($r->{headers}{'content-type'}, qr{^text/csv}, 'format=csv');
my @rows = split /\r\n/, $r->{body};
is($rows[0], 'node,seq,time,operator,verdict,mode,seller,item_sellers,'
             . 'reasons,codes,request_id,method,uri', '... its header row');
like($rows[1], qr/^"hn-9",1,\S+Z,"0312345678",block,monitor,,"0300588569 0100233488","CODE_INVALID","nonsense bad too","\w+","POST","\/checkout"$/,
     '... a row per record, RFC 4180 quoting');
$r = $t->request(path => '/received?view=sellers&format=csv');
@rows = split /\r\n/, $r->{body};
is($rows[0], 'seller,records,blocked,flagged,monitor_blocked,'
             . 'monitor_flagged,enforce,flag,monitor,reasons,nodes,first,'
             . 'last', 'sellers as CSV: header');
like($rows[1], qr/^"0100109106",\d+,/, '... a row per seller');

# a large log: the worker's memory does not follow its size
$t->stop;
system("REPORT_GEN_NODE=big $gen 200000 > $dir/big.ndjson") == 0 or die;
ok(-s "$dir/big.ndjson" > 80_000_000, 'a log of ' . int((-s "$dir/big.ndjson") / 1e6) . ' MB');
$t->run;
sub rss {
    my $pid = ($t->worker_pids)[0];
    open(my $fh, '<', "/proc/$pid/status") or return 0;
    while (<$fh>) { return $1 if /^VmRSS:\s+(\d+)/ }
    return 0;
}
get('/received?node=hn-1');
my $before = rss();
for my $q ('view=sellers', 'node=big&since=199990', 'seller=none&format=csv',
           'node=big&view=sellers&format=csv') {
    ($r) = get("/received?$q");
    is($r->{status}, 200, "over the large log: $q");
}
my $after = rss();
SKIP: {
    skip 'memory is measured without sanitizers', 1
        if PassportTest::sanitized();
    ok($after - $before < 8192,
       "worker RSS before $before kB, after $after kB: bounded");
}

$t->error_log_clean;

done_testing;
