package PassportTest;

# Integration-test harness: runs the stock nginx (optionally with the
# passport module loaded) in a private prefix build/t/<test-name>/ and talks
# to it over 127.0.0.1 only.  Usage and API: t/README.md.

use strict;
use warnings;
use Carp qw(croak);
use Cwd qw(abs_path);
use Errno qw(EAGAIN EWOULDBLOCK EINTR);
use File::Basename qw(basename dirname);
use File::Path qw(make_path remove_tree);
use File::Spec;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Scalar::Util qw(weaken);
use Test::More ();
use Time::HiRes qw(time sleep);
use PassportTest::Server;

our $ROOT = abs_path(dirname(abs_path(__FILE__)) . '/../..');    # the repo root
# PASSPORT_VALGRIND=1 (make test-valgrind): nginx runs in the foreground,
# one process, under valgrind's memcheck, logging to logs/valgrind.PID.log
our $VALGRIND = $ENV{PASSPORT_VALGRIND};
my @ALL;    # weak refs to every harness object, for the END cleanup

# ------------------------------------------------------------- setup

# new(module => 1, nginx => PATH, name => NAME): fresh prefix build/t/NAME/
# (NAME defaults to the test file's basename without .t).
sub new {
    my ($class, %o) = @_;
    (my $name = $o{name} // basename($0)) =~ s/\.t$//;
    $name =~ s/[^\w.-]/_/g;
    my $self = bless { prefix => "$ROOT/build/t/$name", ports => {}, backends => [],
        owner => $$, nginx => $o{nginx} || $ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx' }, $class;
    croak "nginx binary $self->{nginx} is not executable" unless -x $self->{nginx};
    if ($o{module} // 1) {
        my $so = File::Spec->rel2abs($ENV{PASSPORT_MODULE} || "$ROOT/build/ngx_http_passport_module.so");
        croak "passport module not found at $so (build it first, or set PASSPORT_MODULE)" unless -f $so;
        $self->{module} = $so;
    }
    $self->_kill_stale;
    remove_tree($self->{prefix});
    make_path(map { "$self->{prefix}/$_" } qw(conf logs html tmp));
    push @ALL, $self;
    weaken($ALL[-1]);
    return $self;
}

sub prefix { $_[0]{prefix} }
sub path   { "$_[0]{prefix}/$_[1]" }    # absolute path of a file under the prefix

# A free TCP port on 127.0.0.1, allocated on first use and memoised by name.
sub port {
    my ($self, $name) = @_;
    $name //= 'main';
    return $self->{ports}{$name} if $self->{ports}{$name};
    my %used = map { $_ => 1 } values %{ $self->{ports} };
    my $p;
    for (1 .. 50) {
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp')
            or croak "cannot bind 127.0.0.1:0: $@";
        $p = $s->sockport;
        close $s;
        last unless $used{$p};
    }
    return $self->{ports}{$name} = $p;
}

sub write_file {
    my ($self, $rel, $content) = @_;
    my $f = $self->path($rel);
    make_path(dirname($f));
    open(my $fh, '>:raw', $f) or croak "write $f: $!";
    print $fh $content;
    close $fh or croak "write $f: $!";
    return $f;
}

sub _subst {
    my ($self, $text) = @_;
    $text =~ s/%%PORT_(\w+)%%/$self->port($1)/ge;
    $text =~ s/%%PREFIX%%/$self->{prefix}/g;
    return $text;
}

# config($http_text, workers => N, main => TEXT, events => TEXT): writes conf/nginx.conf.
sub config {
    my ($self, $http, %o) = @_;
    my $p = $self->{prefix};
    my $main = ($self->{module} ? "load_module $self->{module};\n" : '')
        . ($VALGRIND ? "daemon off;\nmaster_process off;\n"
                     : "daemon on;\nmaster_process on;\nworker_processes " . ($o{workers} || 1) . ";\n")
        . "pid $p/logs/nginx.pid;\nerror_log $p/logs/error.log info;\n"
        . ($> == 0 ? "user root;\n" : '') . ($o{main} // '');
    my $temp = join '', map { "    ${_}_temp_path $p/tmp/$_;\n" } qw(client_body proxy fastcgi uwsgi scgi);
    # events => 'worker_connections N;' replaces the default
    my $wc = ($o{events} // '') =~ /worker_connections/ ? '' : "    worker_connections 1024;\n";
    my $conf = $self->_subst("$main\n\nevents {\n$wc" . ($o{events} // '')
        . "}\n\nhttp {\n    access_log $p/logs/access.log;\n$temp"
        . "    default_type application/octet-stream;\n\n$http\n}\n");
    my @listen;
    while ($conf =~ /(?:^|[;{}])\s*listen\s+([^\s;]+)/mg) {
        my $addr = $1;
        next if $addr =~ /^unix:/;
        croak "listen must be 127.0.0.1:PORT (got '$addr')" unless $addr =~ /^127\.0\.0\.1:(\d+)$/;
        push @listen, $1;
    }
    $self->{listen} = \@listen;
    $self->{workers} = $VALGRIND ? 0 : $o{workers} || 1;
    $self->write_file('conf/nginx.conf', $conf);
    return $self;
}

# ------------------------------------------------------------- processes

# make test-asan: nginx runs with the sanitizer runtime, whose quarantine
# keeps freed memory resident, so memory sizes mean nothing there
sub sanitized { return !!$ENV{PASSPORT_NGINX_PRELOAD} }

# A chunked body read raw: (its data, 1 when the last chunk came whole).
sub dechunk {
    my ($body) = @_;
    my ($out, $done) = ('', 0);
    while ($body =~ s/\A([0-9a-fA-F]+)\r\n//) {
        my $n = hex $1;
        if ($n == 0) { $done = $body eq "\r\n"; last }
        last if length($body) < $n + 2;
        $out .= substr($body, 0, $n, '');
        $body =~ s/\A\r\n// or last;
    }
    return ($out, $done);
}

# Run a command with a time bound; returns (exit code, stdout+stderr).
sub _cmd {
    my ($self, $timeout, @cmd) = @_;
    my $out = "$self->{prefix}/logs/cmd.out";
    local $?;
    my $pid = fork() // croak "fork: $!";
    if (!$pid) {
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', $out) or POSIX::_exit(126);
        open(STDERR, '>&', \*STDOUT);
        # make test-asan: the sanitizer runtime goes into nginx only; curl
        # and the other tools can hang with it preloaded
        $ENV{LD_PRELOAD} = $ENV{PASSPORT_NGINX_PRELOAD}
            if $ENV{PASSPORT_NGINX_PRELOAD} && $cmd[0] eq $self->{nginx};
        { no warnings 'exec'; exec { $cmd[0] } @cmd }
        POSIX::_exit(127);
    }
    my $deadline = time + $timeout;
    my $rc;
    while (1) {
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) { $rc = $? >> 8; last }
        if (time > $deadline) { kill 'KILL', $pid; waitpid($pid, 0); $rc = -1; last }
        sleep 0.01;
    }
    open(my $fh, '<:raw', $out) or return ($rc, '');
    local $/;
    return ($rc, <$fh> // '');
}

sub _nginx { my $self = shift; $self->_cmd(20, $self->{nginx}, '-p', "$self->{prefix}/", '-c', 'conf/nginx.conf', @_) }

sub test_config { $_[0]->_nginx('-t') }

sub _alive {    # a zombie (not reaped by init) counts as dead
    my $pid = shift;
    return 0 unless $pid && kill 0, $pid;
    open(my $fh, '<', "/proc/$pid/stat") or return 0;
    return (<$fh> // '') !~ /\)\s+Z/;
}

sub master_pid {
    my $self = shift;
    if (open(my $fh, '<', "$self->{prefix}/logs/nginx.pid")) {
        my ($pid) = (<$fh> // '') =~ /(\d+)/;
        return $pid if $pid;
    }
    return $self->{master};
}

# Worker processes (title "nginx: worker process...") whose parent is the master.
sub worker_pids {
    my $self = shift;
    my @w;
    my $m = $self->master_pid or return @w;
    for my $dir (glob '/proc/[0-9]*') {
        open(my $fh, '<', "$dir/stat") or next;
        my ($state, $ppid) = (<$fh> // '') =~ /\)\s+(\S)\s+(\d+)/ or next;
        next unless $ppid == $m && $state ne 'Z';
        open(my $cf, '<', "$dir/cmdline") or next;
        push @w, (split m{/}, $dir)[-1] if (<$cf> // '') =~ /worker process/;
    }
    @w = sort { $a <=> $b } @w;
    return @w;    # in scalar context: the number of workers
}

sub signal { my ($self, $sig) = @_; return kill $sig, $self->master_pid }

sub _wait_ready {
    my ($self, $timeout) = @_;
    return $self->wait_for(sub {
        my $m = $self->master_pid;
        return 0 unless -s "$self->{prefix}/logs/nginx.pid" && _alive($m);
        return 0 if scalar($self->worker_pids) < $self->{workers};
        for my $p (@{ $self->{listen} }) {
            IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $p, Proto => 'tcp', Timeout => 1)
                or return 0;
        }
        return 1;
    }, $timeout);
}

# Start nginx; dies (with the error log) unless the pid file, all workers and
# every listen port are there within ~5 s.
sub run {
    my $self = shift;
    croak 'call config() before run()' unless -f $self->path('conf/nginx.conf');
    croak 'nginx is already running' if $self->{running};
    my ($rc, $out) = $VALGRIND ? $self->_valgrind : $self->_nginx;
    croak "nginx failed to start (exit $rc):\n$out\n--- error.log ---\n" . $self->error_log if $rc;
    $self->{running} = 1;
    return $self if $self->_wait_ready($VALGRIND ? 60 : 5) && ($self->{master} = $self->master_pid);
    my $log = $self->error_log;
    $self->stop(timeout => 2);
    croak "nginx did not come up within 5 s (ports: @{ $self->{listen} }):\n$out\n--- error.log ---\n$log";
}

# nginx in the foreground under memcheck, in a child of ours (reaped in stop)
sub _valgrind {
    my $self = shift;
    unlink "$self->{prefix}/logs/nginx.pid";
    my $pid = fork() // croak "fork: $!";
    if (!$pid) {
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>>', "$self->{prefix}/logs/valgrind.out");
        open(STDERR, '>&', \*STDOUT);
        no warnings 'exec';
        exec 'valgrind', '--tool=memcheck', '--leak-check=full', '--show-leak-kinds=definite',
            '--errors-for-leak-kinds=definite', '--num-callers=40', "--suppressions=$ROOT/t/valgrind.supp",
            "--log-file=$self->{prefix}/logs/valgrind.%p.log", $self->{nginx}, '-p', "$self->{prefix}/",
            '-c', 'conf/nginx.conf';
        POSIX::_exit(127);
    }
    $self->{vg_child} = $pid;
    return (0, '');
}

# nginx -s quit (plain SIGQUIT if that fails), bounded wait, then SIGKILL.
sub stop {
    my ($self, %o) = @_;
    return $self unless $self->{running};
    my $m = $self->master_pid;
    my @w = $self->worker_pids;
    my ($rc) = $self->_nginx('-s', 'quit');
    kill 'QUIT', $m if $rc && $m;
    if (!$self->wait_for(sub { !_alive($m) }, $VALGRIND ? 60 : $o{timeout} // 10)) {
        Test::More::diag("nginx master $m did not exit after QUIT; sending SIGKILL");
        kill 'KILL', grep { _alive($_) } $m, @w, $self->worker_pids;
    }
    waitpid(delete $self->{vg_child}, 0) if $self->{vg_child};
    $self->{running} = 0;
    return $self;
}

# nginx -s reload, then wait until the new workers are up (and ports accept).
sub reload {
    my ($self, %o) = @_;
    my %old = map { $_ => 1 } $self->worker_pids;
    my ($rc, $out) = $self->_nginx('-s', 'reload');
    croak "nginx -s reload failed (exit $rc):\n$out" if $rc;
    $self->wait_for(sub { (grep { !$old{$_} } $self->worker_pids) >= $self->{workers} }, 10)
        or croak "no new workers after reload:\n" . $self->error_log;
    $self->_wait_ready(5) or croak "nginx not ready after reload:\n" . $self->error_log;
    # the master signals the old workers only ~100 ms after starting the
    # new ones: until they are gone they may still accept connections
    # (keep_old => 1 for tests that want them alive with work in flight)
    if (!$o{keep_old}) {
        $self->wait_for(sub { !grep { _alive($_) } keys %old }, 10)
            or Test::More::diag('old workers still alive 10 s after reload');
    }
    return $self;
}

# A PassportTest::Server on port($name), recording into <prefix>/backends/<name>/.
sub backend {
    my ($self, $name, %o) = @_;
    my $s = PassportTest::Server->start(%o, port => $self->port($name), dir => $self->path("backends/$name"));
    push @{ $self->{backends} }, $s;
    return $s;
}

sub _kill_stale {    # an nginx left running in this prefix by an aborted run
    my $self = shift;
    my $m = $self->master_pid or return;
    open(my $fh, '<', "/proc/$m/cmdline") or return;
    return unless (<$fh> // '') =~ /nginx: master/ && _alive($m);
    kill 'TERM', $m;
    $self->wait_for(sub { !_alive($m) }, 5) or kill 'KILL', $m;
}

sub _cleanup {
    my $self = shift;
    return unless $$ == $self->{owner};
    local ($?, $!, $@);
    $_ && $_->stop for @{ $self->{backends} };
    $self->stop;
}

sub DESTROY { $_[0]->_cleanup }
END { $_ && $_->_cleanup for @ALL }

# ------------------------------------------------------------- client side

# wait_for(sub {...}, $timeout = 5): poll every 50 ms; the sub's true value, or undef.
sub wait_for {
    my ($self, $cb, $timeout) = @_;
    my $deadline = time + ($timeout // 5);
    while (1) {
        my $v = $cb->();
        return $v if $v;
        return undef if time > $deadline;
        sleep 0.05;
    }
}

sub _send {    # write all bytes before the deadline; false if the peer stopped reading
    my ($sock, $data, $deadline) = @_;
    local $SIG{PIPE} = 'IGNORE';
    my $sel = IO::Select->new($sock);
    while (length $data) {
        return 0 if time > $deadline;
        next unless $sel->can_write(0.2);
        my $n = syswrite($sock, $data);
        if (!defined $n) { next if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR; return 0 }
        substr($data, 0, $n, '');
    }
    return 1;
}

sub _connect {
    my ($self, %a) = @_;
    my $port = $a{port} || $self->port('main');
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp',
        Timeout => 5) or return (undef, "connect to 127.0.0.1:$port: $@");
    binmode $sock;
    $sock->blocking(0);
    return ($sock);
}

# request_begin(%a): connect and send the request; returns a handle for request_end.
sub request_begin {
    my ($self, %a) = @_;
    my $h = { method => $a{method} // 'GET', deadline => time + ($a{timeout} // 10) };
    my ($sock, $err) = $self->_connect(%a);
    return { %$h, error => $err } unless $sock;
    $h->{sock} = $sock;
    my @hdr = @{ $a{headers} || [] };
    @hdr = map { @$_ } @hdr if @hdr && ref $hdr[0] eq 'ARRAY';    # [[n, v], ...] form
    my %has = map { lc $hdr[ 2 * $_ ] => 1 } 0 .. @hdr / 2 - 1;
    unshift @hdr, Host => 'localhost' unless $has{host};
    push @hdr, Connection => 'close' unless $has{connection};
    my $framed = $has{'content-length'} || $has{'transfer-encoding'};
    push @hdr, 'Transfer-Encoding' => 'chunked' if $a{chunked} && !$framed;
    push @hdr, 'Content-Length' => length $a{body} if defined $a{body} && !$a{chunked} && !$framed;
    my $head = "$h->{method} " . ($a{path} // '/') . ' HTTP/' . ($a{version} // '1.1') . "\r\n";
    $head .= "$hdr[2*$_]: $hdr[2*$_+1]\r\n" for 0 .. @hdr / 2 - 1;
    _send($sock, "$head\r\n" . ($a{body} // ''), $h->{deadline}) or return $h;
    for my $chunk (grep { length } @{ $a{chunked} || [] }) {
        sleep($a{chunk_delay} // 0.05);
        _send($sock, sprintf("%x\r\n%s\r\n", length $chunk, $chunk), $h->{deadline}) or return $h;
    }
    _send($sock, "0\r\n\r\n", $h->{deadline}) if $a{chunked};
    return $h;
}

# Read and parse the response for a handle from request_begin.
sub request_end {
    my ($self, $h) = @_;
    return { status => undef, error => $h->{error}, headers => {}, body => '' } unless $h->{sock};
    my ($buf, $eof, $res) = ('', 0);
    my $sel = IO::Select->new($h->{sock});
    while (1) {
        $res = _parse_response($buf, $eof, $h->{method});
        last if $res || $eof;
        if (time > $h->{deadline}) { $res = _parse_response($buf, 1, $h->{method}); $res->{error} = 'timeout'; last }
        next unless $sel->can_read(0.2);
        my $n = sysread($h->{sock}, $buf, 65536, length $buf);
        next if !defined $n && ($! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR);
        $eof = 1 if !$n;
        $h->{rerr} = "$!" if !defined $n;
    }
    $res->{error} .= " ($h->{rerr})" if $res->{error} && $h->{rerr};
    close $h->{sock};
    return $res;
}

sub request { my ($self, %a) = @_; return $self->request_end($self->request_begin(%a)) }

# Parse a (possibly partial) response; undef while more bytes are needed.
# At EOF a partial response is returned with error set.
sub _parse_response {
    my ($buf, $eof, $method) = @_;
    my $r = { status => undef, headers => {}, body => '', raw => $buf };
    my $i;
    while (1) {
        $i = index($buf, "\r\n\r\n");
        if ($i < 0) { return undef unless $eof; $r->{error} = length $buf ? 'incomplete header' : 'closed without response'; return $r }
        last unless $buf =~ m{^HTTP/\d\.\d 1\d\d};    # skip interim (1xx) responses
        substr($buf, 0, $i + 4, '');
    }
    my ($line, @lines) = split /\r\n/, substr($buf, 0, $i);
    @$r{qw(status reason)} = $line =~ m{^HTTP/\d\.\d (\d{3})\s?(.*)$} or do { $r->{error} = "bad status line: $line"; return $r };
    $r->{raw_headers} = substr($buf, 0, $i + 2);
    for (@lines) {
        my ($n, $v) = /^([^:]+):\s*(.*?)\s*$/ or next;
        $n = lc $n;
        $r->{headers}{$n} = exists $r->{headers}{$n} ? "$r->{headers}{$n}, $v" : $v;
    }
    my $rest = substr($buf, $i + 4);
    my $h = $r->{headers};
    if ($method eq 'HEAD' || $r->{status} =~ /^(?:204|304)$/) {
    } elsif (($h->{'transfer-encoding'} // '') =~ /chunked/i) {
        return undef unless $eof || substr($rest, -5) eq "0\r\n\r\n";    # cheap "last chunk seen?"
        my $body = '';
        while (1) {
            if ($rest !~ s/\A([0-9a-fA-F]+)[^\r\n]*\r\n//) { return undef unless $eof; $r->{error} = 'incomplete chunked body'; last }
            my $size = hex $1;
            if ($size == 0) { last if $rest =~ /\r\n\r\n|\A\r\n/; return undef unless $eof; last }
            if (length $rest < $size + 2) { return undef unless $eof; $body .= $rest; $r->{error} = 'incomplete chunked body'; last }
            $body .= substr($rest, 0, $size);
            substr($rest, 0, $size + 2, '');
        }
        $r->{body} = $body;
    } elsif (defined $h->{'content-length'}) {
        if (length $rest < $h->{'content-length'}) { return undef unless $eof; $r->{error} = 'incomplete body' }
        $r->{body} = substr($rest, 0, $h->{'content-length'});
    } else {
        return undef unless $eof;
        $r->{body} = $rest;
    }
    $r->{json} = eval { JSON::PP->new->utf8->allow_nonref->decode($r->{body}) }
        if ($h->{'content-type'} // '') =~ /json/i;
    return $r;
}

# raw(data => BYTES | [PIECES], port => P, close_after => 1, timeout => S, delay => S):
# send bytes as they are; with close_after, disconnect without reading and
# return ''; otherwise return everything read until EOF or the timeout.
sub raw {
    my ($self, %a) = @_;
    my ($sock, $err) = $self->_connect(%a);
    croak $err unless $sock;
    my $deadline = time + ($a{timeout} // 10);
    my @pieces = ref $a{data} ? @{ $a{data} } : ($a{data} // '');
    for my $i (0 .. $#pieces) {
        sleep($a{delay} // 0.05) if $i;
        _send($sock, $pieces[$i], $deadline) or last;
    }
    if ($a{close_after}) { close $sock; return '' }
    my ($buf, $sel) = ('', IO::Select->new($sock));
    while (time < $deadline) {
        next unless $sel->can_read(0.2);
        my $n = sysread($sock, $buf, 65536, length $buf);
        next if !defined $n && ($! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR);
        last if !$n;
    }
    close $sock;
    return $buf;
}

# ------------------------------------------------------------- error log

sub _slurp { my ($f, $off) = @_; open(my $fh, '<:raw', $f) or return ''; seek($fh, $off // 0, 0); local $/; return <$fh> // '' }

sub error_log      { _slurp($_[0]->path('logs/error.log')) }
sub mark_log       { my $self = shift; $self->{mark} = -s $self->path('logs/error.log') || 0; return $self }
sub log_since_mark { _slurp($_[0]->path('logs/error.log'), $_[0]{mark}) }

# Passes when there is no [alert]/[crit]/[emerg] line and no [error] line
# other than those matching a regex in allow => [...]. since_mark => 1 checks
# only what was logged after mark_log.
sub error_log_clean {
    my ($self, %a) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $text = $a{since_mark} ? $self->log_since_mark : $self->error_log;
    my @allow = @{ $a{allow} || [] };
    my @bad = grep {
        my $l = $_;
        $l =~ /\[(?:alert|crit|emerg)\]/ || ($l =~ /\[error\]/ && !grep { $l =~ $_ } @allow)
    } split /\n/, $text;
    Test::More::ok(!@bad, $a{name} // 'error log is clean')
        or Test::More::diag("unexpected error log lines:\n" . join("\n", @bad));
    return !@bad;
}

# error_log_like(qr//, $name) / error_log_unlike(qr//, $name): like/unlike on the whole log.
sub error_log_like   { local $Test::Builder::Level = $Test::Builder::Level + 1; Test::More::like($_[0]->error_log, $_[1], $_[2]) }
sub error_log_unlike { local $Test::Builder::Level = $Test::Builder::Level + 1; Test::More::unlike($_[0]->error_log, $_[1], $_[2]) }

1;
