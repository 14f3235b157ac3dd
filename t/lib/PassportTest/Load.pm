package PassportTest::Load;

# Load for the fault and soak tests (t/400-*.t, t/soak/*.t): forked client
# processes that keep a number of requests in flight against a harness
# nginx until a deadline, and record each response with its start and end
# time, so that a test can judge it against what was happening meanwhile
# (a registry state, a reload, a killed worker).
#
#   my $load = PassportTest::Load->start($t, clients => 50, procs => 5,
#       duration => 6, make => sub { my ($n) = @_; return (KIND, %request) });
#   ... disturb nginx ...
#   my @res = $load->wait;    # [{kind, t0, t1, status, error, rid, codes}]
#
# make() gets a running number and returns a label and the arguments of
# PassportTest::request. rid is the problem document's "instance" or the
# X-Request-ID header; codes the sorted errors[] codes, comma-separated.
# Only core Perl modules; 127.0.0.1 only (through PassportTest).

use strict;
use warnings;
use Carp qw(croak);
use JSON::PP;
use POSIX ();
use Time::HiRes qw(time sleep);

my $JSON = JSON::PP->new->utf8->canonical;

sub start {
    my ($class, $t, %o) = @_;
    my $procs = $o{procs} // 5;
    my $per = int(($o{clients} // 50) / $procs) || 1;
    my $deadline = time + ($o{duration} // 5);
    my $self = bless { t => $t, pids => [], files => [] }, $class;
    for my $p (1 .. $procs) {
        my $f = $t->path("tmp/load.$$.$p.jsonl");
        unlink $f;
        push @{ $self->{files} }, $f;
        my $pid = fork() // croak "fork: $!";
        if (!$pid) {
            my $ok = eval { _client($t, $f, $p, $per, $deadline, $o{make}); 1 };
            warn "load client $p died: $@" unless $ok;
            POSIX::_exit($ok ? 0 : 1);
        }
        push @{ $self->{pids} }, $pid;
    }
    return $self;
}

sub _client {
    my ($t, $f, $p, $per, $deadline, $make) = @_;
    open(my $out, '>>:raw', $f) or die "open $f: $!";
    $out->autoflush(1);
    my $n = $p * 1_000_000;
    while (time < $deadline) {
        my @h;
        for (1 .. $per) {
            my ($kind, %a) = $make->($n++);
            push @h, [ $kind, time, $t->request_begin(timeout => 15, %a) ];
        }
        for my $h (@h) {
            my $r = $t->request_end($h->[2]);
            my $j = ref $r->{json} eq 'HASH' ? $r->{json} : {};
            my @codes = sort map { $_->{code} // '?' }
                @{ ref $j->{errors} eq 'ARRAY' ? $j->{errors} : [] };
            print $out $JSON->encode({ kind => $h->[0], t0 => $h->[1], t1 => time,
                status => $r->{status} // 0, error => $r->{error},
                rid => $j->{instance} // $r->{headers}{'x-request-id'},
                codes => join(',', @codes) }), "\n";
        }
    }
    close $out;
}

# Wait for the clients (bounded: their deadline plus the request timeout)
# and return every result, by start time.
sub wait {
    my $self = shift;
    my $until = time + 60;
    for my $pid (@{ $self->{pids} }) {
        while (waitpid($pid, POSIX::WNOHANG()) == 0) {
            if (time > $until) { kill 'KILL', $pid; waitpid($pid, 0); last }
            sleep 0.05;
        }
    }
    my @r;
    for my $f (@{ $self->{files} }) {
        open(my $fh, '<:raw', $f) or next;
        push @r, map { $JSON->decode($_) } grep { /\n\z/ } <$fh>;
    }
    return sort { $a->{t0} <=> $b->{t0} } @r;
}

# Counts of "status codes" in a list of results, for diagnostics.
sub summary {
    my %c;
    $c{"$_->{kind} $_->{status}" . ($_->{codes} ? " $_->{codes}" : '')
        . ($_->{error} ? " ($_->{error})" : '')}++ for @_;
    return join "\n", map { "  $c{$_} x $_" } sort keys %c;
}

# /proc facts of a process: open descriptors, sockets among them, RSS and
# peak RSS in kB. clear_peak() resets the peak (writes 5 to clear_refs).
sub proc_fds {
    my $pid = shift;
    opendir(my $d, "/proc/$pid/fd") or return;
    my @fd = grep { /^\d+$/ } readdir $d;
    my $sock = grep { (readlink("/proc/$pid/fd/$_") // '') =~ /^socket:/ } @fd;
    return wantarray ? (scalar @fd, $sock) : scalar @fd;
}

sub proc_mem {
    my $pid = shift;
    open(my $fh, '<', "/proc/$pid/status") or return {};
    my %m = map { /^(Vm\w+):\s+(\d+)/ ? ($1 => $2) : () } <$fh>;
    return { rss => $m{VmRSS}, hwm => $m{VmHWM} };
}

sub clear_peak {
    my $pid = shift;
    open(my $fh, '>', "/proc/$pid/clear_refs") or return 0;
    print $fh "5\n";
    return close $fh;
}

1;
