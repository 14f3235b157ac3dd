package PassportTest::Server;

# A scriptable HTTP/1.1 server for tests: stands in for backends and the
# remote registry.  Single process, non-blocking (IO::Select), in a forked
# child, so a delayed response never blocks other connections.  Binds
# 127.0.0.1 only.  Usage, routes and ACTION keys: t/README.md.

use strict;
use warnings;
use Carp qw(croak);
use Digest::MD5 qw(md5_hex);
use Errno qw(EAGAIN EWOULDBLOCK EINTR);
use File::Path qw(make_path);
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use MIME::Base64 qw(encode_base64 decode_base64);
use POSIX ();
use Socket qw(SOL_SOCKET SO_LINGER);
use Time::HiRes qw(time sleep);

my $JSON = JSON::PP->new->utf8->canonical;
my %REASON = (100 => 'Continue', 200 => 'OK', 201 => 'Created', 204 => 'No Content',
    301 => 'Moved Permanently', 302 => 'Found', 304 => 'Not Modified',
    400 => 'Bad Request', 401 => 'Unauthorized', 403 => 'Forbidden', 404 => 'Not Found',
    405 => 'Method Not Allowed', 409 => 'Conflict', 410 => 'Gone', 413 => 'Payload Too Large',
    418 => "I'm a teapot", 429 => 'Too Many Requests', 431 => 'Request Header Fields Too Large',
    500 => 'Internal Server Error', 502 => 'Bad Gateway', 503 => 'Service Unavailable',
    504 => 'Gateway Timeout');
my %LIVE;    # pid => object, for the END cleanup

# ---------------------------------------------------------------- parent side

sub start {
    my ($class, %o) = @_;
    my $port = $o{port} or croak 'PassportTest::Server->start: port required';
    my $dir  = $o{dir}  or croak 'PassportTest::Server->start: dir required';
    make_path($dir);
    unlink "$dir/requests.jsonl", "$dir/stats.json";
    # Bind in the parent: when start() returns, the port already accepts.
    my $lsn = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
        Proto => 'tcp', Listen => 128, ReuseAddr => 1)
        or croak "PassportTest::Server: cannot listen on 127.0.0.1:$port: $@";
    my $self = bless { port => $port, dir => $dir, owner => $$ }, $class;
    my $pid = fork() // croak "PassportTest::Server: fork: $!";
    if (!$pid) {
        # Child: never return into the test script, never run its END blocks.
        my $ok = eval { _child_new($lsn, \%o, $self->{owner})->loop; 1 };
        warn "PassportTest::Server(127.0.0.1:$port) died: $@" unless $ok;
        POSIX::_exit($ok ? 0 : 1);
    }
    close $lsn;
    $self->{pid} = $pid;
    $LIVE{$pid} = $self;
    return $self;
}

sub port { $_[0]{port} }
sub pid  { $_[0]{pid} }
sub dir  { $_[0]{dir} }

# SIGTERM, then a bounded wait, then SIGKILL.
sub stop {
    my $self = shift;
    my $pid = delete $self->{pid} or return;
    delete $LIVE{$pid};
    local ($?, $!);
    kill 'TERM', $pid;
    my $deadline = time + 5;
    while (time < $deadline) {
        return 1 if waitpid($pid, POSIX::WNOHANG()) != 0;
        sleep 0.02;
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
    return 1;
}

# All recorded requests, oldest first: the JSON record plus body (bytes).
# In scalar context: their number.
sub requests {
    my $self = shift;
    open(my $fh, '<:raw', "$self->{dir}/requests.jsonl") or return;
    my @r;
    while (my $line = <$fh>) {
        next unless $line =~ /\n\z/;    # skip a line still being written
        my $req = eval { $JSON->decode($line) } or next;
        $req->{body} = decode_base64($req->{body_b64});
        push @r, $req;
    }
    return @r;
}

sub last_request { my @r = $_[0]->requests; return $r[-1] }

# Bounded wait until at least $n requests are recorded; returns the count.
sub wait_requests {
    my ($self, $n, $timeout) = @_;
    my $deadline = time + ($timeout // 5);
    my $c;
    sleep 0.02 while ($c = () = $self->requests) < $n && time < $deadline;
    return $c;
}

sub stats {
    my $self = shift;
    my $zero = { total => 0, max_concurrent => 0, current => 0, connections => 0, open => 0 };
    open(my $fh, '<:raw', "$self->{dir}/stats.json") or return $zero;
    local $/;
    return eval { $JSON->decode(<$fh>) } || $zero;
}

sub DESTROY { my $self = shift; $self->stop if $self->{pid} && $$ == $self->{owner} }
END { $_->stop for grep { $_->{owner} == $$ } values %LIVE }

# ---------------------------------------------------------------- child side

sub _child_new {
    my ($lsn, $o, $owner) = @_;
    $SIG{TERM} = sub { POSIX::_exit(0) };
    $SIG{PIPE} = 'IGNORE';
    $lsn->blocking(0);
    for my $fd (map { m{(\d+)$} } glob '/proc/self/fd/*') {    # e.g. the test's client sockets
        POSIX::close($fd) if $fd > 2 && $fd != fileno $lsn;
    }
    open(my $rec, '>>:raw', "$o->{dir}/requests.jsonl") or die "open record: $!";
    $rec->autoflush(1);
    my $s = bless { lsn => $lsn, o => $o, owner => $owner, rec => $rec, conns => {},
        timers => [], seq => 0,
        st => { total => 0, max_concurrent => 0, current => 0, connections => 0, open => 0 } },
        'PassportTest::Server';
    $s->_stats;
    return $s;
}

sub loop {
    my $s = shift;
    while (1) {
        POSIX::_exit(0) if getppid() != $s->{owner};    # test script is gone
        my $now = time;
        my @due = grep { $_->[0] <= $now } @{ $s->{timers} };
        $s->{timers} = [ grep { $_->[0] > $now } @{ $s->{timers} } ];
        $s->_guard($_->[1], $_->[2]) for @due;
        my ($next) = sort { $a <=> $b } map { $_->[0] } @{ $s->{timers} };
        my $timeout = defined $next ? ($next - time > 0 ? $next - time : 0) : 0.5;
        $timeout = 0.5 if $timeout > 0.5;
        my ($rs, $ws) = (IO::Select->new($s->{lsn}), IO::Select->new);
        for my $c (values %{ $s->{conns} }) {
            $rs->add($c->{sock}) unless $c->{rclosed};
            $ws->add($c->{sock}) if length $c->{wbuf};
        }
        my ($r, $w) = IO::Select->select($rs, $ws, undef, $timeout);
        for my $fh (@{ $r || [] }) {
            if ($fh == $s->{lsn}) { $s->_accept; next }
            my $c = $s->{conns}{"$fh"} or next;    # may be closed by now
            $s->_guard($c, sub { $s->_read($c) });
        }
        for my $fh (@{ $w || [] }) {
            my $c = $s->{conns}{"$fh"} or next;
            $s->_guard($c, sub { $s->_flush($c) });
        }
    }
}

# Run a callback for a connection; a bug or odd input closes it, never the server.
sub _guard {
    my ($s, $c, $cb) = @_;
    return if $c->{closed};
    return if eval { $cb->(); 1 };
    warn "PassportTest::Server: connection error: $@";
    $s->_close($c);
}

sub _stats {
    my $s = shift;
    my $f = "$s->{o}{dir}/stats.json";
    open(my $fh, '>:raw', "$f.tmp") or return;
    print $fh $JSON->encode($s->{st});
    close $fh;
    rename "$f.tmp", $f;
}

sub _accept {
    my $s = shift;
    my $sock = $s->{lsn}->accept or return;
    $sock->blocking(0);
    my $c = { sock => $sock, id => ++$s->{seq}, rbuf => '', wbuf => '', fd => fileno $sock };
    $s->{conns}{"$sock"} = $c;    # by handle: fd numbers are reused
    $s->{st}{connections}++;
    $s->{st}{open}++;
    $s->_stats;
}

sub _close {
    my ($s, $c) = @_;
    return if $c->{closed}++;
    delete $s->{conns}{"$c->{sock}"};
    $s->{st}{open}--;
    $s->{st}{current}-- if delete $c->{inflight};
    close $c->{sock};
    $s->_stats;
}

sub _read {
    my ($s, $c) = @_;
    my $n = sysread($c->{sock}, my $buf, 65536);
    return if !defined $n && ($! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR);
    if (!$n) {    # EOF or error: the client went away (or half-closed)
        return $s->_close($c) if !$c->{inflight} || $c->{endless} || !defined $n;
        $c->{rclosed} = $c->{close_after} = 1;    # finish the pending response, then close
        return;
    }
    $c->{rbuf} .= $buf;
    $s->_parse($c) unless $c->{inflight} || $c->{close_after};
}

sub _bad {
    my ($s, $c, $status, $why) = @_;
    delete $c->{req};
    $s->_respond($c, { status => $status, body => "$why\n", headers => { Connection => 'close' } });
}

# Parse as much of one request as the buffer holds; dispatch when complete.
sub _parse {
    my ($s, $c) = @_;
    my $req = $c->{req};
    if (!$req) {
        $c->{rbuf} =~ s/\A(?:\r?\n)+//;
        return unless length $c->{rbuf};
        $c->{t_start} //= time;
        if ($c->{rbuf} !~ /\r?\n\r?\n/) {
            return $s->_bad($c, 431, 'header too large') if length $c->{rbuf} > 65536;
            return;
        }
        $c->{rbuf} =~ s/\A(.*?)\r?\n\r?\n//s;
        my ($line, @lines) = split /\r?\n/, $1;
        my ($m, $uri, $v) = ($line // '') =~ m{^([A-Za-z]+) (\S+) HTTP/(\d\.\d)$}
            or return $s->_bad($c, 400, 'bad request line');
        my %h;
        for (@lines) {
            my ($n, $val) = /^([^:\s]+):[ \t]*(.*?)[ \t]*$/ or return $s->_bad($c, 400, 'bad header');
            $n = lc $n;
            $h{$n} = exists $h{$n} ? "$h{$n}, $val" : $val;
        }
        my ($path, $query) = $uri =~ /^([^?]*)(?:\?(.*))?$/s;
        $req = $c->{req} = { method => uc $m, uri => $uri, path => $path, query => $query // '',
            version => $v, headers => \%h, body => '', conn => $c->{id} };
        my $conn = lc($h{connection} // '');
        $c->{keepalive} = $v eq '1.1' ? $conn !~ /close/ : $conn =~ /keep-alive/;
        if (($h{'transfer-encoding'} // '') =~ /chunked/i) {
            $c->{need} = undef;
            $c->{chunk} = 'size';
        } elsif (defined $h{'content-length'}) {
            return $s->_bad($c, 400, 'bad content-length') unless $h{'content-length'} =~ /^\d{1,12}$/;
            $c->{need} = $h{'content-length'};
            $c->{chunk} = undef;
        } else {
            $c->{need} = 0;
            $c->{chunk} = undef;
        }
        $c->{wbuf} .= "HTTP/1.1 100 Continue\r\n\r\n"
            if lc($h{expect} // '') eq '100-continue' && ($c->{chunk} || $c->{need});
    }
    if (!$c->{chunk}) {
        return if length $c->{rbuf} < $c->{need};
        $req->{body} = substr($c->{rbuf}, 0, $c->{need}, '');
        return $s->_dispatch($c);
    }
    while (1) {    # chunked body
        if ($c->{chunk} eq 'size') {
            $c->{rbuf} =~ s/\A([^\n]*)\n// or return;
            my ($hex) = $1 =~ /^\s*([0-9a-fA-F]{1,8})\s*(?:;.*)?\r?$/
                or return $s->_bad($c, 400, 'bad chunk size');
            $c->{need} = hex $hex;
            $c->{chunk} = $c->{need} ? 'data' : 'trailer';
        } elsif ($c->{chunk} eq 'data') {
            return if length $c->{rbuf} < $c->{need} + 2;
            $req->{body} .= substr($c->{rbuf}, 0, $c->{need}, '');
            $c->{rbuf} =~ s/\A\r?\n// or return $s->_bad($c, 400, 'bad chunk end');
            $c->{chunk} = 'size';
        } else {    # trailer section: lines until an empty one
            $c->{rbuf} =~ s/\A([^\n]*)\n// or return;
            next if length($1) && $1 ne "\r";
            $c->{chunk} = undef;
            return $s->_dispatch($c);
        }
    }
}

sub _dispatch {
    my ($s, $c) = @_;
    my $req = delete $c->{req};
    $req->{t_start} = delete $c->{t_start};
    $req->{t_end} = time;
    my %rec = %$req;
    delete $rec{body};
    @rec{qw(body_b64 body_len body_md5)} = (encode_base64($req->{body}, ''),
        length $req->{body}, md5_hex($req->{body}));
    print { $s->{rec} } $JSON->encode(\%rec), "\n";
    $c->{inflight} = 1;
    $c->{head_only} = $req->{method} eq 'HEAD';
    my $st = $s->{st};
    $st->{total}++;
    $st->{max_concurrent} = $st->{current} if ++$st->{current} > $st->{max_concurrent};
    $s->_stats;

    my $act = $s->{o}{default} // 'echo';
    for my $r (@{ $s->{o}{routes} || [] }) {
        my ($m, $re, $a) = @$r;
        next unless $m eq '*' || uc($m) eq $req->{method};
        next unless $req->{path} =~ $re;
        $act = $a;
        last;
    }
    if (ref $act eq 'CODE') {
        my $code = $act;
        $act = eval { $code->({ %$req }) };
        $act = { status => 500, body => "route handler died: $@" } if $@;
    }
    $act = 'echo' if !defined $act;
    $act = { json => { method => $req->{method}, uri => $req->{uri}, headers => $req->{headers},
        body_len => length $req->{body}, body_md5 => md5_hex($req->{body}) } } if !ref $act;
    if ($act->{delay}) {
        my %now = %$act;
        delete $now{delay};
        push @{ $s->{timers} }, [ time + $act->{delay}, $c, sub { $s->_respond($c, \%now) } ];
        return;
    }
    $s->_respond($c, $act);
}

sub _respond {
    my ($s, $c, $a) = @_;
    if ($a->{reset}) {
        setsockopt($c->{sock}, SOL_SOCKET, SO_LINGER, pack('ii', 1, 0));
        return $s->_close($c);
    }
    if ($a->{garbage}) {
        $c->{wbuf} .= "\x00\x01GARBAGE\xff\xfe not http at all\r\n\r\n\x7f";
        $c->{close_after} = $c->{responding} = 1;
        return $s->_flush($c);
    }
    my $status = $a->{status} // 200;
    my %h = %{ $a->{headers} || {} };
    my %lc = map { lc($_) => 1 } keys %h;
    my $body = $a->{body} // '';
    if (exists $a->{json}) {
        $body = $JSON->encode($a->{json});
        $h{'Content-Type'} = 'application/json' unless $lc{'content-type'}++;
    } elsif (defined $a->{file}) {
        open(my $fh, '<:raw', $a->{file}) or die "file $a->{file}: $!";
        local $/;
        $body = <$fh> // '';
    }
    if ($a->{huge}) {
        ($c->{huge}, $c->{huge_pos}) = ($c->{head_only} ? 0 : $a->{huge}, 0);
        $h{'Content-Type'} = 'application/json' unless $lc{'content-type'}++;
        $h{'Content-Length'} = $a->{huge} unless $lc{'content-length'}++;
        $body = '';
    }
    if ($a->{endless}) {
        $c->{endless} = 1;
        $h{'Transfer-Encoding'} = 'chunked' unless $lc{'transfer-encoding'}++;
        $lc{'content-length'} = 1;
    }
    if ($a->{close_before_body}) {
        $h{'Content-Length'} = length($body) || 1024 unless $lc{'content-length'}++;
        $body = '';
        $c->{close_after} = 1;
    }
    $h{'Content-Length'} = length $body unless $lc{'content-length'} || $lc{'transfer-encoding'};
    $c->{close_after} = 1 if !$c->{keepalive} || grep { lc($_) eq 'connection' && $h{$_} =~ /close/i } keys %h;
    $h{Connection} = 'close' if $c->{close_after} && !$lc{connection};
    my $head = "HTTP/1.1 $status " . ($REASON{$status} // 'Whatever') . "\r\n";
    for my $n (sort keys %h) {
        $head .= "$n: $_\r\n" for ref $h{$n} eq 'ARRAY' ? @{ $h{$n} } : $h{$n};
    }
    $c->{wbuf} .= "$head\r\n";
    $c->{wbuf} .= $body unless $c->{head_only};
    $c->{responding} = 1;
    if ($c->{endless}) {
        my $n = 0;
        my $tick;
        $tick = sub {
            return if $c->{closed};
            my $d = 'chunk ' . $n++ . "\n";
            $c->{wbuf} .= sprintf("%x\r\n%s\r\n", length $d, $d);
            push @{ $s->{timers} }, [ time + 0.1, $c, $tick ];
            $s->_flush($c);
        };
        return $tick->();
    }
    $s->_flush($c);
}

# Write what is buffered; refill "huge" filler; finish the response when done.
sub _flush {
    my ($s, $c) = @_;
    while (1) {
        if ($c->{huge} && length $c->{wbuf} < 65536) {
            my ($n, $pos) = ($c->{huge}, $c->{huge_pos});
            my $piece = $pos == 0 && $n >= 14 ? '{"filler":"' : '';
            my $room = $n - $pos - length($piece) - ($n >= 14 ? 2 : 0);
            $piece .= 'x' x ($room > 65536 ? 65536 : $room);
            $piece .= '"}' if $n >= 14 && $pos + length($piece) == $n - 2;
            $c->{huge_pos} += length $piece;
            $c->{wbuf} .= $piece;
            delete $c->{huge} if $c->{huge_pos} >= $n;
        }
        last unless length $c->{wbuf};
        my $w = syswrite($c->{sock}, $c->{wbuf});
        if (!defined $w) {
            return if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;
            return $s->_close($c);    # EPIPE / ECONNRESET: client went away
        }
        substr($c->{wbuf}, 0, $w, '');
        return if length $c->{wbuf} && !$c->{huge};
    }
    return if $c->{endless} || $c->{huge} || !$c->{responding};    # e.g. only "100 Continue" sent
    $c->{responding} = 0;
    if (delete $c->{inflight}) {
        $s->{st}{current}--;
        $s->_stats;
    }
    return $s->_close($c) if $c->{close_after};
    $s->_parse($c);    # keep-alive: a next request may already be buffered
}

1;
