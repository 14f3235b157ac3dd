package PassportTest::Soak;

# The fault and load scenarios of issue #13, shared by the quick versions
# in the normal suite (t/400-*.t, a few seconds each) and the long ones of
# "make soak" (t/soak/*.t). Each scenario starts an nginx of its own
# (prefix build/t/<name>/), runs its Test::More assertions and stops it.
# The numbers a scenario measures are printed with note() (prove -v).

use strict;
use warnings;
use Test::More;
use JSON::PP;
use Time::HiRes qw(time sleep);
use PassportTest;
use PassportTest::Registry;
use PassportTest::Load;

my $JSON = JSON::PP->new->utf8->canonical;
our $VERIFY = "$PassportTest::ROOT/build/passport-verify";

sub _listing {
    my ($seller, @codes) = @_;
    return $JSON->encode({ seller_id => $seller,
                           items => [ map { { trace_code => $_ } } @codes ] });
}

sub _post {
    my ($path, $body, @hdr) = @_;
    return (method => 'POST', path => $path, body => $body,
            headers => [ 'Content-Type' => 'application/json', @hdr ]);
}

# no [alert]/[crit]/[emerg], no "exited on signal", [error] only as allowed
sub _log_clean {
    my ($t, $name, @allow) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    $t->error_log_unlike(qr/exited on signal/, "$name: no worker crashed");
    $t->error_log_clean(allow => \@allow, name => "$name: error log clean");
}

# ------------------------------------------------------------- flapping

# The registry switches every $period s between up and a failure (refused,
# slow past the timeout, 500, garbage) while $clients clients send good and
# recalled listings. Each response must fit a registry state seen during
# it (with a margin around switches): up allows the true verdict or the
# on-error policy (the breaker may still be open), a failure only the
# on-error policy (503, REGISTRY_UNAVAILABLE only). Never a 500, never a
# crash; the breaker opens and closes.
sub flapping {
    my (%o) = @_;
    my $dur = $o{duration} // 8;
    my $period = $o{period} // 1;
    my $margin = 0.25;
    my $t = PassportTest->new(name => $o{name} // 'flapping');
    my $be = $t->backend('backend');
    my $reg = PassportTest::Registry->new($t, port => 'registry');
    $reg->entity('0100109106', 'active');
    $reg->code('01/08934673577038');
    $reg->code('01/12312312312326', status => 'recalled');
    $reg->server;
    $t->config(<<'EOF2', workers => 2);
    server {
        listen 127.0.0.1:%%PORT_main%%;
        add_header X-Request-ID $request_id always;
        location /listings {
            passport on;
            passport_seller /seller_id;
            passport_items /items;
            passport_item_code /trace_code;
            passport_registry http://127.0.0.1:%%PORT_registry%%/registry;
            passport_registry_timeout 300ms;
            passport_registry_breaker 3 400ms;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2
    $t->run;
    my %body = (good => _listing('0100109106', '8934673577038'),
                recalled => _listing('0100109106', '12312312312326'));
    my $load = PassportTest::Load->start($t, clients => $o{clients} // 50,
        procs => 5, duration => $dur, make => sub {
            my $k = $_[0] % 2 ? 'good' : 'recalled';
            return ($k, _post('/listings', $body{$k}));
        });
    my @fail = qw(down slow 500 garbage);
    my %act = (slow => { delay => 1 }, 500 => { status => 500, body => 'no' },
               garbage => { garbage => 1 });
    my @timeline;    # [time, state]
    my $end = time + $dur;
    my $i = 0;
    while (time < $end) {
        my $s = $i % 2 ? $fail[ ($i >> 1) % @fail ] : 'up';
        $i++;
        if ($s eq 'down') { $reg->{server}->stop; delete $reg->{server} }
        else {
            $reg->control($act{$s} ? (all => $act{$s}) : ());
            $reg->server;
        }
        push @timeline, [ time, $s ];
        sleep $period;
    }
    $reg->control;
    $reg->server;
    push @timeline, [ time, 'up' ];
    my @res = $load->wait;
    note(scalar(@res) . " responses, states: "
         . join(' ', map { $_->[1] } @timeline) . "\n" . PassportTest::Load::summary(@res));
    ok(@res > 50, 'flapping: the clients got answers');

    my $states = sub {    # the states in effect during [a, b]
        my ($a, $b) = @_;
        my %s;
        for my $k (0 .. $#timeline) {
            my $from = $timeline[$k][0];
            my $to = $k < $#timeline ? $timeline[ $k + 1 ][0] : 9e9;
            $s{ $timeline[$k][1] eq 'up' ? 'up' : 'fail' } = 1
                if $from <= $b && $to >= $a;
        }
        return \%s;
    };
    my (@bad, %n);
    for my $r (@res) {
        my $s = $states->($r->{t0} - $margin, $r->{t1} + $margin);
        my $policy = $r->{status} == 503 && $r->{codes} =~ /^(?:REGISTRY_UNAVAILABLE,?)+$/;
        my $truth = $r->{kind} eq 'good' ? $r->{status} == 200
            : $r->{status} == 422 && $r->{codes} =~ /^CODE_RECALLED(?:,REGISTRY_UNAVAILABLE)*$/;
        my $ok = !$r->{error} && ($policy || ($truth && $s->{up}));
        $n{ $truth ? 'truth' : $policy ? 'policy' : 'other' }++;
        push @bad, $r unless $ok;
    }
    ok(!grep({ $_->{status} == 500 } @res), 'flapping: no 500');
    ok(!@bad, 'flapping: every response fits the registry state or the on-error policy')
        or diag(scalar(@bad) . " misfits, e.g.:\n" . join "\n", map { $JSON->encode($_) } @bad[0 .. ($#bad < 9 ? $#bad : 9)]);
    ok($n{truth} && $n{policy}, "flapping: both verdicts seen ($n{truth} true, $n{policy} on-error)");
    my $log = $t->error_log;
    my $opened = () = $log =~ /failing fast for \d+ ms/g;
    my $closed = () = $log =~ /passport: registry "[^"]*" answers again/g;
    ok($opened >= 2 && $closed >= 2, "flapping: the breaker opened ($opened) and closed ($closed)");
    ok($t->wait_for(sub { $t->request(_post('/listings', $body{good}))->{status} == 200 }, 3),
       'flapping: afterwards a good listing passes');
    _log_clean($t, 'flapping', qr/passport: registry (?:lookup|")/);
    $t->stop;
}

1;
