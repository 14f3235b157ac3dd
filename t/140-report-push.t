#!/usr/bin/perl
# Delivery of the report log to the regulator (passport_report_push):
# ndjson batches from one worker, a durable cursor, retries with backoff.
# The regulator is down, then up; answers 500, then 200; nginx is killed
# with SIGKILL while a batch is in flight: every seq ends up delivered
# (duplicates allowed, no gaps).  Then a reload, and a rotation that
# leaves undelivered records behind (a warning names them).  Last, an
# HTTPS regulator with a private CA (the test CA of t/080): refused with
# the system's CAs, delivered to with trusted_certificate=.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $log = $t->path('logs/reports.log');
my $dir = $t->path('backends/regulator');
$t->write_file('conf/push.token', "s3cret-token\n");

# the regulator: 500 while "fail" exists, slow while "slow" exists
my @routes = ([ 'POST', qr{^/ingest$}, sub {
    return { status => 500, body => "down\n" } if -e "$dir/fail";
    return { delay => 30, status => 200, body => "ok\n" } if -e "$dir/slow";
    return { status => 200, body => "ok\n" };
} ]);

# t/141-report-push-threads.t runs this file again with a thread pool
# (PASSPORT_TEST_THREADS): "default" is used without a parameter, another
# name with threads=NAME; the debug log shows the pool at work
my $pool = $ENV{PASSPORT_TEST_THREADS};
my %main = $pool ? (main => "thread_pool $pool threads=2;\n"
                            . "error_log %%PREFIX%%/logs/debug.log debug;\n")
                 : ();
my $param = ($pool && $pool ne 'default') ? " threads=$pool" : '';

(my $http = <<'EOF') =~ s/node=market-1;/node=market-1$param;/;
    passport_report_log %%PREFIX%%/logs/reports.log node=market-1;
    passport_report_push http://127.0.0.1:%%PORT_regulator%%/ingest
                         interval=200ms batch=3 token_file=push.token;

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
$t->config($http, workers => 2, %main);

# a configuration check first: the push needs the log

my $conf = $t->path('conf/nginx.conf');
open(my $fh, '<', $conf) or die;
my $text = do { local $/; <$fh> };
close $fh;
(my $nolog = $text) =~ s/passport_report_log [^;]*;//;
$t->write_file('conf/nginx.conf', $nolog);
my ($rc, $out) = $t->test_config;
isnt($rc, 0, 'passport_report_push without passport_report_log: refused');
like($out, qr/requires "passport_report_log"/, '... and says why');
(my $bad = $text) =~ s/batch=3/batch=0/;
$t->write_file('conf/nginx.conf', $bad);
($rc, $out) = $t->test_config;
like($out, qr/invalid parameter "batch=0"/, 'batch=0: refused');
$t->write_file('conf/nginx.conf', $text);

$t->run;

my $listing = { seller_id => '0100233480',
                items => [ { trace_code => '12345673' } ] };

sub block {
    for (1 .. ($_[0] // 1)) {
        my $r = $t->request(method => 'POST', path => '/listings',
                            body => $json->encode($listing),
                            headers => [ 'Content-Type'
                                         => 'application/json' ]);
        die "not blocked: $r->{status}" unless $r->{status} == 422;
    }
}

sub log_lines {
    open(my $fh, '<:raw', $log) or return ();
    return <$fh>;
}

my $reg;

# the POSTs the regulator received: [ request, [ seq, ... ] ]
sub received {
    return () unless $reg;
    return map { [ $_, [ map { $json->decode($_)->{seq} }
                         grep { length } split /\n/, $_->{body} ] ] }
           $reg->requests;
}

# every seq 1..$n delivered at least once
sub covered {
    my ($n) = @_;
    my %seen = map { $_ => 1 } map { @{ $_->[1] } } received();
    return !grep { !$seen{$_} } 1 .. $n;
}

# --- the regulator is down, then up

block(5);
ok($t->wait_for(sub { $t->error_log =~ /report push to .* failed/ }, 10),
   'down: the failure is logged');
$reg = $t->backend('regulator', routes => \@routes);
ok($t->wait_for(sub { covered(5) }, 20), 'up: every record delivered');

my @got = received();
my $first = $got[0][0];
is($first->{method}, 'POST', 'POST');
is($first->{headers}{'content-type'}, 'application/x-ndjson', 'ndjson');
is($first->{headers}{authorization}, 'Bearer s3cret-token',
   'the token from token_file');
ok(!grep({ @{ $_->[1] } > 3 } @got), 'at most batch records a POST');
my @lines = log_lines();
my %line = map { $json->decode($_)->{seq} => $_ } @lines;
ok(!grep({ my $r = $_->[0];
           grep { $_ . "\n" ne $line{ $json->decode($_)->{seq} } }
           grep { length } split /\n/, $r->{body} } @got),
   'each line exactly as in the log');
ok($t->wait_for(sub {
       open(my $c, '<', "$log.state/cursor") or return 0;
       return (<$c> // '') eq "5\n";
   }, 5), 'the cursor file holds the last seq delivered');

# --- 500, then 200

$t->write_file('backends/regulator/fail', '');
my $before = () = $reg->requests;
block(4);
ok($t->wait_for(sub { $t->error_log =~ /report push to .* status 500/ }, 10),
   '500: logged');
ok($t->wait_for(sub { scalar($reg->requests) >= $before + 2 }, 10),
   '500: tried again');
unlink "$dir/fail";
ok($t->wait_for(sub { covered(9) }, 20), '200: every record delivered');

# --- SIGKILL while a batch is in flight

$t->write_file('backends/regulator/slow', '');
$before = () = $reg->requests;
block(4);
ok($t->wait_for(sub { grep { grep { $_ == 10 } @{ $_->[1] } } received() },
                10), 'a batch with seq 10 is in flight');
my @pids = ($t->master_pid, $t->worker_pids);
kill 'KILL', @pids;
sub alive {    # a zombie counts as gone
    my ($pid) = @_;
    open(my $st, '<', "/proc/$pid/stat") or return 0;
    return (<$st> // '') !~ /\)\s+Z/;
}
ok($t->wait_for(sub { !grep { alive($_) } @pids }, 5), 'nginx killed');
$t->stop;
unlink "$dir/slow";

my $n = () = received();
$t->run;
block(2);
my $last = $json->decode((log_lines())[-1])->{seq};
is($last, 15, '15 records in the log');
ok($t->wait_for(sub { covered($last) }, 20),
   'after SIGKILL and a start: every record delivered');
my @after = (received())[$n .. scalar(received()) - 1];
my @resent = sort { $a <=> $b } map { @{ $_->[1] } } @after;
is($resent[0], 10, 'the batch cut by SIGKILL is sent again, '
                   . 'nothing the cursor covers');

# --- nothing new: no more POSTs

ok($t->wait_for(sub {
       open(my $c, '<', "$log.state/cursor") or return 0;
       return (<$c> // '') eq "15\n";
   }, 10), 'the cursor caught up');
$n = () = $reg->requests;
select(undef, undef, undef, 0.6);
is(scalar($reg->requests), $n, 'no POST without new records');

# --- a reload: the new worker 0 goes on from the cursor

$t->reload;
block(1);
ok($t->wait_for(sub { covered(16) }, 10), 'reload: the next record delivered');

# --- records only in a rotated-away file: a warning, then the new file

$t->write_file('backends/regulator/fail', '');
$t->mark_log;
block(2);
ok($t->wait_for(sub { $t->log_since_mark =~ /status 500/ }, 10),
   'rotation: the regulator fails');
rename $log, "$log.1" or die;
# what logrotate's "create" does; the workers go on in the new file
open(my $new, '>', $log) or die;
close $new;
block(1);
unlink "$dir/fail";
ok($t->wait_for(sub {
       grep { grep { $_ == 20 } @{ $_->[1] } } received() }, 20),
   'rotation: the new file is pushed');
like($t->log_since_mark,
     qr/\[warn\].*records 17 to 18 are not in .*reports\.log/,
     'rotation: the records left in the old file are named at warn');

if ($pool) {
    open(my $d, '<', $t->path('logs/debug.log')) or die;
    my $n = grep { /task #\d+ added to thread pool "\Q$pool\E"/ } <$d>;
    ok($n > 10, "the log was read and the cursor saved in \"$pool\": $n");
}

$t->stop;
$t->error_log_clean(allow => [ qr/passport: report push to .* failed/ ]);
unlike($t->error_log, qr/exited on signal/, 'no worker crashed');

# --- HTTPS: the regulator's certificate is verified; trusted_certificate=
# trusts a private CA instead of the system's CAs

use File::Basename ();
(my $tls_name = File::Basename::basename($0)) =~ s/\.t$/-tls/;
my $tt = PassportTest->new(name => $tls_name);
my $certs = PassportTest::Registry::make_certs($tt);
$tt->backend('backend');
my $ingest = $tt->backend('regulator',
    routes => [ [ 'POST', qr{^/ingest$}, { status => 200, body => "ok\n" } ] ]);

# the regulator behind nginx's TLS, with a certificate of the test CA
sub tls_config {
    my ($push) = @_;
    $tt->config(<<"EOF");
    passport_report_log %%PREFIX%%/logs/reports.log node=market-1;
    passport_report_push $push;

    server {
        listen 127.0.0.1:%%PORT_ingest%% ssl;
        ssl_certificate $certs->{cert};
        ssl_certificate_key $certs->{key};
        location /ingest { proxy_pass http://127.0.0.1:%%PORT_regulator%%; }
    }

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
}

sub tls_block {
    my $r = $tt->request(method => 'POST', path => '/listings',
                         body => $json->encode($listing),
                         headers => [ 'Content-Type' => 'application/json' ]);
    die "not blocked: $r->{status}" unless $r->{status} == 422;
}

my $https = 'https://127.0.0.1:%%PORT_ingest%%/ingest interval=200ms';

tls_config("$https trusted_certificate=no-such-ca.pem");
($rc, $out) = $tt->test_config;
isnt($rc, 0, 'trusted_certificate= with no file: refused');
like($out, qr/"passport_report_push": .*stat\(\) ".*no-such-ca\.pem" failed/,
     '... the message names the directive and the file');

tls_config('"https://127.0.0.1:%%PORT_ingest%%/ingest#part"');
($rc, $out) = $tt->test_config;
isnt($rc, 0, 'a push URL with a fragment: refused');
like($out, qr/invalid push URL ".*#part" in "passport_report_push": remove the fragment/,
     '... the message says what to do');

tls_config($https);
$tt->run;
tls_block();
ok($tt->wait_for(sub { $tt->error_log =~ /report push to .* failed: .*certificate/i }, 10),
   "system CAs: the regulator's certificate is refused");
is(scalar($ingest->requests), 0, 'system CAs: nothing delivered');
$tt->stop;

tls_config("$https trusted_certificate=$certs->{ca}");
$tt->run;
tls_block();
ok($tt->wait_for(sub {
       my %seen = map { $json->decode($_)->{seq} => 1 }
                  grep { length } map { split /\n/, $_->{body} } $ingest->requests;
       $seen{1} && $seen{2};
   }, 10), 'trusted_certificate=: delivered over HTTPS, the record left behind too');
is(($ingest->requests)[0]{headers}{'content-type'}, 'application/x-ndjson',
   'trusted_certificate=: an ndjson POST');
$tt->stop;
$tt->error_log_clean(allow => [ qr/passport: report push to .* failed/ ]);

done_testing;
