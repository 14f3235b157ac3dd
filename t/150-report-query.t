#!/usr/bin/perl
# The query endpoint (passport_reports) over a log much bigger than one
# read buffer: lines across buffer edges, a record longer than the first
# buffer, a line longer than any buffer (skipped and counted).  Every
# answer is compared with the file.  The same again with the log's file
# work in nginx's "default" thread pool, in a pool named with threads=,
# and with threads=off; the debug log shows where the reads ran.  A HEAD
# with a bad parameter gets its 400 header and the connection goes on;
# queries in flight during a reload are answered.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $gen = "$PassportTest::ROOT/build/unit/report_gen";
my $log = $t->path('logs/reports.log');
my $debug = $t->path('logs/debug.log');

-x $gen or BAIL_OUT("$gen not built: make unit");

# --- the log: 8000 records, a 1.5 MiB line, 8000 more (after a recovery
# record, as the generator continues a file that ends badly)

system("$gen 8000 > $log") == 0 or BAIL_OUT('report_gen failed');
open(my $fh, '>>:raw', $log) or die;
print $fh 'x' x (1536 * 1024), "\n";
close $fh;
system("$gen 8000 - $log >> $log.tmp && cat $log.tmp >> $log") == 0
    or BAIL_OUT('report_gen failed');
unlink "$log.tmp";
ok(-s $log > 5_000_000, 'a log of some MB');

sub config {
    my ($main, $param) = @_;
    $t->config(<<"EOF", workers => 2, main => $main);
    passport_report_log %%PREFIX%%/logs/reports.log node=market-1$param;

    server {
        listen 127.0.0.1:%%PORT_main%%;

        location /listings {
            passport on;
            passport_seller /seller_id;
            passport_items /items;
            passport_item_code /trace_code;
            passport_max_items 2000;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /reports {
            passport_reports;
        }
    }
EOF
}

# a record as long as records get (64 KiB, the query's read buffer),
# written by nginx
config('', '');
$t->run;
my $items = [ map { { trace_code => '12345673' } } 1 .. 1500 ];
my $r = $t->request(method => 'POST', path => '/listings',
                    body => $json->encode({ seller_id => '0100233480',
                                            items => $items }),
                    headers => [ 'Content-Type' => 'application/json' ]);
is($r->{status}, 422, 'a listing of 1500 bad items is blocked');
$t->stop;

# what the file holds: the verdict lines, each as it is
open($fh, '<:raw', $log) or die;
my @verdicts;
while (my $line = <$fh>) {
    next if length($line) > 1024 * 1024;
    my $rec = eval { $json->decode($line) } or next;
    push @verdicts, [ $line, $rec ] if $rec->{type} eq 'verdict';
}
close $fh;
is(scalar @verdicts, 16001, '16001 verdict records in the file');
my $big = $verdicts[-1];
ok(length($big->[0]) > 60000 && length($big->[0]) <= 65536
   && $big->[1]{items_omitted},
   'the last record is cut to 64 KiB, items_omitted says so: '
   . length($big->[0]));

sub lines { join '', map { $_->[0] } @_ }

# view=sellers computed from the file: one row a line; monitored
# verdicts apart from the others
my (%st, @order);
for my $v (@verdicts) {
    my $rec = $v->[1];
    my $s = $rec->{seller} // '';
    my $e = $st{$s} //= { seller => $s, records => 0, blocked => 0,
                          flagged => 0, monitor_blocked => 0,
                          monitor_flagged => 0,
                          modes => { enforce => 0, flag => 0, monitor => 0 },
                          reasons => {}, nodes => [], first => $rec->{time} };
    $e->{records}++;
    my $m = $rec->{mode} eq 'monitor' ? 'monitor_' : '';
    $e->{ $m . ($rec->{verdict} eq 'block' ? 'blocked' : 'flagged') }++;
    $e->{modes}{ $rec->{mode} }++;
    $e->{reasons}{$_}++ for @{ $rec->{reasons} };
    push @{ $e->{nodes} }, $rec->{node}
        unless grep { $_ eq $rec->{node} } @{ $e->{nodes} };
    $e->{last} = $rec->{time};
}
my @sellers = sort { $b->{records} <=> $a->{records}
                     || $a->{seller} cmp $b->{seller} } values %st;

# answers of some MB, streamed (chunked): read as they come; complete
# when the last chunk came (or as long as a Content-Length says)
sub query {
    my ($q) = @_;
    my $raw = $t->raw(data => "GET /reports$q HTTP/1.1\r\nHost: localhost\r\n"
                              . "Connection: close\r\n\r\n", timeout => 20);
    my ($head, $body) = split /\r\n\r\n/, $raw, 2;
    my ($status) = ($head // '') =~ m{^HTTP/1\.1 (\d+)};
    my ($len) = ($head // '') =~ /^Content-Length: (\d+)/mi;
    $body //= '';
    my $complete = defined $len && $len == length $body;
    if (($head // '') =~ /^Transfer-Encoding: chunked/mi) {
        ($body, $complete) = PassportTest::dechunk($body);
    }
    return { status => $status, body => $body, complete => $complete,
             head => $head // '' };
}

sub check {
    my ($mode) = @_;

    my $r = query('?limit=10000');
    is($r->{status}, 200, "$mode: 200");
    ok($r->{complete}, "$mode: the whole answer, to its last chunk");
    like($r->{head}, qr/^Transfer-Encoding: chunked/mi,
         "$mode: streamed, chunked");
    ok($r->{body} eq lines(@verdicts[0 .. 9999]),
       "$mode: the first 10000 records, byte for byte");

    my $since = $verdicts[9999][1]{seq};
    $r = query("?since=$since&limit=10000");
    ok($r->{body} eq lines(@verdicts[10000 .. $#verdicts]),
       "$mode: the rest, the record longer than a buffer included");

    my @want = grep { $_->[1]{verdict} eq 'flag'
                      && ($_->[1]{seller} // '') eq '0100109106'
                      && $_->[1]{seq} > 5000 } @verdicts;
    $r = query('?verdict=flag&seller=0100109106&since=5000&limit=10000');
    ok(@want > 1000 && $r->{body} eq lines(@want),
       "$mode: verdict, seller and since over the whole file");

    $r = query('?since=16001&limit=1');
    is(($json->decode($r->{body}))->{seq}, $big->[1]{seq},
       "$mode: since and limit 1");

    $r = query('?view=sellers');
    is_deeply([ map { $json->decode($_) } split /\n/, $r->{body} ],
              \@sellers, "$mode: view=sellers matches the file");

    $t->mark_log;
    query('?limit=1&since=15000');
    like($t->log_since_mark,
         qr/\[warn\].*1 line\(s\) of the report log .* longer than 1048576 bytes skipped/,
         "$mode: the line longer than 1 MiB is skipped and counted");

    # HEAD: the header only, the GET's Content-Type, no length (the GET
    # streams); then a HEAD with a bad parameter: its 400, and the
    # connection goes on
    my $raw = $t->raw(data => "HEAD /reports?limit=10000 HTTP/1.1\r\n"
                              . "Host: localhost\r\n\r\n"
                              . "HEAD /reports?limit=0 HTTP/1.1\r\n"
                              . "Host: localhost\r\n\r\n"
                              . "GET /reports?since=16000 HTTP/1.1\r\n"
                              . "Host: localhost\r\nConnection: close\r\n\r\n",
                      timeout => 20);
    my @st = $raw =~ m{^HTTP/1\.1 (\d+)}mg;
    is("@st", '200 400 200', "$mode: HEAD, HEAD with a bad parameter, GET "
                             . 'on one connection');
    my ($h1) = split /\r\n\r\n/, $raw, 2;
    ok($h1 =~ m{^Content-Type: application/x-ndjson}mi
       && $h1 !~ /^(Content-Length|Transfer-Encoding):/mi,
       "$mode: HEAD has the type, and no length");
    like($raw, qr/\r\n\r\nHTTP\/1\.1 400 .*?\r\n\r\nHTTP\/1\.1 200/s,
         "$mode: no body after a HEAD's header");
    like($raw, qr/"seq":16002,.*\n\r\n0\r\n\r\n\z/s,
         "$mode: the GET after them answers, to its last chunk");

    # a client that leaves while the file is read
    $t->raw(data => "GET /reports?limit=10000 HTTP/1.1\r\n"
                    . "Host: localhost\r\n\r\n", close_after => 1) for 1 .. 5;
    $r = query('?since=16000');
    is($r->{status}, 200, "$mode: clients gone mid-query, the next answered");
}

# a reload while queries wait for their reads: the old workers answer
sub reload_check {
    my ($mode) = @_;
    my @h = map { $t->request_begin(path => '/reports?since=16001',
                                    timeout => 20) } 1 .. 20;
    $t->reload;
    my @ok = grep { ($_->{status} // 0) == 200
                    && $_->{body} =~ /^\{"seq":16002,.*\n\z/s }
             map { $t->request_end($_) } @h;
    is(scalar @ok, 20, "$mode: a reload: the queries in flight are answered");
}

my $tp = qr/task #\d+ added to thread pool "([^"]+)"/;

sub pools {
    open(my $d, '<', $debug) or return {};
    my %p;
    while (<$d>) { $p{$1}++ if /$tp/ }
    return \%p;
}

my $dlog = "error_log %%PREFIX%%/logs/debug.log debug;\n";

for my $mode ([ 'no thread pool', '', '', undef ],
              [ 'pool "default"', "thread_pool default threads=2;\n", '',
                'default' ],
              [ 'threads=rq', "thread_pool rq threads=1;\n", ' threads=rq',
                'rq' ],
              [ 'threads=off', "thread_pool default threads=2;\n",
                ' threads=off', undef ])
{
    my ($name, $main, $param, $pool) = @$mode;
    unlink $debug;
    config($main . $dlog, $param);
    $t->run;
    check($name);
    my $p = pools();    # before exiting workers post exit tasks to them
    reload_check($name);
    $t->stop;

    if ($pool) {
        ok(($p->{$pool} // 0) > 20, "$name: the reads ran in \"$pool\"");
    } else {
        is(scalar keys %$p, 0, "$name: no thread pool used");
    }
}

# --- after a rotation without "create", until the next record makes the
# new file: no records, not a 500

config('', '');
$t->run;
rename $log, "$log.rotated" or die;
$r = $t->request(path => '/reports');
is($r->{status}, 200, 'rotated away: the query answers 200');
is($r->{body}, '', '... with no records');
unlike($t->error_log, qr/\[crit\].*cannot read the report log/,
       '... and no crit line');
$t->stop;
rename "$log.rotated", $log or die;

# --- configuration

config("thread_pool default threads=2;\n", ' threads=nope');
my ($rc, $out) = $t->test_config;
isnt($rc, 0, 'threads= an undeclared pool: refused');
like($out, qr/unknown thread pool "nope"/, '... and says which');
config('', ' threads=');
($rc, $out) = $t->test_config;
like($out, qr/invalid parameter "threads="/, 'threads= empty: refused');
config('', ' threads=off threads=off');
($rc, $out) = $t->test_config;
like($out, qr/invalid parameter "threads=off"/, 'threads= twice: refused');

unlike($t->error_log, qr/exited on signal/, 'no worker crashed');
$t->error_log_clean(allow => [ qr/longer than 1048576 bytes skipped/ ]);

done_testing;
