#!/usr/bin/perl
# passport_reports streams: a client that reads a few bytes every 100 ms
# holds the worker to a few buffers (its RSS is compared with the same
# worker's before), and still gets every record, byte for byte; clients
# that leave mid-answer leave no descriptor behind and crash nothing.
# gzip'd rotated files (LOG.N.gz, several gzip members, LOG.N beside its
# .gz while gzip works) are read; a gzip'd file that is cut short is a
# 500 when nothing was sent yet, and a truncated answer (no last chunk)
# after the 200 went out, logged at crit either way.

use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use IO::Select;
use Socket qw(SOL_SOCKET SO_RCVBUF);
use Time::HiRes qw(sleep time);
use PassportTest;

my $t = PassportTest->new;
my $gen = "$PassportTest::ROOT/build/unit/report_gen";
-x $gen or BAIL_OUT("$gen not built: make unit");
my $log = $t->path('logs/reports.log');

sub sh { system($_[0]) == 0 or BAIL_OUT("failed: $_[0]") }
sub slurp { open(my $fh, '<:raw', $_[0]) or die "$_[0]: $!"; local $/; <$fh> }

# --- the node's log: 3000 records in LOG.3.gz (two gzip members), 3000
# in LOG.2.gz with LOG.2 beside it (gzip at work), 3000 in LOG.1, 20000
# in LOG; oldest first they are one chain

sh("$gen 1500 > $log.3a && $gen 1500 - $log.3a > $log.3b");
sh("cat $log.3a $log.3b > $log.3 && gzip -c $log.3a > $log.3.gz"
   . " && gzip -c $log.3b >> $log.3.gz && rm $log.3a $log.3b");
sh("$gen 3000 - $log.3 > $log.2 && gzip -k $log.2");
sh("$gen 3000 - $log.2 > $log.1");
sh("$gen 20000 - $log.1 > $log");
my $all = join '', map { slurp($_) } "$log.3", "$log.2", "$log.1", $log;
unlink "$log.3";
ok(-s "$log.3.gz" && -s "$log.2.gz" && !-e "$log.3", 'LOG.3.gz, LOG.2.gz');
my @lines = split /^/m, $all;
is(scalar @lines, 29000, '29000 records in four files');

# --- receiving directories: a node whose rotated file is gzip'd; a
# gzip'd file cut in its middle, after more than a buffer of records;
# one that is no gzip at all

my $dir = $t->path('received');
mkdir $dir;
sh("REPORT_GEN_NODE=hn-1 $gen 400 > $dir/hn-1.ndjson.1");
sh("REPORT_GEN_NODE=hn-1 $gen 100 - $dir/hn-1.ndjson.1 > $dir/hn-1.ndjson");
my $hn1 = slurp("$dir/hn-1.ndjson.1") . slurp("$dir/hn-1.ndjson");
sh("gzip $dir/hn-1.ndjson.1");

my $cut = $t->path('cut');
mkdir $cut;
sh("REPORT_GEN_NODE=x $gen 4000 | gzip > $cut/x.ndjson.1.gz");
truncate("$cut/x.ndjson.1.gz", int((-s "$cut/x.ndjson.1.gz") / 2)) or die;
$t->write_file('cut/x.ndjson', '');

my $bad = $t->path('bad');
mkdir $bad;
$t->write_file('bad/y.ndjson.1.gz', "not gzip at all\n" x 10);
$t->write_file('bad/y.ndjson', '');

sub config {
    my ($main) = @_;
    $t->config(<<"EOF2", workers => 1, main => $main);
    passport_report_log %%PREFIX%%/logs/reports.log node=gen;

    server {
        listen 127.0.0.1:%%PORT_main%%;
        send_timeout 30s;

        location /reports  { passport_reports; }
        location /received { passport_reports %%PREFIX%%/received; }
        location /cut      { passport_reports %%PREFIX%%/cut; }
        location /bad      { passport_reports %%PREFIX%%/bad; }
    }
EOF2
}

sub split_answer {
    my ($raw) = @_;
    my ($head, $body) = split /\r\n\r\n/, $raw, 2;
    $head //= '';
    my ($status) = $head =~ m{^HTTP/1\.1 (\d+)};
    my $done;
    if ($head =~ /^Transfer-Encoding: chunked/mi) {
        ($body, $done) = PassportTest::dechunk($body // '');
    } else {
        my ($len) = $head =~ /^Content-Length: (\d+)/mi;
        $done = defined $len && $len == length($body // '');
    }
    return ($status, $body // '', $done, $head);
}

sub get {
    my ($path) = @_;
    return split_answer($t->raw(data => "GET $path HTTP/1.1\r\nHost: x\r\n"
                                        . "Connection: close\r\n\r\n",
                                timeout => 30));
}

sub worker { ($t->worker_pids)[0] }

sub status_kb {
    my ($pid, $what) = @_;
    open(my $fh, '<', "/proc/$pid/status") or return 0;
    while (<$fh>) { return $1 if /^$what:\s+(\d+)/ }
    return 0;
}

sub fds {
    my $pid = shift;
    opendir(my $d, "/proc/$pid/fd") or return -1;
    return scalar grep { !/^\./ } readdir $d;
}

# a client with a small receive buffer that reads $n bytes every 100 ms
# for $secs seconds, then all the rest; the worker's RSS when it is
# slowest
sub slow {
    my ($path, $n, $secs) = @_;
    my $s = IO::Socket::INET->new(Proto => 'tcp');
    setsockopt($s, SOL_SOCKET, SO_RCVBUF, 4096);
    $s->connect(Socket::pack_sockaddr_in($t->port('main'),
                                         Socket::inet_aton('127.0.0.1')))
        or die "connect: $!";
    $s->syswrite("GET $path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    my ($buf, $rss, $end) = ('', 0, time + $secs);
    while (time < $end) {
        sleep 0.1;
        sysread($s, $buf, $n, length $buf);
        my $now = status_kb(worker(), 'VmRSS');
        $rss = $now if $now > $rss;
    }
    my $sel = IO::Select->new($s);
    $end = time + 60;
    while (time < $end) {
        next unless $sel->can_read(0.5);
        my $r = sysread($s, $buf, 262144, length $buf);
        last unless $r;
    }
    close $s;
    return ($rss, split_answer($buf));
}

for my $mode ([ 'no thread pool', '' ],
              [ 'thread pool', "thread_pool default threads=2;\n" ])
{
    my ($name, $main) = @$mode;
    config($main);
    $t->run;

    # every record of the four files, in order, the gzip'd ones too
    my ($st, $body, $done) = get('/reports?limit=10000');
    is($st, 200, "$name: 200");
    ok($done && $body eq join('', @lines[0 .. 9999]),
       "$name: 10000 records of LOG.3.gz, LOG.2 and LOG.1, byte for byte");
    ($st, $body, $done) = get('/reports?since=28990&limit=10000');
    ok($done && $body eq join('', @lines[28990 .. $#lines]),
       "$name: the last of LOG");

    ($st, $body, $done) = get('/received?limit=10000');
    ok($done && $body eq $hn1, "$name: a receiving directory's "
                               . 'NODE.ndjson.1.gz and NODE.ndjson');

    # the baseline: the same worker after a query of the same kind
    get('/reports?since=28000&limit=1000');
    my $pid = worker();
    my $base = status_kb($pid, 'VmRSS');
    my $fd0 = fds($pid);

    my ($rss, $st2, $body2, $done2, $head2) =
        slow('/reports?since=12000&limit=10000', 200, 3);
    is($st2, 200, "$name: the slow client: 200");
    like($head2, qr/^Transfer-Encoding: chunked/mi, "$name: ... chunked");
    ok($done2 && $body2 eq join('', @lines[12000 .. 21999]),
       "$name: ... every record, byte for byte, to the last chunk");
    my $size = length $body2;
    ok($size > 4_000_000, "$name: ... an answer of $size bytes");
    SKIP: {
        skip "$name: memory is measured without sanitizers", 1
            if PassportTest::sanitized();
        ok($rss - $base < 1024,
           "$name: worker RSS $base kB before, at most $rss kB while the "
           . 'client is slow: bounded, not the answer\'s size');
    }
    is(worker(), $pid, "$name: the same worker");

    # clients that leave mid-answer, slow or not, while the file is read
    for my $i (1 .. 10) {
        my $s = IO::Socket::INET->new(Proto => 'tcp');
        setsockopt($s, SOL_SOCKET, SO_RCVBUF, 4096) if $i % 2;
        $s->connect(Socket::pack_sockaddr_in($t->port('main'),
                                      Socket::inet_aton('127.0.0.1')))
            or die;
        $s->syswrite("GET /reports?limit=10000&since=" . ($i * 1000)
                     . " HTTP/1.1\r\nHost: x\r\n\r\n");
        sleep 0.05 * ($i % 4);
        my $junk;
        sysread($s, $junk, 1000);
        close $s;
    }
    ok($t->wait_for(sub { fds($pid) == $fd0 }, 10),
       "$name: clients gone mid-answer: the worker's descriptors are "
       . "back to $fd0 (" . fds($pid) . ')');
    ($st, $body, $done) = get('/reports?since=28998');
    ok($st == 200 && $done && $body eq join('', @lines[28998, 28999]),
       "$name: ... the same worker answers the next");
    is(worker(), $pid, "$name: ... and did not crash");

    # HEAD: the header alone; no length, the type
    my $raw = $t->raw(data => "HEAD /reports?format=csv HTTP/1.1\r\n"
                              . "Host: x\r\nConnection: close\r\n\r\n");
    ok($raw =~ m{^HTTP/1\.1 200}
       && $raw =~ m{^Content-Type: text/csv}mi
       && $raw !~ /^(Content-Length|Transfer-Encoding):/mi
       && $raw =~ /\r\n\r\n\z/, "$name: HEAD: the headers only");

    # a small answer is not chunked: it has its length
    ($st, $body, $done, my $head) = get('/reports?since=28998');
    like($head, qr/^Content-Length: \d+/mi, "$name: a small answer has "
                                            . 'a Content-Length');

    # gzip'd files that fail
    $t->mark_log;
    ($st) = get('/bad');
    is($st, 500, "$name: a .gz that is no gzip: 500 (nothing sent yet)");
    like($t->log_since_mark, qr/\[crit\].*cannot read the report log "[^"]*y\.ndjson\.1\.gz": incorrect header check/,
         "$name: ... logged at crit, naming the file");

    $t->mark_log;
    ($st, $body, $done) = get('/cut?limit=10000');
    ok($st == 200 && !$done && length($body) > 65536,
       "$name: a .gz cut short after a buffer of records: a 200 cut "
       . 'short, without its last chunk (' . length($body) . ' bytes)');
    like($t->log_since_mark, qr/\[crit\].*x\.ndjson\.1\.gz": the gzip'd file ends before its data/,
         "$name: ... the file logged at crit");
    like($t->log_since_mark, qr/\[crit\].*passport_reports is cut short after \d+ record/,
         "$name: ... and the cut answer");

    $t->stop;
}

unlike($t->error_log, qr/exited on signal|\[alert\]/, 'no worker crashed');
# the crit lines are those of the gzip'd files that fail, and only them
my @bad = grep { /\[(alert|crit|emerg|error)\]/
                 && !/\[crit\].*(cannot read the report log "[^"]*(y|x)\.ndjson\.1\.gz"|is cut short after)/ }
          split /\n/, $t->error_log;
ok(!@bad, 'no other error, crit or alert line') or diag(join "\n", @bad);

done_testing;
