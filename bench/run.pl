#!/usr/bin/perl
# Benchmark of ngx_http_passport_module on loopback (bench/README.md).
#
# One nginx (1 worker by default) in build/bench/, one listing POST sent by
# wrk to three locations of it, all proxying to a "return 200" backend in
# another server block of the same nginx:
#
#   plain   no passport
#   warm    passport, registry lookups answered from a warm passport_cache
#   cold    passport, passport_cache off: every listing asks the registry,
#           which answers after 50 ms (a PassportTest::Server)
#   local   for reference: passport with passport_registry off (local
#           rules only), to tell the cache's share of the overhead
#
# Prints requests/s and p99 latency of each (median of --rounds runs) and
# the ratio warm/plain, as Markdown, also written to build/bench/results.md
# (and to --md FILE).
#
#   perl bench/run.pl [--duration 5] [--connections 50] [--threads 1]
#                     [--workers 1] [--rounds 3] [--delay 0.05] [--md FILE]
#
# wrk comes from Debian's packages (apt-get install -y wrk); run as root,
# this script installs it when it is missing.  Not a test: make test does
# not run it.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use Cwd qw(abs_path);
use File::Path qw(make_path remove_tree);
use Getopt::Long;
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(time sleep);
use PassportTest::Server;
use PassportTest::Cache qw(open_registry_routes);

my %o = (duration => 5, connections => 50, threads => 1, workers => 1, rounds => 3, delay => 0.05);
GetOptions(\%o, 'duration=i', 'connections=i', 'threads=i', 'workers=i', 'rounds=i', 'delay=f', 'md=s')
    or die "usage: $0 [--duration S] [--connections N] [--threads N] [--workers N] [--rounds N] [--delay S] [--md FILE]\n";

my $ROOT = abs_path("$FindBin::Bin/..");
my $NGINX = $ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx';
my $SO = $ENV{PASSPORT_MODULE} || "$ROOT/build/ngx_http_passport_module.so";
my $P = "$ROOT/build/bench";

sub sh { my $out = `@_ 2>&1`; chomp $out; return $out }
sub have { system("command -v $_[0] >/dev/null 2>&1") == 0 }

# --- what is needed

if (!have('wrk')) {
    # wrk is packaged by Debian: apt-get install -y wrk
    die "wrk is missing: apt-get install -y wrk (as root)\n" if $> != 0;
    system('apt-get', 'install', '-y', 'wrk') == 0
        or (system('apt-get', 'update') == 0 && system('apt-get', 'install', '-y', 'wrk') == 0)
        or die "could not install wrk\n";
}
if (!-f $SO) {
    system('make', '-C', $ROOT) == 0 or die "make failed\n";
}
die "$NGINX is not executable\n" unless -x $NGINX;

# --- ports, registry, nginx

my %port;
for my $name (qw(front backend registry)) {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp') or die "bind: $@";
    $port{$name} = $s->sockport;
}

if (-f "$P/conf/nginx.conf" && -s "$P/logs/nginx.pid") {    # left by an aborted run
    system("$NGINX -p $P/ -c conf/nginx.conf -s quit >/dev/null 2>&1");
    sleep 1;
}
remove_tree($P);
make_path(map { "$P/$_" } qw(conf logs tmp registry));

my $reg = PassportTest::Server->start(port => $port{registry}, dir => "$P/registry",
    routes => open_registry_routes(delay => $o{delay}));

# The listing: a seller and three items; each code's serial (AI 21) is the
# seller, so the open registry says the seller owns it.  4 lookups.
my $seller = '0100109106';
my $body = JSON::PP->new->canonical->encode({
    seller_id => $seller, title => 'Sua dac Ong Tho 380 g, thung 48 lon', price => 1250000, currency => 'VND',
    items => [ map { { trace_code => "(01)$_(21)$seller", origin => 'VN', quantity => 16 } }
               qw(08934673577038 09506000134352 04006381333931) ],
});

my $user = $> == 0 ? "user root;\n" : '';
my $temp = join '', map { "    ${_}_temp_path $P/tmp/$_;\n" } qw(client_body proxy fastcgi uwsgi scgi);
open(my $cf, '>', "$P/conf/nginx.conf") or die "$P/conf/nginx.conf: $!";
print $cf <<"EOF";
load_module $SO;
daemon on;
master_process on;
worker_processes $o{workers};
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

    passport_cache_zone bench:10m valid=1h;

    server {                                   # the backend
        listen 127.0.0.1:$port{backend};
        keepalive_requests 1000000;
        location / {
            default_type application/json;
            return 200 '{"ok":true}\\n';
        }
    }

    server {                                   # what wrk talks to
        listen 127.0.0.1:$port{front};
        keepalive_requests 1000000;

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header X-Passport-Verdict \$passport_verdict;
        add_header X-Passport-Cache \$passport_cache_status always;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_item_origin /origin;
        passport_registry http://127.0.0.1:$port{registry}/registry;

        location /plain {
            proxy_pass http://backend;
        }
        location /warm {
            passport on;
            passport_cache bench;
            proxy_pass http://backend;
        }
        location /cold {
            passport on;
            passport_cache off;
            proxy_pass http://backend;
        }
        location /local {                      # for reference: no registry at all
            passport on;
            passport_registry off;
            proxy_pass http://backend;
        }
    }
}
EOF
close $cf;

my $started;
sub stop_all {
    if ($started) { system($NGINX, '-p', "$P/", '-c', 'conf/nginx.conf', '-s', 'quit'); $started = 0 }
    $reg->stop if $reg;
}
$SIG{INT} = $SIG{TERM} = sub { stop_all(); exit 1 };
END { stop_all() }

system($NGINX, '-p', "$P/", '-c', 'conf/nginx.conf') == 0 or die "nginx did not start:\n" . sh("cat $P/logs/error.log");
$started = 1;
for (1 .. 100) {
    last if IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port{front}, Proto => 'tcp');
    sleep 0.05;
}

# --- every location answers 200; warm is a HIT after one listing

my $http = HTTP::Tiny->new(timeout => 10);
sub post { $http->post("http://127.0.0.1:$port{front}$_[0]", { content => $body, headers => { 'Content-Type' => 'application/json' } }) }
for my $path (qw(/plain /warm /warm /cold /local)) {
    my $r = post($path);
    die "POST $path: $r->{status} $r->{content}\n" unless $r->{status} == 200;
}
my $hit = post('/warm')->{headers}{'x-passport-cache'} // '';
die "/warm is not answered from the cache (X-Passport-Cache: $hit)\n" unless $hit eq 'HIT';
my $bypass = post('/cold')->{headers}{'x-passport-cache'} // '';
die "/cold is not BYPASS ($bypass)\n" unless $bypass eq 'BYPASS';

# --- wrk

open(my $lf, '>', "$P/post.lua") or die $!;
(my $lua_body = $body) =~ s/(["\\])/\\$1/g;
print $lf <<"EOF";
-- the listing POST (bench/run.pl)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "$lua_body"
EOF
close $lf;

sub ms {
    my ($v, $u) = @_;
    return $v / 1000 if $u eq 'us';
    return $v if $u eq 'ms';
    return $v * 1000 if $u eq 's';
    return $v * 60000 if $u eq 'm';
    die "unknown unit $u\n";
}

sub wrk {
    my ($path, $duration) = @_;
    my $out = sh("wrk -t$o{threads} -c$o{connections} -d${duration}s --latency -s $P/post.lua http://127.0.0.1:$port{front}$path");
    my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/ or die "wrk output not understood:\n$out\n";
    my ($p99, $u) = $out =~ /^\s+99%\s+([\d.]+)(us|ms|s|m)\b/m or die "no p99 in wrk output:\n$out\n";
    my ($non2xx) = $out =~ /Non-2xx or 3xx responses:\s+(\d+)/;
    my ($errs) = $out =~ /Socket errors:\s*(.*)/;
    my ($total) = $out =~ /(\d+) requests in/;
    return { rps => $rps, p99 => ms($p99, $u), non2xx => $non2xx // 0, errors => $errs // '', total => $total, raw => $out };
}

sub median { my @s = sort { $a <=> $b } @_; return @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2 }

my @cases = (
    [ plain => '/plain', '(1) nginx proxy, no passport' ],
    [ warm  => '/warm',  '(2) passport, warm cache' ],
    [ cold  => '/cold',  "(3) passport, no cache, registry answering after " . ($o{delay} * 1000) . ' ms' ],
    [ local => '/local', '(ref) passport, local rules only, no registry' ],
);
# the registry stand-in alone (GET, same delay): it must keep up with what
# the cold case asks of it
my $cal = do {
    my $out = sh("wrk -t1 -c$o{connections} -d2s --latency http://127.0.0.1:$port{registry}/registry/entities/$seller");
    my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
    my ($p99, $u) = $out =~ /^\s+99%\s+([\d.]+)(us|ms|s|m)\b/m;
    { rps => $rps // 0, p99 => defined $p99 ? ms($p99, $u) : 0 };
};
printf STDERR "registry stand-in alone: %.1f req/s, p99 %.2f ms\n", $cal->{rps}, $cal->{p99};

my %res;
for my $round (1 .. $o{rounds}) {
    for my $c (@cases) {
        my ($name, $path) = @$c;
        wrk($path, 1);    # warm-up: connections, and the registry's answers for "warm"
        my $n0 = () = $reg->requests;
        my $w = wrk($path, $o{duration});
        $w->{registry} = (() = $reg->requests) - $n0;
        push @{ $res{$name} }, $w;
        printf STDERR "round %d %-5s %10.1f req/s  p99 %8.2f ms  non-2xx %d  registry requests %d%s\n",
            $round, $name, $w->{rps}, $w->{p99}, $w->{non2xx}, $w->{registry}, $w->{errors} ? "  socket errors: $w->{errors}" : '';
    }
}

# --- report

my %m;
for my $c (@cases) {
    my $runs = $res{ $c->[0] };
    $m{ $c->[0] } = { rps => median(map { $_->{rps} } @$runs), p99 => median(map { $_->{p99} } @$runs),
        non2xx => eval { my $s = 0; $s += $_->{non2xx} for @$runs; $s },
        registry => median(map { $_->{registry} } @$runs) };
}
my $ratio = $m{plain}{rps} ? $m{warm}{rps} / $m{plain}{rps} : 0;

my $cpu = (sh("grep -m1 '^model name' /proc/cpuinfo") =~ /:\s*(.*)/)[0] // 'unknown';
my %machine = (
    nproc => sh('nproc'), cpu => $cpu, kernel => sh('uname -sr'),
    memory => sprintf('%.1f GiB', ((sh("grep MemTotal /proc/meminfo") =~ /(\d+)/)[0] // 0) / 1048576),
    nginx => sh("$NGINX -v") =~ s/^nginx version:\s*//r, wrk => (sh('wrk -v') =~ /^(wrk \S+)/m)[0] // 'wrk',
    perl => sprintf('%vd', $^V), date => POSIX::strftime('%Y-%m-%d', gmtime),
    commit => sh("git -C $ROOT rev-parse --short HEAD") . (sh("git -C $ROOT status --porcelain src") ? ' + uncommitted src/ changes' : ''),
);

my $md = '';
$md .= "Run on $machine{date}, module at $machine{commit}.\n\n";
$md .= "| machine | |\n|---|---|\n";
$md .= "| CPU | $machine{cpu} |\n| nproc | $machine{nproc} |\n| memory | $machine{memory} |\n| kernel | $machine{kernel} |\n";
$md .= "| nginx | $machine{nginx} |\n| load generator | $machine{wrk} |\n| registry stand-in | PassportTest::Server (Perl $machine{perl}), delay $o{delay} s |\n\n";
$md .= "Settings: `perl bench/run.pl --duration $o{duration} --connections $o{connections} --threads $o{threads} "
     . "--workers $o{workers} --rounds $o{rounds} --delay $o{delay}`: nginx `worker_processes $o{workers}`, "
     . "wrk $o{threads} thread(s), $o{connections} keep-alive connections, $o{duration} s per run after a 1 s warm-up, "
     . "median of $o{rounds} rounds (the cases alternate within a round). Listing: "
     . length($body) . " bytes, a seller and three GS1 codes (4 registry lookups when not cached).\n\n";
$md .= "| case | requests/s | p99 latency | non-2xx | registry requests per run |\n|---|---:|---:|---:|---:|\n";
for my $c (@cases) {
    my $x = $m{ $c->[0] };
    $md .= sprintf "| %s | %.0f | %.2f ms | %d | %d |\n", $c->[2], $x->{rps}, $x->{p99}, $x->{non2xx}, $x->{registry};
}
$md .= sprintf "\nWarm ratio (2)/(1): **%.3f** (target: at least 0.90).\n", $ratio;
$md .= sprintf "\nThe registry stand-in alone (GET, %d connections, same delay): %.0f requests/s, p99 %.2f ms; "
     . "case (3) asked it for %.0f requests/s.\n", $o{connections}, $cal->{rps}, $cal->{p99}, $m{cold}{registry} / $o{duration};
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
print STDERR "error log:\n" . join("\n", @err[0 .. ($#err < 9 ? $#err : 9)]) . "\n" if @err;
exit 0;
