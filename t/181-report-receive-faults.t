#!/usr/bin/perl
# The regulator's end of the push under faults: a real fork (two signed
# records with one seq for a node), two workers receiving for one node
# at once from many clients, and a node file whose last line a crash cut
# (found at a start, and found by a running receiver).  The records are
# made with the node's key by build/unit/report_gen.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use POSIX ();
use PassportTest;

my $json = JSON::PP->new->canonical->utf8;
my $gen = "$PassportTest::ROOT/build/unit/report_gen";
my $verify = "$PassportTest::ROOT/build/passport-verify";

-x $gen or BAIL_OUT("$gen not built: make unit");
-x $verify or BAIL_OUT("$verify not built: make");

my $t = PassportTest->new;
my $rdir = $t->path('received');
my $keys = $t->path('conf/nodes');
my $priv = $t->path('conf/n1.key');
mkdir $keys;

system("openssl genpkey -algorithm ed25519 -out $priv 2>/dev/null") == 0
    or die 'openssl genpkey';
system("openssl pkey -in $priv -pubout -out $keys/n1.pem 2>/dev/null") == 0
    or die 'openssl pkey';

sub slurp {
    my ($f) = @_;
    open(my $fh, '<:raw', $f) or return '';
    local $/;
    return <$fh> // '';
}

sub spew {
    my ($f, $bytes, $mode) = @_;
    open(my $fh, $mode // '>:raw', $f) or die "$f: $!";
    print $fh $bytes;
    close $fh;
}

# COUNT records of node n1 signed with its key, after FILE when given
sub gen {
    my ($n, $after) = @_;
    my $out = `REPORT_GEN_NODE=n1 $gen $n $priv @{[ $after // '' ]}`;
    die 'report_gen failed' if $?;
    return $out;
}

# chain A: 200 records
my @a = split /(?<=\n)/, gen(200);
is(scalar @a, 200, 'chain A: 200 records');

$t->config(<<'EOF', workers => 2);
    log_format pid '$pid $status';

    server {
        listen 127.0.0.1:%%PORT_main%%;

        location /ingest {
            access_log %%PREFIX%%/logs/ingest.log pid;
            passport_report_receive %%PREFIX%%/received
                                    keys=%%PREFIX%%/conf/nodes;
        }
    }
EOF
$t->run;

sub push_raw {
    my ($body) = @_;
    return $t->request(method => 'POST', path => '/ingest', body => $body,
                       headers => [ 'Content-Type'
                                    => 'application/x-ndjson' ]);
}

sub seqs {
    return map { /^\{"seq":(\d+),/ ? $1 : 'cut' } split /(?<=\n)/, $_[0];
}

sub verify_file {
    my $out = `$verify --keys $keys $rdir/n1.ndjson 2>&1`;
    return ($? >> 8, $out);
}

# --- a real fork: chain B has A's records 1..3, then another seq 4

my $cut = $t->path('b.log');
spew($cut, join('', @a[0 .. 2]) . '{"seq":4,"time":"2026');
my $bout = gen(3, $cut);
$bout =~ s/^\n//;
my @b = split /(?<=\n)/, $bout;
like($b[0], qr/^\{"seq":4,.*"type":"recovery"/,
     'chain B: another signed seq 4');
my ($a4) = $a[3] =~ /"hash":"([0-9a-f]{64})"/;
my ($b4) = $b[0] =~ /"hash":"([0-9a-f]{64})"/;
isnt($a4, $b4, '... with another hash than A\'s');

my $r = push_raw(join '', @a[0 .. 4]);
is($r->{status}, 200, 'A 1..5 stored');
my $stored = slurp("$rdir/n1.ndjson");

$t->mark_log;
$r = push_raw(join '', $a[2], @b);
is($r->{status}, 409, 'a stored seq with another signed record: 409');
is($r->{json}{node}, 'n1', '... naming the node');
is($r->{json}{seq}, 4, '... the seq');
is($r->{json}{stored_hash}, $a4, '... the stored hash');
is($r->{json}{received_hash}, $b4, '... the received hash');
like($r->{headers}{'content-type'}, qr{application/problem\+json},
     '... a problem document');
is(slurp("$rdir/n1.ndjson"), $stored, '... nothing of the batch stored');
like($t->log_since_mark, qr/node "n1" forked at seq 4/, '... logged');

# the other side of a fork: a new record whose prev is not the stored
# last hash (A 1..5 stored; B's seq 6 follows B's 5)
my ($a5) = $a[4] =~ /"hash":"([0-9a-f]{64})"/;
my ($b5) = $b[1] =~ /"hash":"([0-9a-f]{64})"/;
$r = push_raw($b[2]);
is($r->{status}, 409, 'a new record not following the stored last: 409');
is($r->{json}{seq}, 5, '... naming the stored last seq');
is($r->{json}{stored_hash}, $a5, '... its hash');
is($r->{json}{received_hash}, $b5, '... and the prev received');
is(slurp("$rdir/n1.ndjson"), $stored, '... nothing stored');

$r = push_raw(join '', @a[5 .. 9]);
is($r->{status}, 200, 'A goes on after the refused forks');

# --- two workers, many clients, overlapping and consecutive batches

my $clients = 6;
my $res = $t->path('clients');
mkdir $res;
my @kids;

for my $c (1 .. $clients) {
    my $pid = fork // die 'fork';
    if ($pid == 0) {
        srand($c * 7919 + $$);
        my ($pos, @log) = (int(rand(10)) + 1, ());
        my $tries = 0;
        while ($pos <= 200 && $tries++ < 2000) {
            my $n = 1 + int(rand(12));
            my $last = $pos + $n - 1 > 200 ? 200 : $pos + $n - 1;
            my $x = push_raw(join '', @a[$pos - 1 .. $last - 1]);
            my $st = $x->{status} // 0;
            push @log, join(' ', $pos, $last, $st,
                            $st == 200 ? $x->{json}{stored} : '-');
            if ($st == 200) {
                # sometimes back a little: batches overlap
                $pos = $last + 1 - (rand() < 0.3 ? int(rand(4)) : 0);
            } elsif ($st == 409 && $x->{json}{missing}) {
                $pos = $x->{json}{missing}{first};
            } else {
                last;
            }
        }
        spew("$res/$c", join("\n", @log) . "\n");
        POSIX::_exit(0);
    }
    push @kids, $pid;
}
waitpid($_, 0) for @kids;

my ($ok, $bad, $sum) = (0, 0, 0);
for my $c (1 .. $clients) {
    for (split /\n/, slurp("$res/$c")) {
        my ($from, $to, $st, $n) = split / /;
        if ($st == 200) { $ok++; $sum += $n }
        elsif ($st != 409) { $bad++; diag("client $c: $_") }
    }
}
ok($ok > 50, "many pushes stored or taken again ($ok)");
is($bad, 0, 'every answer a 200 or a 409 gap');
is($sum, 190, 'the 190 records stored once each, over all answers');
is(slurp("$rdir/n1.ndjson"), join('', @a),
   'the node file is chain A, byte for byte: no interleaving, nothing '
   . 'lost, nothing twice');
my ($vrc, $vout) = verify_file();
is($vrc, 0, 'passport-verify --keys: intact') or diag($vout);
my %pids = map { /^(\d+) 200/ ? ($1 => 1) : () }
           split /\n/, slurp($t->path('logs/ingest.log'));
is(scalar keys %pids, 2, 'both workers stored pushes');

# --- a crash while appending, found at a start

my @c = split /(?<=\n)/, gen(20, "$rdir/n1.ndjson");
is(scalar @c, 20, 'chain A goes on: 201..220');
@a = (@a, @c);

$t->stop;
my $whole = slurp("$rdir/n1.ndjson");
spew("$rdir/n1.ndjson", substr($a[200], 0, 100), '>>:raw');
$t->run;
$t->mark_log;

$r = push_raw(join '', @a[200 .. 204]);
is($r->{status}, 200, 'after a cut line and a start: the batch is taken');
is($r->{json}{stored}, 5, '... its records stored again');
is(slurp("$rdir/n1.ndjson"), join('', @a[0 .. 204]),
   '... the cut line is gone, the file is the chain');
like($t->log_since_mark, qr/ends with a cut line after seq 200/,
     '... the cut line is logged');
($vrc, $vout) = verify_file();
is($vrc, 0, '... the file verifies') or diag($vout);

# --- a crash while appending, found by a running receiver: a worker
# killed in the middle of its write leaves what it wrote

spew("$rdir/n1.ndjson", substr($a[205], 0, 40), '>>:raw');
$t->mark_log;
$r = push_raw(join '', @a[204 .. 209]);
is($r->{status}, 200, 'a cut line under a running receiver: taken');
is($r->{json}{again}, 1, '... the stored record taken again');
is($r->{json}{stored}, 5, '... the cut one and the rest stored');
is(slurp("$rdir/n1.ndjson"), join('', @a[0 .. 209]),
   '... the file is the chain');
like($t->log_since_mark, qr/ends with a cut line after seq 205/,
     '... logged');

$t->error_log_clean(allow => [ qr/forked/ ]);

# a real kill -9 of the workers while they receive: whatever a worker
# left, the next pushes give the whole chain, once
$t->mark_log;
my @w = $t->worker_pids;
my $h = $t->request_begin(method => 'POST', path => '/ingest',
                          body => join('', @a[210 .. 214]),
                          headers => [ 'Content-Type'
                                       => 'application/x-ndjson' ]);
kill 'KILL', @w;
$t->request_end($h);
ok($t->wait_for(sub { my @n = $t->worker_pids;
                      @n == 2 && !grep { my $p = $_; grep { $_ == $p } @w }
                                         @n }, 10),
   'killed workers are replaced');
$r = push_raw(join '', @a[210 .. 219]);
is($r->{status}, 200, 'after a kill -9: the batch is taken');
is(slurp("$rdir/n1.ndjson"), join('', @a), '... the file is the chain');
($vrc, $vout) = verify_file();
is($vrc, 0, '... and verifies') or diag($vout);

# a file whose end is no chain is not appended to
spew("$rdir/n1.ndjson", "garbage\nmore garbage\n", '>>:raw');
my $size = -s "$rdir/n1.ndjson";
$r = push_raw(join '', @a[218 .. 219]);
is($r->{status}, 500, 'a file that does not end with a chain: 500');
is(-s "$rdir/n1.ndjson", $size, '... not written');

# --- a node that starts its chain again at seq 1 (a segment record),
# signed with its new key

spew("$rdir/n1.ndjson", join('', @a));
my $priv2 = $t->path('conf/n1-new.key');
system("openssl genpkey -algorithm ed25519 -out $priv2 2>/dev/null") == 0
    or die 'openssl genpkey';
my $der = "openssl pkey -in $priv2 -pubout -outform DER 2>/dev/null";
my $kid = substr(`$der | sha256sum`, 0, 16);
system("openssl pkey -in $priv2 -pubout -out $keys/n1.$kid.pem 2>/dev/null")
    == 0 or die 'openssl pkey';
$t->reload;

# an older chain start (a replay; here signed with the first key): its
# time is before the stored end
spew($t->path('junk.log'), "junk\n");
my $old = `REPORT_GEN_NODE=n1 $gen 2 $priv ${\ $t->path('junk.log')}`;
like($old, qr/^\{"seq":1,[^\n]*"type":"segment"/,
     'a segment record at seq 1, of an earlier time');
$r = push_raw($old);
is($r->{status}, 409, 'a chain start older than the stored end: 409');
is($r->{json}{seq}, 1, '... a fork at seq 1');
is(slurp("$rdir/n1.ndjson"), join('', @a), '... nothing stored');

# a real node whose log holds no record it can go on from
my $node = PassportTest->new(name => '181-node');
my $nkey = $node->path('conf/report.pem');
system("cp $priv2 $nkey") == 0 or die 'cp';
chmod 0600, $nkey;
$node->write_file('logs/reports.log', "junk\n");
$node->backend('backend');
$node->config(<<'EOF');
    passport_report_log %%PREFIX%%/logs/reports.log node=n1
                        key=%%PREFIX%%/conf/report.pem;

    server {
        listen 127.0.0.1:%%PORT_main%%;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;

        location /listings {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF
$node->run;
for (1 .. 2) {
    $node->request(method => 'POST', path => '/listings',
                   body => '{"seller_id":"0100233480",'
                           . '"items":[{"trace_code":"12345673"}]}',
                   headers => [ 'Content-Type' => 'application/json' ]);
}
$node->stop;
my @n = grep { /^\{"seq"/ } split /(?<=\n)/,
                             slurp($node->path('logs/reports.log'));
like($n[0] // '', qr/^\{"seq":1,.*"kid":"$kid","type":"segment"/,
     'the node starts again with a segment record at seq 1, new key');
is(scalar @n, 3, '... and two verdicts');

$t->mark_log;
$r = push_raw(join '', @n);
is($r->{status}, 200, 'a later chain start: taken');
is($r->{json}{stored}, 3, '... stored');
is($r->{json}{last_seq}, 3, '... the new chain\'s end');
is(slurp("$rdir/n1.ndjson"), join('', @a, @n),
   '... appended after the old chain');
like($t->log_since_mark, qr/node "n1" starts a new chain at seq 1/,
     '... logged');

$r = push_raw(join '', @n);
is($r->{status}, 200, 'the new chain pushed again: 200');
is($r->{json}{stored}, 0, '... nothing stored twice');
$r = push_raw(join '', @n[1, 2]);
is($r->{json}{again}, 2, '... by seq within the new chain');

$t->stop;
$t->run;
$r = push_raw(join '', @n);
is($r->{status}, 200, 'after a restart: the new chain again');
is($r->{json}{stored}, 0, '... nothing stored twice');
$r = push_raw($old);
is($r->{status}, 409, '... and the older start refused');
is(slurp("$rdir/n1.ndjson"), join('', @a, @n), 'the file: both chains');

($vrc, $vout) = verify_file();
is($vrc, 3, 'passport-verify --keys: both chains intact, a new segment')
    or diag($vout);
my $seg = qr/^SEGMENTED: 223 records, seq 1..3 .*1 new segment/;
like($vout, qr/$seg.*all signatures verified/, '... all signatures verified');

my $expected = join '|', 'exited on signal 9', 'was locked by',
                        'forked at seq 1:',
                        'does not end with a chain \(2 lines';
my @bad = grep { /\[(?:alert|crit|emerg|error)\]/ && !/$expected/ }
          split /\n/, $t->log_since_mark;
is("@bad", '', 'after the kill: only the kill and the bad file logged');

done_testing;
