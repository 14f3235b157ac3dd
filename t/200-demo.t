#!/usr/bin/perl
# make demo, as a newcomer runs it (on free ports and in this test's own
# directory): every scenario gets the verdict it is there to show, the
# backend sees only what passes or is flagged, the signed report log
# verifies, the regulator's view lists the sellers; a second make demo
# replaces the first; a port in use is named; make demo-stop leaves no
# process behind.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET;
use PassportTest;

# the demo starts nginx itself, without the sanitizer runtime: under
# make test-asan it runs the plain build
delete $ENV{PASSPORT_MODULE} if PassportTest::sanitized();

plan skip_all => 'curl not found' unless system('curl --version >/dev/null 2>&1') == 0;
plan skip_all => 'build/passport-verify not built (make)' unless -x "$PassportTest::ROOT/build/passport-verify";

my $t   = PassportTest->new;
my $dir = $t->path('demo');

# the demo's environment: ports chosen free, not 8080-8083
local $ENV{DEMO_DIR}            = $dir;
local $ENV{DEMO_PORT}           = $t->port('api');
local $ENV{DEMO_BACKEND_PORT}   = $t->port('backend');
local $ENV{DEMO_REGISTRY_PORT}  = $t->port('registry');
local $ENV{DEMO_REGULATOR_PORT} = $t->port('regulator');

sub make_demo { $t->_cmd(180, 'make', '-s', '--no-print-directory', '-C', $PassportTest::ROOT, @_) }

sub master {
    open(my $fh, '<', "$dir/logs/nginx.pid") or return;
    my ($pid) = (<$fh> // '') =~ /(\d+)/;
    return $pid;
}

sub alive {    # a zombie counts as gone
    my $pid = shift;
    open(my $fh, '<', "/proc/$pid/stat") or return 0;
    return (<$fh> // '') !~ /\)\s+Z/;
}

sub family {    # the master and its workers
    my $m = shift or return ();
    my @kids;
    for my $f (glob '/proc/[0-9]*/stat') {
        open(my $fh, '<', $f) or next;
        my ($pid, $ppid) = (<$fh> // '') =~ /^(\d+) \(.*\) \S+ (\d+)/ or next;
        push @kids, $pid if $ppid == $m;
    }
    return ($m, @kids);
}

END { system($PassportTest::ROOT . '/tools/demo.sh', 'stop') if $dir && -d $dir }

# ------------------------------------------------------------- the first run

my ($rc, $out) = make_demo('demo');
is($rc, 0, 'make demo succeeds') or diag($out);

my %section;
for my $s (split /^(?=== )/m, $out) {
    $section{$1} = $s if $s =~ /^== (\d+)\. /;
}

# number => [status, verdict, reasons (all of them, in order), reaches backend]
my %expect = (
    1 => [ 200, 'pass',  '',                                          1 ],
    2 => [ 422, 'block', 'CODE_INVALID',                              0 ],
    3 => [ 422, 'block', 'CODE_EXPIRED',                              0 ],
    4 => [ 422, 'block', 'SELLER_NOT_REGISTERED,CODE_OWNER_MISMATCH', 0 ],
    5 => [ 422, 'block', 'SELLER_INACTIVE',                           0 ],
    6 => [ 422, 'block', 'CODE_RECALLED',                             0 ],
    7 => [ 422, 'block', 'CODE_OWNER_MISMATCH',                       0 ],
    8 => [ 422, 'block', 'ORIGIN_MISMATCH',                           0 ],
    9 => [ 200, 'flag',  'SELLER_INACTIVE,CODE_REVOKED',              1 ],
);

for my $n (sort keys %expect) {
    my ($status, $verdict, $reasons, $reached) = @{ $expect{$n} };
    my $s = $section{$n} // '';
    my ($title) = $s =~ /^== \d+\. (.*?) =/;
    $title //= "scenario $n (missing)";
    like($s, qr/^  -> \Q$status\E, verdict \Q$verdict\E(?:: (\S+))?$/m, "$n. $title: $status $verdict");
    my ($got) = $s =~ /^  -> \d+, verdict \w+(?:: (\S+))?$/m;
    is($got // '', $reasons, "$n. $title: reasons");
    like($s, qr{--data-binary \@examples/demo/requests/$n-\S+\.json}, "$n. the request is shown");
    if ($reached) {
        like($s, qr/^    backend received POST /m, "$n. the backend's echo is shown");
        like($s, qr/X-Passport-Verdict: \Q$verdict\E$/m, "$n. the backend got the verdict");
    } else {
        like($s, qr/the backend received: nothing/, "$n. the backend got nothing");
        like($s, qr/"type": "urn:passport:problem:/, "$n. the problem document is shown");
    }
}

like($section{5} // '', qr/Content-Language: vi\).*"title": "Người bán/s,
    '5. the problem document is in Vietnamese');
like($section{1} // '', qr/"seller_id": "0314409058-002"/, '1. the body reached the backend as sent');

like($out, qr/^    OK: 8 records, seq 1\.\.8 in 1 file, chain intact, all signatures verified$/m,
    'the signed report log verifies');
like($out, qr/reports\?view=sellers.*"seller": "0100233488".*"SELLER_INACTIVE": 1/s,
    "the regulator's view of flagged sellers");
like($out, qr/^== Metrics .*\n(?:.*\n)*?    passport_requests_total\{verdict="block",mode="enforce"\} [1-9]/m,
    'metrics: the blocked listings counted');
like($out, qr/^    passport_reports_written_total 8$/m, 'metrics: the eight records written');
like($out, qr{curl -si http://127\.0\.0\.1:$ENV{DEMO_PORT}/api/listings}, 'a curl line to try');
like($out, qr/make demo-stop/, 'how to stop');

my $log = do { local (@ARGV, $/) = "$dir/logs/error.log"; <> } // '';
unlike($log, qr/\[(?:error|crit|alert|emerg)\]/, 'the demo logs no errors') or diag($log);

# ------------------------------------------------------------- again

my @first = family(master());
ok(@first >= 2, 'a master and a worker run');
($rc, $out) = make_demo('demo');
is($rc, 0, 'make demo a second time succeeds') or diag($out);
ok(!grep(alive($_), @first), 'the first demo was stopped');
my @second = family(master());
ok(@second >= 2 && $second[0] != $first[0], 'a new demo runs');

# ------------------------------------------------------------- stop

($rc, $out) = make_demo('demo-stop');
is($rc, 0, 'make demo-stop succeeds') or diag($out);
ok(!grep(alive($_), @second), 'make demo-stop leaves no nginx process');
ok(!-e "$dir/logs/nginx.pid", 'and no pid file');
($rc, $out) = make_demo('demo-stop');
is($rc, 0, 'make demo-stop when stopped succeeds');
like($out, qr/not running/, '... and says so');

# ------------------------------------------------------------- port in use

my $busy = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $ENV{DEMO_REGISTRY_PORT},
    Listen => 5, ReuseAddr => 1) or die "listen: $!";
($rc, $out) = $t->_cmd(60, "$PassportTest::ROOT/tools/demo.sh", 'start');
isnt($rc, 0, 'a port in use stops the demo');
like($out, qr/port\(s\) $ENV{DEMO_REGISTRY_PORT} on 127\.0\.0\.1 already in use/, '... naming the port');
like($out, qr/DEMO_PORT=/, '... and how to choose others');
ok(!master() || !alive(master()), '... and starts no nginx');
close $busy;

done_testing;
