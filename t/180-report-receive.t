#!/usr/bin/perl
# The regulator's end of the push (passport_report_receive): two nodes,
# each an nginx with its own key, push to a receiving nginx; the records
# of both are stored once each, survive a restart of the receiver, and
# verify with passport-verify --keys.  Then pushes crafted by hand from
# the nodes' lines: tampered, forged, gapped, replayed, unknown
# node, a bad token, a body over max_body.  Forks, concurrency and
# crashes: t/181-report-receive-faults.t.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;

my $json = JSON::PP->new->canonical->utf8;
my $verify = "$PassportTest::ROOT/build/passport-verify";
$verify = "build/passport-verify" unless -x $verify;

my $rcv = PassportTest->new(name => '180-receiver');
my $rdir = $rcv->path('received');
my $keys = $rcv->path('conf/nodes');
mkdir $keys;

my %node;
for my $n (qw(hn-1 hcm-2)) {
    my $t = PassportTest->new(name => "180-$n");
    my $key = $t->path('conf/report.pem');
    system("openssl genpkey -algorithm ed25519 -out $key 2>/dev/null") == 0
        or die 'openssl genpkey';
    chmod 0600, $key;
    system("openssl pkey -in $key -pubout -out $keys/$n.pem 2>/dev/null") == 0
        or die 'openssl pkey';
    $node{$n} = $t;
}

$rcv->write_file('conf/tokens', "# node token\nhn-1 tok-hn\nhcm-2 tok-hcm\n");

$rcv->config(<<'EOF2', workers => 2);
    server {
        listen 127.0.0.1:%%PORT_main%%;

        location /reports/ingest {
            passport_report_receive %%PREFIX%%/received
                                    keys=%%PREFIX%%/conf/nodes
                                    max_body=200k;
        }

        location /tokened/ingest {
            passport_report_receive %%PREFIX%%/received
                                    keys=%%PREFIX%%/conf/nodes
                                    tokens=%%PREFIX%%/conf/tokens;
        }
    }
EOF2
$rcv->run;
my $rport = $rcv->port('main');

for my $n (sort keys %node) {
    my $t = $node{$n};
    my $be = $t->backend('backend');
    $t->config(<<"EOF3", workers => 1);
    passport_report_log %%PREFIX%%/logs/reports.log node=$n
                        key=%%PREFIX%%/conf/report.pem;
    passport_report_push http://127.0.0.1:$rport/reports/ingest
                         interval=200ms batch=3;

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
EOF3
    $t->run;
}

my $listing = $json->encode({ seller_id => '0100233480',
                              items => [ { trace_code => '12345673' } ] });

sub block {
    my ($t, $n) = @_;
    for (1 .. $n) {
        my $r = $t->request(method => 'POST', path => '/listings',
                            body => $listing,
                            headers => [ 'Content-Type'
                                         => 'application/json' ]);
        die "not blocked: $r->{status}" unless $r->{status} == 422;
    }
}

sub lines {
    my ($f) = @_;
    open(my $fh, '<:raw', $f) or return ();
    return <$fh>;
}

sub stored_seqs {
    my ($n) = @_;
    return map { $json->decode($_)->{seq} } lines("$rdir/$n.ndjson");
}

sub all_stored {
    my ($n, $count) = @_;
    my @s = stored_seqs($n);
    return "@s" eq join(' ', 1 .. $count);
}

# --- two nodes push; the receiver is restarted in the middle

block($node{'hn-1'}, 4);
block($node{'hcm-2'}, 4);
ok($rcv->wait_for(sub { all_stored('hn-1', 4) && all_stored('hcm-2', 4) },
                  20), 'both nodes: every record stored once, in order');

my @l = lines($node{'hn-1'}->path('logs/reports.log'));
like($l[0], qr/"node":"hn-1","kid":"[0-9a-f]{16}","type":"verdict"/,
     'the node names its key in each record');
is(join('', lines("$rdir/hn-1.ndjson")), join('', @l),
   'the stored file is the node\'s log, byte for byte');

$rcv->stop;
block($node{'hn-1'}, 3);
block($node{'hcm-2'}, 2);
sleep 1;
$rcv->run;
ok($rcv->wait_for(sub { all_stored('hn-1', 7) && all_stored('hcm-2', 6) },
                  20), 'after a restart of the receiver: the rest, once');

my $out = `$verify --keys $keys $rdir/hn-1.ndjson $rdir/hcm-2.ndjson`;
is($? >> 8, 0, 'passport-verify --keys: both node files intact')
    or diag($out);

# several nodes in one file: each chain on its own; --node; --json
system("cat $rdir/hn-1.ndjson $rdir/hcm-2.ndjson > $rdir/../both.ndjson");
$out = `$verify --keys $keys ${\ $rcv->path('both.ndjson')}`;
is($? >> 8, 0, 'two nodes in one file: intact, each on its own') or diag($out);
like($out, qr/^hn-1: OK: 7 records.*\nhcm-2: OK: 6 records/s,
     '... one line per node');
$out = `$verify --json --keys $keys ${\ $rcv->path('both.ndjson')}`;
my $j = eval { $json->decode($out) };
is($j && $j->{exit}, 0, '--json: exit 0');
is($j && $j->{nodes}[0]{last_seq}, 7, '--json: last seq of hn-1');
is($j && $j->{nodes}[0]{verdicts}{block}, 7, '--json: verdict counts');
$out = `$verify --node hn-1 --keys $keys ${\ $rcv->path('both.ndjson')}`;
like($out, qr/^hn-1: OK: 7 records/, '--node: that node only');
$out = `$verify --keys $keys ${\ $node{'hn-1'}->path('logs/reports.log')} ${\ $node{'hcm-2'}->path('logs/reports.log')}`;
is($? >> 8, 0, 'nodes\' own logs given together: intact') or diag($out);

# the nodes stop pushing: the rest is by hand
$_->stop for values %node;

sub push_raw {
    my ($body, %o) = @_;
    my $r = $rcv->request(method => 'POST', path => $o{path}
                                                  // '/reports/ingest',
                          body => $body,
                          headers => [ 'Content-Type'
                                       => $o{type} // 'application/x-ndjson',
                                       @{ $o{headers} // [] } ]);
    return $r;
}

my @hn = lines($node{'hn-1'}->path('logs/reports.log'));
my $before = -s "$rdir/hn-1.ndjson";

# replayed: taken again, stored once
my $r = push_raw(join '', @hn[4 .. 6]);
is($r->{status}, 200, 'replayed records: 2xx');
is($r->{json}{stored}, 0, '... nothing stored again');
is(-s "$rdir/hn-1.ndjson", $before, '... the file unchanged');

# tampered: a changed seller, hash not re-made
(my $edited = $hn[6]) =~ s/0100233480/0100233481/;
$r = push_raw($hn[5] . $edited);
is($r->{status}, 422, 'tampered line: 422');
is($r->{json}{line}, 2, '... naming the line');

# forged: the hash re-made but not the signature; here: hcm-2's record
# claiming to be hn-1's is refused by its name
my @hc = lines($node{'hcm-2'}->path('logs/reports.log'));
(my $forged = $hc[0]) =~ s/"node":"hcm-2"/"node":"hn-1"/;
$r = push_raw($forged);
is($r->{status}, 422, 'a record whose contents changed: 422');

# unknown node
(my $unknown = $hc[0]) =~ s/"node":"hcm-2"/"node":"evil"/;
$r = push_raw($unknown);
ok($r->{status} == 422 || $r->{status} == 403, 'unknown node: refused');

# a malformed line among good ones: nothing stored
$r = push_raw("{\"seq\":8\n");
is($r->{status}, 422, 'malformed line: 422');
is($r->{json}{line}, 1, '... line 1');

# gap: seq 9 with 8 missing; make 2 more records, push only the last
$node{'hn-1'}->run;
$rcv->stop;
block($node{'hn-1'}, 2);
$node{'hn-1'}->stop;
$rcv->run;
@hn = lines($node{'hn-1'}->path('logs/reports.log'));
my ($s9) = grep { /"seq":9,/ } @hn;
$r = push_raw($s9);
is($r->{status}, 409, 'gap: 409');
is_deeply($r->{json}{missing}, { first => 8, last => 8 },
          '... naming the missing seqs');
is(-s "$rdir/hn-1.ndjson", $before, '... nothing stored');

# tokens=: the records must be the token's node's (real forks, two
# workers at once and crashes: t/181-report-receive-faults.t)
my ($s8) = grep { /"seq":8,/ } @hn;
$r = push_raw($s8 . $s9, path => '/tokened/ingest',
              headers => [ Authorization => 'Bearer tok-hcm' ]);
is($r->{status}, 403, 'tokens=: another node\'s token: 403');
$r = push_raw($s8 . $s9, path => '/tokened/ingest');
is($r->{status}, 401, 'tokens=: no token: 401');
$r = push_raw($s8 . $s9, path => '/tokened/ingest',
              headers => [ Authorization => 'Bearer tok-hn' ]);
is($r->{status}, 200, 'tokens=: the node\'s token: stored');
is(join(' ', stored_seqs('hn-1')), join(' ', 1 .. 9), '... seq 8 and 9');

# max_body
$r = push_raw('x' x (300 * 1024));
is($r->{status}, 413, 'over max_body: 413');

# wrong type, method
is(push_raw($s9, type => 'text/plain')->{status}, 415, 'not ndjson: 415');

$rcv->error_log_clean(allow => [ qr/forked/, qr/too large body/ ]);

done_testing;
