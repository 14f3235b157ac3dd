#!/usr/bin/perl
# The registry stand-in of the benchmark (bench/README.md): answers every
#
#   GET /registry/entities/ID   {"id":ID,"status":"active",...}
#   GET /registry/codes/CODE    {"code":CODE,"status":"active",
#                                "owner": the serial of AI 21,
#                                "authorized_sellers": [two IDs],
#                                "origin":"VN"}
#
# after --delay seconds, on as many connections at once as are opened (the
# listen queue is 1024 deep; t/lib's PassportTest::Server keeps 128, too
# few for the cold burst of 500 listings).  A CODE may come as one
# %-encoded segment (the module) or as several (the Lua peer).
#
#   perl bench/registry.pl --port N --delay 0.1 --log FILE
#
# Each answered request appends "time path" to --log; SIGTERM stops it.

use strict;
use warnings;
use Errno qw(EAGAIN EWOULDBLOCK EINTR);
use Getopt::Long;
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(time);

my %o = (delay => 0.1);
GetOptions(\%o, 'port=i', 'delay=f', 'log=s') or die "usage: $0 --port N [--delay S] [--log FILE]\n";
die "--port is required\n" unless $o{port};

my @AUTH = ('0300588569', '0312345670');

$SIG{TERM} = $SIG{INT} = sub { POSIX::_exit(0) };
$SIG{PIPE} = 'IGNORE';

my $lsn = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $o{port}, Proto => 'tcp',
    Listen => 1024, ReuseAddr => 1) or die "listen 127.0.0.1:$o{port}: $@\n";
$lsn->blocking(0);
my $log;
if ($o{log}) {
    open($log, '>>', $o{log}) or die "$o{log}: $!\n";
    $log->autoflush(1);
}

my (%conn, @due);    # fileno => {sock, rbuf, wbuf}; [time, fileno, response]

sub answer {
    my $path = shift;
    my ($kind, $key) = $path =~ m{^/registry/(entities|codes)/(.+)$} or return (400, '{"error":"bad path"}');
    $key =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    $key =~ s/(["\\])/\\$1/g;
    return (200, qq({"id":"$key","status":"active","name":"Company $key","country":"VN"})) if $kind eq 'entities';
    my ($owner) = $key =~ m{/21/(\d{10}(?:\d{3})?)$};
    $owner //= '0100109106';
    return (200, qq({"code":"$key","status":"active","owner":"$owner","authorized_sellers":["$AUTH[0]","$AUTH[1]"],"origin":"VN"}));
}

sub close_conn { my $fd = shift; my $c = delete $conn{$fd} or return; close $c->{sock} }

my $parent = getppid;
while (1) {
    POSIX::_exit(0) if getppid != $parent;    # bench/run.pl is gone
    my $now = time;
    while (@due && $due[0][0] <= $now) {
        my $d = shift @due;
        my $c = $conn{ $d->[1] } or next;
        $c->{wbuf} .= $d->[2];
        print $log sprintf("%.6f %s\n", $now, $d->[3]) if $log;
    }
    my ($rin, $win) = ('', '');
    vec($rin, fileno $lsn, 1) = 1;
    for my $fd (keys %conn) {
        vec($rin, $fd, 1) = 1;
        vec($win, $fd, 1) = 1 if length $conn{$fd}{wbuf};
    }
    my $timeout = @due ? $due[0][0] - time : 0.5;
    $timeout = 0 if $timeout < 0;
    my $n = select(my $rout = $rin, my $wout = $win, undef, $timeout);
    next if $n <= 0;
    if (vec($rout, fileno $lsn, 1)) {
        while (my $s = $lsn->accept) {
            $s->blocking(0);
            $conn{ fileno $s } = { sock => $s, rbuf => '', wbuf => '' };
        }
    }
    for my $fd (keys %conn) {
        my $c = $conn{$fd} or next;
        if (vec($wout, $fd, 1)) {
            my $w = syswrite($c->{sock}, $c->{wbuf});
            if (defined $w) { substr($c->{wbuf}, 0, $w) = '' }
            elsif ($! != EAGAIN && $! != EWOULDBLOCK && $! != EINTR) { close_conn($fd); next }
        }
        next unless vec($rout, $fd, 1);
        my $r = sysread($c->{sock}, my $buf, 65536);
        next if !defined $r && ($! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR);
        if (!$r) { close_conn($fd); next }
        $c->{rbuf} .= $buf;
        while ($c->{rbuf} =~ s/\A(.*?)\r?\n\r?\n//s) {    # GET only: no body
            my ($path) = $1 =~ m{^GET (\S+) HTTP/1\.[01]} or do { close_conn($fd); last };
            my ($status, $body) = answer($path);
            my $resp = "HTTP/1.1 $status " . ($status == 200 ? 'OK' : 'Bad Request') . "\r\n"
                     . "Content-Type: application/json\r\nContent-Length: " . length($body) . "\r\n\r\n$body";
            push @due, [ time + $o{delay}, $fd, $resp, $path ];
        }
    }
}
