#!/usr/bin/perl
# The end of the report log is checked at start: with key=, the last
# record must verify and link to the line before it.  A forged line with
# a right hash (no signature, a huge seq, a replayed old record), or
# several lines that are not records, are reported at crit; the node
# starts a segment record from the last trusted record and goes on
# reporting.  passport-verify names the lines left out and exits 3.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use Digest::SHA qw(sha256_hex);
use PassportTest;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $verify = "$PassportTest::ROOT/build/passport-verify";
my ($key, $pub) = map { $t->path("conf/$_.pem") } qw(key pub);
my $log = $t->path('logs/reports.log');

system("openssl genpkey -algorithm ed25519 -out $key 2>/dev/null") == 0
    or BAIL_OUT('openssl genpkey failed');
system("openssl pkey -in $key -pubout -out $pub 2>/dev/null") == 0
    or BAIL_OUT('openssl pkey failed');

$t->config(<<'EOF2');
    passport_report_log %%PREFIX%%/logs/reports.log key=key.pem node=n-1;

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
EOF2
$t->run;

my $bad = $json->encode({ seller_id => '0100233480',
                          items => [ { trace_code => '12345673' } ] });

sub block {
    my $r = $t->request(method => 'POST', path => '/listings', body => $bad,
                        headers => [ 'Content-Type' => 'application/json' ]);
    return $r->{status};
}

sub lines {
    open(my $fh, '<:raw', $log) or return ();
    return <$fh>;
}

sub last_rec { return $json->decode((lines())[-1]) }

sub verify {
    my $out = `$verify --key $pub $log 2>&1`;
    return ($? >> 8, $out);
}

# a line with a right hash, made from another: no signature, fields set
sub forge {
    my ($line, %set) = @_;
    chomp $line;
    $line =~ s/,"sig":"[^"]*"//;
    for my $k (keys %set) {
        $line =~ s/"$k":(\d+|"[^"]*")/"$k":$set{$k}/;
    }
    my $canon = ($line =~ /^(.*?),"hash":/)[0] . '}';
    my $h = sha256_hex($canon);
    $line =~ s/"hash":"[0-9a-f]{64}"/"hash":"$h"/;
    return "$line\n";
}

sub append {
    open(my $fh, '>>:raw', $log) or die;
    print $fh @_;
    close $fh;
}

# restart with bytes appended; returns the records after the start
sub restart_with {
    my (@bytes) = @_;
    $t->stop;
    append(@bytes);
    my $n = () = lines();
    $t->mark_log;
    $t->run;
    is(block(), 422, 'the request after the start is decided');
    my @all = lines();
    return map { $json->decode($_) } @all[$n .. $#all];
}

block() for 1 .. 3;
my ($rc, $out) = verify();
is($rc, 0, 'three signed records') or diag $out;

# --- an unsigned line with a right hash that links

my $l3 = (lines())[-1];
my $r3 = $json->decode($l3);
my @new = restart_with(forge($l3, seq => 4, prev => "\"$r3->{hash}\""));
like($t->log_since_mark, qr/\[crit\].*report log .* ends with 1 line that did not pass the check \(the first: bad signature, seq 4\); a new chain segment starts at seq 4/,
     'unsigned tail: crit at start');
is($new[0]{type}, 'segment', 'a segment record comes first');
is($new[0]{seq}, 4, '... at seq 4');
is($new[0]{prev}, $r3->{hash}, '... after the last trusted record');
is($new[1]{type}, 'verdict', 'reporting goes on');
is($new[1]{prev}, $new[0]{hash}, '... linked to the segment record');
($rc, $out) = verify();
is($rc, 3, 'passport-verify: exit 3');
like($out, qr/^SEGMENTED: .*1 line left out of the chain \(the first at \S+:4: seq 4: bad signature/,
     'passport-verify names the forged line') or diag $out;

# --- an implausible seq

my $last = last_rec();
@new = restart_with(forge((lines())[-1], seq => 9007199254740991));
like($t->log_since_mark, qr/\[crit\].*did not pass the check/,
     'seq 2^53-1: crit at start');
is($new[0]{type}, 'segment', 'seq 2^53-1: a segment record');
is($new[0]{seq}, $last->{seq} + 1, '... goes on from the last good seq');
is($new[1]{seq}, $last->{seq} + 2, 'reporting goes on, no "not built"');
unlike($t->log_since_mark, qr/could not be built/, 'no record failed');

# --- a replayed signed record: right hash, right signature, wrong link

$last = last_rec();
@new = restart_with((lines())[1]);
like($t->log_since_mark, qr/\[crit\].*did not pass the check \(the first: chain broken, seq 2\)/,
     'replayed record: crit at start, the link is broken');
is($new[0]{seq}, $last->{seq} + 1, 'replayed record: not continued from');

# --- several lines that are not records are no crash: a segment

$last = last_rec();
@new = restart_with("{\"seq\":99,\"ti\n", "{\"seq\":99,\"ti\n");
like($t->log_since_mark, qr/\[crit\].*ends with 2 lines/,
     'two cut lines: crit');
is($new[0]{type}, 'segment', 'two cut lines: a segment record');

# --- one cut line is a crash: a recovery record, at warn

@new = restart_with("{\"seq\":" . ($new[-1]{seq} + 1) . ",\"time\":\"20");
is($new[0]{type}, 'recovery', 'one cut line: a recovery record');
unlike($t->log_since_mark, qr/\[crit\]/, 'one cut line: no crit');

($rc, $out) = verify();
is($rc, 3, 'the whole log: exit 3');
like($out, qr/1 crash recovery, 4 new segments/, '... 4 segments, 1 crash')
    or diag $out;

$t->stop;

# the crits above are expected; nothing else
my @bad = grep { /\[(alert|crit|emerg|error)\]/ && !/did not pass the check/ }
          split /\n/, $t->error_log;
ok(!@bad, 'no other alert, crit or error') or diag join("\n", @bad);
done_testing;
