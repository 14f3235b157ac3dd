#!/usr/bin/perl
# Benchmark of ngx_http_passport_module on loopback (bench/README.md).
#
# One nginx (1 worker by default) in build/bench/, listing POSTs sent by wrk
# to locations of it that all proxy to a "return 200" backend in another
# server block of the same nginx:
#
#   plain3, plain5  no passport (the 3-item and the 5-item listing)
#   warm3, warm5    passport, every lookup answered by a warm passport_cache
#   local3          passport with passport_registry off (local rules only)
#   lua3            the Lua peer (bench/peer.lua), warm, when Debian's
#                   libnginx-mod-http-lua and lua-cjson are installed
#
# then the cold burst (N listings at once, N distinct sellers, a registry
# answering after --delay) and the zone bytes per cached record.  Every
# response must be a 200 (wrk's non-2xx count, the burst's statuses): a
# wrong verdict fails the bench.  Prints Markdown, also written to
# build/bench/results.md (and --md FILE); exits 1 when a check failed
# (not when a target is missed).
#
#   perl bench/run.pl [--duration 5] [--connections 50] [--threads 1]
#                     [--workers 1] [--rounds 3] [--delay 0.1]
#                     [--burst 500] [--zone 512k] [--quick] [--no-lua]
#                     [--prefix DIR] [--md FILE]
#
# --quick (t/300-bench-quick.t): 1 s runs, 1 round, no warm-up runs, a
# burst of 50, a 64k zone.  Installs nothing: make bench-deps does.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use Cwd qw(abs_path);
use Errno qw(EINPROGRESS EAGAIN EWOULDBLOCK EINTR);
use File::Path qw(make_path remove_tree);
use Getopt::Long;
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(time sleep);
use PassportTest::Cache qw(tax_codes);

my %o;
GetOptions(\%o, 'duration=i', 'connections=i', 'threads=i', 'workers=i', 'rounds=i', 'delay=f',
    'burst=i', 'zone=s', 'quick', 'md=s', 'no-lua', 'prefix=s')
    or die "usage: $0 [--duration S] [--connections N] [--threads N] [--workers N] [--rounds N] "
         . "[--delay S] [--burst N] [--zone SIZE] [--quick] [--no-lua] [--md FILE]\n";
# --quick changes the defaults only: options given still apply
%o = ($o{quick} ? (duration => 1, rounds => 1, warmup => 0, burst => 50, zone => '64k')
                : (duration => 5, rounds => 3, warmup => 1, burst => 500, zone => '512k'),
      connections => 50, threads => 1, workers => 1, delay => 0.1, %o);

my $ROOT = abs_path("$FindBin::Bin/..");
my $NGINX = $ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx';
my $SO = $ENV{PASSPORT_MODULE} || "$ROOT/build/ngx_http_passport_module.so";
my $MODS = $ENV{NGINX_MODULES_DIR} || '/usr/lib/nginx/modules';
my $P = $o{prefix} ? abs_path($o{prefix}) // $o{prefix} : "$ROOT/build/bench";    # wiped at each run
my @FAIL;    # checks that failed: exit 1

sub sh { my $out = `@_ 2>&1`; chomp $out; return $out }
sub have { system("command -v $_[0] >/dev/null 2>&1") == 0 }

# --- what is needed (nothing is installed here: make bench-deps)

die "bench: wrk is missing: make bench-deps (or apt-get install wrk, as root)\n" unless have('wrk');
die "bench: $SO is missing: make\n" unless -f $SO;
die "bench: $NGINX is not executable\n" unless -x $NGINX;
my $lua = !$o{'no-lua'} && -f "$MODS/ngx_http_lua_module.so" && -f "$MODS/ndk_http_module.so"
    && -f '/usr/share/lua/5.1/cjson/util.lua';
print STDERR "bench: the Lua peer is skipped: make bench-deps installs libnginx-mod-http-lua and lua-cjson\n"
    if !$lua && !$o{'no-lua'};

# --- ports, registries, nginx

my %port;
for my $name (qw(front backend slow fast)) {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp') or die "bind: $@";
    $port{$name} = $s->sockport;
}

if (-f "$P/conf/nginx.conf" && -s "$P/logs/nginx.pid") {    # left by an aborted run
    system("$NGINX -p $P/ -c conf/nginx.conf -s quit >/dev/null 2>&1");
    sleep 1;
}
remove_tree($P);
make_path(map { "$P/$_" } qw(conf logs tmp));

# two registry stand-ins: "slow" answers after --delay (the cold burst),
# "fast" at once (warming the caches, filling the zones)
my %reg;
for my $r ([ slow => $o{delay} ], [ fast => 0 ]) {
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        exec($^X, "$FindBin::Bin/registry.pl", '--port', $port{ $r->[0] }, '--delay', $r->[1],
            '--log', "$P/logs/registry-$r->[0].log") or POSIX::_exit(1);
    }
    $reg{ $r->[0] } = $pid;
}

# The listings: a seller and items whose serial (AI 21) is the seller, so
# that the registry says the seller owns each code.
my $json = JSON::PP->new->canonical;
my $seller = '0100109106';
sub gtin { my $d = shift; my $s = 0; $s += substr($d, $_, 1) * ($_ % 2 ? 1 : 3) for 0 .. 12; $d . (10 - $s % 10) % 10 }
sub listing {
    my ($sel, $desc, @gtins) = @_;
    return $json->encode({ seller_id => $sel, title => 'Sua dac Ong Tho 380 g, thung 48 lon', price => 1250000,
        currency => 'VND', defined $desc ? (description => $desc) : (),
        items => [ map { { trace_code => "(01)$_(21)$sel", origin => 'VN', quantity => 16 } } @gtins ] });
}
my $desc = 'Sua dac co duong Ong Tho, lon 380 g, thung 48 lon. Hang chinh hang Vinamilk, '
    . 'nhap tu nha phan phoi cap 1, co hoa don VAT. Han su dung con 12 thang ke tu ngay giao. '
    . 'Giao hang toan quoc trong 2 den 4 ngay, doi tra trong 7 ngay neu lon bi mop hoac hu hong. '
    . 'Bao quan noi kho rao, thoang mat, tranh anh nang truc tiep. Sau khi mo nap dung trong 3 ngay.';
$desc .= ' ' . ('x' x (400 - length($desc) - 1)) if length $desc < 400;
$desc = substr($desc, 0, 400);
my %body = (
    3 => listing($seller, undef, qw(08934673577038 09506000134352 04006381333931)),
    5 => listing($seller, $desc, qw(08934673577038 09506000134352 04006381333931 08934563138165 08936036021042)),
);

my $user = $> == 0 ? "user root;\n" : '';
my $temp = join '', map { "    ${_}_temp_path $P/tmp/$_;\n" } qw(client_body proxy fastcgi uwsgi scgi);
my ($lua_load, $lua_http, $lua_loc) = ('', '', '');
if ($lua) {
    $lua_load = "load_module $MODS/ndk_http_module.so;\nload_module $MODS/ngx_http_lua_module.so;\n";
    $lua_http = <<"EOF";
    lua_package_path "$FindBin::Bin/?.lua;;";
    lua_shared_dict peer_cache 10m;
    upstream registry_peer {
        server 127.0.0.1:$port{fast};
        keepalive 64;
    }
EOF
    $lua_loc = <<"EOF";
        location /lua {
            access_by_lua_block { require("peer").check() }
            proxy_pass http://backend;
        }
        location /_peer_registry/ {
            internal;
            proxy_pass http://registry_peer/registry/;
        }
EOF
}

open(my $cf, '>', "$P/conf/nginx.conf") or die "$P/conf/nginx.conf: $!";
print $cf <<"EOF";
$lua_load
load_module $SO;
daemon on;
master_process on;
worker_processes $o{workers};
worker_rlimit_nofile 8192;
pid $P/logs/nginx.pid;
error_log $P/logs/error.log warn;
$user
events {
    worker_connections 4096;
}

http {
    access_log off;
$temp
    upstream backend {
        server 127.0.0.1:$port{backend};
        keepalive 64;
    }
$lua_http
    passport_cache_zone bench:10m valid=1h;
    passport_cache_zone zone_entity:$o{zone} valid=1h;
    passport_cache_zone zone_code:$o{zone} valid=1h;

    # the cold burst: N listings at once, each with its own seller and
    # code, 2 lookups each, all in flight together (one connection each
    # over HTTP/1.1); a burst that overflows these is refused REGISTRY_BUSY
    passport_registry_connections 1100;
    passport_registry_lookups 1100;

    server {                                   # the backend
        listen 127.0.0.1:$port{backend};
        keepalive_requests 1000000;
        location / {
            default_type application/json;
            return 200 '{"ok":true}\\n';
        }
    }

    server {                                   # what the clients talk to
        listen 127.0.0.1:$port{front} backlog=4096;
        keepalive_requests 1000000;

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header X-Passport-Verdict \$passport_verdict;
        add_header X-Passport-Cache \$passport_cache_status always;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_item_origin /origin;
        passport_registry http://127.0.0.1:$port{fast}/registry;

        location /plain {
            proxy_pass http://backend;
        }
        location /warm {
            passport on;
            passport_cache bench;
            proxy_pass http://backend;
        }
        location /local {
            passport on;
            passport_registry off;
            proxy_pass http://backend;
        }
        location /burst {
            passport on;
            passport_cache off;
            passport_registry http://127.0.0.1:$port{slow}/registry;
            proxy_pass http://backend;
        }
        location /zone-entity {
            passport on;
            passport_cache zone_entity;
            proxy_pass http://backend;
        }
        location /zone-code {
            passport on;
            passport_cache zone_code;
            proxy_pass http://backend;
        }
$lua_loc    }
}
EOF
close $cf;

my $started;
sub stop_all {
    if ($started) { system($NGINX, '-p', "$P/", '-c', 'conf/nginx.conf', '-s', 'quit'); $started = 0 }
    for (values %reg) { kill 'TERM', $_; waitpid($_, 0) }
    %reg = ();
}
$SIG{INT} = $SIG{TERM} = $SIG{PIPE} = sub { stop_all(); exit 1 };
END { my $rc = $?; stop_all(); $? = $rc }

system($NGINX, '-p', "$P/", '-c', 'conf/nginx.conf') == 0 or die "nginx did not start:\n" . sh("cat $P/logs/error.log");
$started = 1;
for my $p (@port{qw(front slow fast)}) {
    for (1 .. 100) {
        last if IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $p, Proto => 'tcp');
        sleep 0.05;
    }
}

# --- every location answers 200; warm is a HIT after one listing

# one keep-alive connection, each request in one write (a request in two
# writes waits for a delayed ACK: 40 ms)
my $csock;
sub post {
    my ($path, $b) = @_;
    for my $try (1, 2) {
        $csock ||= IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port{front}, Proto => 'tcp')
            or die "bench: connect: $!\n";
        syswrite($csock, "POST $path HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            . "Content-Length: " . length($b) . "\r\n\r\n$b");
        my $in = '';
        while ($in !~ /\r\n\r\n/) {
            my $n = sysread($csock, $in, 65536, length $in);
            last unless $n;
        }
        my ($head, $rest) = split /\r\n\r\n/, $in, 2;
        if (!defined $head || $head !~ m{^HTTP/1\.1 (\d+)}) { undef $csock; next }
        my $status = $1;
        my %h = map { /^([^:]+):\s*(.*)$/ ? (lc $1, $2) : () } split /\r\n/, $head;
        my $len = $h{'content-length'} // 0;
        while (length($rest) < $len) {
            my $n = sysread($csock, $rest, 65536, length $rest);
            last unless $n;
        }
        undef $csock if ($h{connection} // '') =~ /close/i;
        return { status => $status, headers => \%h, content => $rest };
    }
    return { status => 0, headers => {}, content => 'no answer' };
}
my @cases = (
    [ plain3 => '/plain', 3, '(1) nginx proxy, no passport, 3 items' ],
    [ warm3  => '/warm',  3, '(2) passport, warm cache, 3 items' ],
    [ local3 => '/local', 3, '(3) passport, local rules only, 3 items' ],
    $lua ? [ lua3 => '/lua', 3, '(4) Lua peer, warm shared dict, 3 items' ] : (),
    [ plain5 => '/plain', 5, '(5) nginx proxy, no passport, 5 items + 400 B' ],
    [ warm5  => '/warm',  5, '(6) passport, warm cache, 5 items + 400 B' ],
);
for my $c (@cases) {
    my ($name, $path, $n) = @$c;
    for (1 .. 2) {
        my $r = post($path, $body{$n});
        die "bench: POST $path ($n items): $r->{status} $r->{content}\n" unless $r->{status} == 200;
    }
    my $r = post($path, $body{$n});
    my $cache = $r->{headers}{'x-passport-cache'} // '';
    die "bench: $path is not answered from the cache (X-Passport-Cache: $cache)\n"
        if $name =~ /^warm/ && $cache ne 'HIT';
}

# --- wrk

sub lua_string { my $s = shift; $s =~ s/(["\\])/\\$1/g; return $s }
for my $n (3, 5) {
    open(my $lf, '>', "$P/post$n.lua") or die $!;
    print $lf "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
            . "wrk.body = \"" . lua_string($body{$n}) . "\"\n";
    close $lf;
}

sub ms {
    my ($v, $u) = @_;
    return $v / 1000 if $u eq 'us';
    return $v if $u eq 'ms';
    return $v * 1000 if $u eq 's';
    return $v * 60000 if $u eq 'm';
    die "unknown unit $u\n";
}

sub wrk {
    my ($path, $n, $duration) = @_;
    my $out = sh("wrk -t$o{threads} -c$o{connections} -d${duration}s --latency -s $P/post$n.lua "
        . "http://127.0.0.1:$port{front}$path");
    my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/ or die "wrk output not understood:\n$out\n";
    my ($p99, $u) = $out =~ /^\s+99%\s+([\d.]+)(us|ms|s|m)\b/m or die "no p99 in wrk output:\n$out\n";
    my ($non2xx) = $out =~ /Non-2xx or 3xx responses:\s+(\d+)/;
    my ($errs) = $out =~ /Socket errors:\s*(.*)/;
    return { rps => $rps, p99 => ms($p99, $u), non2xx => $non2xx // 0, errors => $errs // '' };
}

sub median { my @s = sort { $a <=> $b } @_; return @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2 }
sub reg_lines { my $f = "$P/logs/registry-$_[0].log"; return -f $f ? scalar(() = sh("cat $f") =~ /\n/g) : 0 }

my %res;
my $t0 = time;
for my $round (1 .. $o{rounds}) {
    for my $c (@cases) {
        my ($name, $path, $n) = @$c;
        wrk($path, $n, $o{warmup}) if $o{warmup};
        my $n0 = reg_lines('fast');
        my $w = wrk($path, $n, $o{duration});
        $w->{registry} = reg_lines('fast') - $n0;
        push @{ $res{$name} }, $w;
        push @FAIL, "$name: $w->{non2xx} responses were not 2xx" if $w->{non2xx};
        push @FAIL, "$name: $w->{registry} registry requests during a warm run" if $name =~ /^(warm|lua)/ && $w->{registry};
        printf STDERR "round %d %-6s %10.1f req/s  p99 %8.2f ms  non-2xx %d  registry requests %d%s\n",
            $round, $name, $w->{rps}, $w->{p99}, $w->{non2xx}, $w->{registry},
            $w->{errors} ? "  socket errors: $w->{errors}" : '';
    }
}
my $wrk_time = time - $t0;

# --- the cold burst: N connections, each one listing of its own seller

sub burst {
    my ($path, @bodies) = @_;
    my @c;
    for my $b (@bodies) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port{front}, Proto => 'tcp')
            or die "bench: burst connect: $!\n";
        $s->blocking(0);
        push @c, { s => $s, out => "POST $path HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            . "Connection: close\r\nContent-Length: " . length($b) . "\r\n\r\n$b", in => '' };
    }
    my $start = time;
    for my $c (@c) {    # all requests written before any answer is read
        my $w = syswrite($c->{s}, $c->{out});
        substr($c->{out}, 0, $w) = '' if defined $w;
    }
    my $open = @c;
    my $deadline = $start + 30;
    while ($open && time < $deadline) {
        my ($rin, $win) = ('', '');
        for my $c (grep { !$_->{done} } @c) {
            vec($rin, fileno $c->{s}, 1) = 1;
            vec($win, fileno $c->{s}, 1) = 1 if length $c->{out};
        }
        select(my $rout = $rin, my $wout = $win, undef, 0.5) > 0 or next;
        for my $c (grep { !$_->{done} } @c) {
            my $fd = fileno $c->{s};
            if (vec($wout, $fd, 1)) {
                my $w = syswrite($c->{s}, $c->{out});
                substr($c->{out}, 0, $w) = '' if defined $w;
            }
            next unless vec($rout, $fd, 1);
            my $r = sysread($c->{s}, my $buf, 65536);
            next if !defined $r && ($! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR);
            if ($r) { $c->{in} .= $buf; next }
            $c->{done} = time;
            $open--;
            close $c->{s};
        }
    }
    my @t = map { $_->{done} ? $_->{done} - $start : 999 } @c;
    my @st = map { $_->{in} =~ m{^HTTP/1\.1 (\d+)} ? $1 : 0 } @c;
    return { start => $start, times => \@t, status => \@st, c => \@c };
}

# one listing alone first: one registry round trip, as the module sees it
my @bsellers = tax_codes($o{burst} + 2, from => 1000, prefix => '04');
my @bsingle = splice(@bsellers, 0, 2);
my $rtt;
for my $s (@bsingle) {    # the shorter of two: the first one also connects
    my $t = time;
    my $one = post('/burst', listing($s, undef, '08934673577038'));
    $t = time - $t;
    $rtt = $t if !defined $rtt || $t < $rtt;
    push @FAIL, "burst: a single listing got $one->{status}" unless $one->{status} == 200;
}
printf STDERR "bench: wrk runs %.0f s\n", time - $t0;
my $bu = burst('/burst', map { listing($_, undef, '08934673577038') } @bsellers);
my @bad = grep { $bu->{status}[$_] != 200 } 0 .. $#{ $bu->{status} };
my $last = (sort { $b <=> $a } @{ $bu->{times} })[0];
my $burst_p50 = median(@{ $bu->{times} });
push @FAIL, sprintf('burst: %d of %d listings not answered 200 (first: %s)', scalar @bad, $o{burst},
    $bu->{status}[ $bad[0] ] || 'no answer') if @bad;
my $burst_ok = !@bad && $last <= 3 * $rtt;

# --- zone bytes per record: fill a small zone through the registry, one
# new record a listing, in order; the zone then holds the newest C records
# (LRU), which a probe from the newest back counts (a HIT disturbs nothing,
# the first MISS ends it)

sub zone_count {
    my ($path, $make, $n) = @_;
    for my $i (0 .. $n - 1) {
        my $r = post($path, $make->($i));
        push(@FAIL, "$path fill: $r->{status}"), return 0 unless $r->{status} == 200;
    }
    my $c = 0;
    for (my $i = $n - 1; $i >= 0; $i--) {
        my $r = post($path, $make->($i));
        last unless ($r->{headers}{'x-passport-cache'} // '') eq 'HIT';
        $c++;
    }
    push @FAIL, "$path: every record fitted ($c of $n): fill more" if $c == $n;
    return $c;
}
printf STDERR "bench: burst done, %.0f s\n", time - $t0;
my $zone_bytes = do { my $z = lc $o{zone}; $z =~ /^(\d+)([km]?)$/ or die "--zone $o{zone}?\n"; $1 * { '' => 1, k => 1024, m => 1048576 }->{$2} };
my $fill = int($zone_bytes / 128);    # more than fit at 128 B a record
my @zsellers = tax_codes($fill, from => 1, prefix => '05');
my $zone_e = zone_count('/zone-entity', sub { listing($zsellers[ $_[0] ], undef, '08934673577038') }, $fill);
my $zone_c = zone_count('/zone-code', sub { listing($seller, undef, gtin(sprintf '893%010d', $_[0] + 1)) }, $fill);

printf STDERR "bench: zones done, %.0f s\n", time - $t0;

# --- report

my %m;
for my $c (@cases) {
    my $runs = $res{ $c->[0] };
    $m{ $c->[0] } = { rps => median(map { $_->{rps} } @$runs), p99 => median(map { $_->{p99} } @$runs),
        non2xx => eval { my $s = 0; $s += $_->{non2xx} for @$runs; $s },
        registry => median(map { $_->{registry} } @$runs) };
}
# ratios: the median of the rounds' ratios (each round's cases run back to back)
sub ratio {
    my ($a, $b, $k) = @_;
    return undef unless $res{$a} && $res{$b};
    return median(map { $res{$b}[$_]{$k} ? $res{$a}[$_]{$k} / $res{$b}[$_]{$k} : 0 } 0 .. $o{rounds} - 1);
}
my @targets = (
    [ 'warm / plain, 3 items (requests/s)', ratio('warm3', 'plain3', 'rps'), '>=', 0.90 ],
    [ 'warm / plain, 5 items + 400 B (requests/s)', ratio('warm5', 'plain5', 'rps'), '>=', 0.90 ],
    [ 'local rules / plain, 3 items (requests/s)', ratio('local3', 'plain3', 'rps'), '>=', 0.95 ],
    [ 'warm passport / warm Lua peer, 3 items (requests/s)', ratio('warm3', 'lua3', 'rps'), '>=', 1.5 ],
    [ 'p99 warm / p99 plain, 3 items', ratio('warm3', 'plain3', 'p99'), '<=', 1.2 ],
    [ 'p99 warm / p99 plain, 5 items + 400 B', ratio('warm5', 'plain5', 'p99'), '<=', 1.2 ],
);

my $cpu = (sh("grep -m1 '^model name' /proc/cpuinfo") =~ /:\s*(.*)/)[0] // 'unknown';
my %machine = (
    nproc => sh('nproc'), cpu => $cpu, kernel => sh('uname -sr'), load => (split ' ', sh('cat /proc/loadavg'))[0],
    memory => sprintf('%.1f GiB', ((sh("grep MemTotal /proc/meminfo") =~ /(\d+)/)[0] // 0) / 1048576),
    nginx => sh("$NGINX -v") =~ s/^nginx version:\s*//r, wrk => (sh('wrk -v') =~ /^(wrk \S+)/m)[0] // 'wrk',
    perl => sprintf('%vd', $^V), date => POSIX::strftime('%Y-%m-%d %H:%M UTC', gmtime),
    lua => $lua ? (sh("dpkg-query -W -f='\${Version}' libnginx-mod-http-lua") || 'installed') : 'not installed',
    commit => sh("git -C $ROOT rev-parse --short HEAD") . (sh("git -C $ROOT status --porcelain src") ? ' + uncommitted src/ changes' : ''),
);

my $md = '';
$md .= "Run on $machine{date}, module at $machine{commit}; load average $machine{load} when it ended.\n\n";
$md .= "| machine | |\n|---|---|\n";
$md .= "| CPU | $machine{cpu} |\n| nproc | $machine{nproc} |\n| memory | $machine{memory} |\n| kernel | $machine{kernel} |\n";
$md .= "| nginx | $machine{nginx} |\n| Lua module | libnginx-mod-http-lua $machine{lua} |\n| load generator | $machine{wrk} |\n"
     . "| registry stand-in | bench/registry.pl (Perl $machine{perl}) |\n\n";
$md .= "Settings: `perl bench/run.pl --duration $o{duration} --connections $o{connections} --threads $o{threads} "
     . "--workers $o{workers} --rounds $o{rounds} --delay $o{delay} --burst $o{burst} --zone $o{zone}"
     . ($o{quick} ? ' --quick' : '') . "`: nginx `worker_processes $o{workers}`, wrk $o{threads} thread(s), "
     . "$o{connections} keep-alive connections, $o{duration} s per run"
     . ($o{warmup} ? " after a $o{warmup} s warm-up" : '') . ", median of $o{rounds} round(s) in which the cases "
     . "run in turn. Listings: " . length($body{3}) . " bytes (a seller, 3 items) and " . length($body{5})
     . " bytes (a seller, 5 items, a 400-byte description).\n\n";
$md .= "| case | requests/s | p99 latency | non-2xx | registry requests per run |\n|---|---:|---:|---:|---:|\n";
for my $c (@cases) {
    my $x = $m{ $c->[0] };
    $md .= sprintf "| %s | %.0f | %.2f ms | %d | %d |\n", $c->[3], $x->{rps}, $x->{p99}, $x->{non2xx}, $x->{registry};
}
$md .= "\n| target | measured | goal | |\n|---|---:|---:|---|\n";
for my $t (@targets) {
    my ($what, $v, $op, $goal) = @$t;
    if (!defined $v) { $md .= "| $what | not run | $op $goal | |\n"; next }
    my $met = $op eq '>=' ? $v >= $goal : $v <= $goal;
    $md .= sprintf "| %s | %.3f | %s %.2f | %s |\n", $what, $v, $op, $goal, $met ? 'met' : '**not met**';
}
$md .= sprintf "| cold burst: %d listings, %d distinct sellers, registry after %d ms: last answer after | %.0f ms | <= %.0f ms (3 x %.0f ms, one listing alone) | %s |\n",
    $o{burst}, $o{burst}, $o{delay} * 1000, $last * 1000, 3 * $rtt * 1000, $rtt * 1000, $burst_ok ? 'met' : '**not met**';
# a listing of /zone-entity adds two records (its seller and its code,
# whose serial is the seller): the entity's share is the pair's less a code's
my $code_b = $zone_c ? $zone_bytes / $zone_c : 0;
my $ent_b = $zone_e && $code_b ? $zone_bytes / $zone_e - $code_b : 0;
for my $z ([ "entity record ($zone_e seller + code pairs in $o{zone}, less a code record)", $ent_b ],
           [ "code record, owner, 2 authorized sellers, origin ($zone_c in $o{zone})", $code_b ]) {
    $md .= sprintf "| zone bytes per %s | %.0f B | <= 256 B | %s |\n", $z->[0], $z->[1],
        $z->[1] && $z->[1] <= 256 ? 'met' : '**not met**';
}
$md .= sprintf "\nA 10 MB zone holds about %d entity records or %d code records (measured in a %s zone, scaled).\n",
    $ent_b ? 10485760 / $ent_b : 0, $code_b ? 10485760 / $code_b : 0, $o{zone};
$md .= sprintf "\nCold burst: %d of %d answered 200, median %.0f ms, last %.0f ms after the first request was "
     . "sent; the slow registry saw %d requests.\n", $o{burst} - @bad, $o{burst}, $burst_p50 * 1000, $last * 1000,
     reg_lines('slow');
$md .= "\nEach run:\n\n| round | case | requests/s | p99 |\n|---:|---|---:|---:|\n";
for my $round (1 .. $o{rounds}) {
    for my $c (@cases) {
        my $w = $res{ $c->[0] }[ $round - 1 ];
        $md .= sprintf "| %d | %s | %.0f | %.2f ms |\n", $round, $c->[0], $w->{rps}, $w->{p99};
    }
}

print $md;
for my $f ("$P/results.md", $o{md} || ()) {
    open(my $fh, '>', $f) or die "$f: $!";
    print $fh $md;
    close $fh;
}

my @err = grep { /\[(?:alert|crit|emerg|error)\]/ } split /\n/, sh("cat $P/logs/error.log");
push @FAIL, "error log:\n" . join("\n", @err[0 .. ($#err < 9 ? $#err : 9)]) if @err;
print STDERR "bench: FAILED: $_\n" for @FAIL;
exit(@FAIL ? 1 : 0);
