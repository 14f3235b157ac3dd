#!/usr/bin/perl
# Lookups in flight when the world changes: the client goes away, a client
# sharing a lookup goes away, nginx reloads, nginx quits, the worker runs
# out of connections.  No crash, no [alert], workers exit, nginx serves on.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

my $slow = PassportTest::Registry->new($t, port => 'slow', control => 'tmp/slow.json');
my @sellers = qw(0100109106 0100233488 5493001KJTIIGC8Y1R12 0300588569 0314409058-002
    213800KUD8LAJWSQ9D15);
$slow->entity($_, 'active') for @sellers;
my @lots = map { sprintf 'LOT%03d', $_ } 1 .. 600;
$slow->code("01/08934673577038/10/$_", authorized_sellers => \@sellers) for @lots;
$slow->code('01/12312312312326', status => 'recalled');
$slow->server;

# connections for every lookup at once (the last section has too few
# worker_connections for them)
my $conf = <<'EOF2';
    passport_registry_connections 200;
    server {
        listen 127.0.0.1:%%PORT_main%%;
        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_registry_breaker 1000 1s;

        location /slow {
            passport on;
            passport_registry http://127.0.0.1:%%PORT_slow%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /plain {
            return 200 "plain\n";
        }
    }
EOF2
$t->config($conf)->run;

my $lot = 0;
sub lots { my $n = shift; die "out of test codes" if $lot + $n > @lots; return map { "(01)08934673577038(10)" . $lots[ $lot++ ] } 1 .. $n }    # fresh codes
sub listing {
    my ($seller, @codes) = @_;
    return $json->encode({ seller_id => $seller, items => [ map { { trace_code => $_ } } @codes ] });
}
sub post { PassportTest::Registry::post_json($t, @_) }
sub begin_post {
    my ($body) = @_;
    return $t->request_begin(method => 'POST', path => '/slow', body => $body,
        headers => [ 'Content-Type' => 'application/json' ]);
}
sub raw_post {
    my ($body) = @_;
    return "POST /slow HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        . 'Content-Length: ' . length($body) . "\r\nConnection: close\r\n\r\n$body";
}
sub held { $slow->server->stats->{current} }
sub no_alert {
    my ($name, @allow) = @_;
    my @bad = grep { my $l = $_; !grep { $l =~ $_ } @allow }
              grep { /\[(?:alert|crit|emerg)\]|exited on signal/ } split /\n/, $t->log_since_mark;
    ok(!@bad, "$name: no [alert], [crit], [emerg] or crash") or diag join "\n", @bad;
}
sub serves {
    my ($name) = @_;
    $slow->control;
    my $r = $t->request(path => '/plain');
    is($r->{status}, 200, "$name: nginx still serves a plain location");
    $r = post('/slow', listing('0100109106', lots(1)));
    is($r->{status}, 200, "$name: and a listing with lookups") or diag $r->{body};
}

my ($worker) = $t->worker_pids;

# --- the client disconnects at once: lookups may or may not have started

$t->mark_log;
$slow->control(all => { delay => 1 });
$t->raw(data => raw_post(listing('0100109106', lots(1))), close_after => 1);
$t->raw(data => raw_post(listing('0100109106', lots(20))), close_after => 1) for 1 .. 8;
ok($t->wait_for(sub { held() == 0 }, 5), 'immediate disconnect: the registry is idle');
select(undef, undef, undef, 0.5);
serves('immediate disconnect');
is(join(',', $t->worker_pids), $worker, 'immediate disconnect: the same worker serves');
no_alert('immediate disconnect');

# --- the client disconnects while its lookups are held by the registry

$t->mark_log;
$slow->control(all => { delay => 1.5 });
my $n = $slow->nreq;
my $c = begin_post(listing('0100233488', lots(1)));
ok($t->wait_for(sub { held() >= 1 }, 5), 'disconnect: a lookup is held by the registry');
close $c->{sock};
my @c = map { begin_post(listing('0100233488', lots(20))) } 1 .. 5;
ok($t->wait_for(sub { $slow->nreq - $n >= 5 * 20 }, 10), 'disconnect: 5 x 20 more code lookups are in flight');
close $_->{sock} for @c;
ok($t->wait_for(sub { held() == 0 }, 10), 'disconnect: the registry answered them all');
serves('disconnect');
is(join(',', $t->worker_pids), $worker, 'disconnect: the same worker serves');
no_alert('disconnect');

# --- two clients share a lookup; the one that started it goes away

$t->mark_log;
$slow->control(all => { delay => 1.5 });
my $shared = listing('5493001KJTIIGC8Y1R12', '12312312312326');
my $nc = $slow->nreq(qr{/codes/01%2F12312312312326$});
my $b = begin_post($shared);
ok($t->wait_for(sub { $slow->nreq(qr{/codes/01%2F12312312312326$}) > $nc }, 5),
   'shared: the first client\'s lookups are in flight');
my $a = begin_post($shared);
select(undef, undef, undef, 0.3);    # let nginx read the second request
close $b->{sock};
my $r = $t->request_end($a);
is($r->{status}, 422, 'shared: the remaining client gets its verdict');
is_deeply([ PassportTest::Registry::errors_of($r) ], [ 'CODE_RECALLED /items/0/trace_code' ],
    'shared: CODE_RECALLED, from the shared lookup');
is($slow->nreq(qr{/codes/01%2F12312312312326$}) - $nc, 1, 'shared: the code was looked up once');
ok($t->wait_for(sub { held() == 0 }, 5), 'shared: the registry is idle');
serves('shared');
is(join(',', $t->worker_pids), $worker, 'shared: the same worker serves');
no_alert('shared');

# --- nginx -s reload with a lookup in flight

$t->mark_log;
$slow->control(all => { delay => 2 });
my $h = begin_post(listing('0300588569', lots(3)));
ok($t->wait_for(sub { held() >= 1 }, 5), 'reload: a lookup is in flight');
my @old = $t->worker_pids;
$t->reload;
my @new = $t->worker_pids;
ok((grep { my $p = $_; !grep { $_ == $p } @old } @new), 'reload: a new worker is up');
$r = $t->request_end($h);
ok(defined $r->{status}, 'reload: the in-flight request got a response (' . ($r->{status} // $r->{error}) . ')');
ok(($r->{status} // 0) == 200 || ($r->{status} // 0) == 503, 'reload: its verdict (200) or REGISTRY_UNAVAILABLE (503)');
ok($t->wait_for(sub { !grep { PassportTest::_alive($_) } @old }, 10), 'reload: the old worker exits');
my %w = map { $_ => 1 } $t->worker_pids;
ok(!(grep { $w{$_} } @old), 'reload: only new workers are left');
serves('reload');
no_alert('reload');
($worker) = $t->worker_pids;

# --- nginx -s quit with a lookup in flight

$t->mark_log;
$slow->control(all => { delay => 2 });
$h = begin_post(listing('0314409058-002', lots(3)));
ok($t->wait_for(sub { held() >= 1 }, 5), 'quit: a lookup is in flight');
my $master = $t->master_pid;
my @w = $t->worker_pids;
my ($rc, $out) = $t->_nginx('-s', 'quit');
is($rc, 0, 'quit: nginx -s quit') or diag $out;
ok($t->wait_for(sub { !PassportTest::_alive($master) }, 10), 'quit: the master exits');
ok($t->wait_for(sub { !grep { PassportTest::_alive($_) } @w }, 5), 'quit: the worker exited');
$r = $t->request_end($h);
isnt($r->{error} // '', 'timeout', 'quit: the in-flight client was not left hanging ('
    . ($r->{status} // $r->{error}) . ')');
no_alert('quit');
$t->stop;    # (already down: resets the harness state)

# --- worker_connections too small for 20 lookups at once: a lookup that
# gets no connection is this worker's failure, not the registry's

$t->config($conf);
my $text = do { local (@ARGV, $/) = $t->path('conf/nginx.conf'); <> };
# config(events => ...) can only add to the events block, which already says
# "worker_connections 1024;": a second one would be a duplicate.
ok($text =~ s/worker_connections 1024;/worker_connections 16;/, 'worker_connections 16');
$t->write_file('conf/nginx.conf', $text);
$t->mark_log;
$t->run;
($worker) = $t->worker_pids;
$slow->control(all => { delay => 0.5 });
$r = post('/slow', listing('213800KUD8LAJWSQ9D15', lots(20)));
is($r->{status}, 503, 'out of connections: 503') or diag $r->{body};
my @e = PassportTest::Registry::errors_of($r);
my @u = grep { /^REGISTRY_BUSY / } @e;
ok(@u >= 1, scalar(@u) . ' lookups could not get a connection: REGISTRY_BUSY');
ok($r->{headers}{'retry-after'}, 'out of connections: with Retry-After');
is(scalar @e, scalar @u, 'out of connections: no other reason');
# (the request then gives up its other lookups: the registry may see none)
ok($t->wait_for(sub { held() == 0 }, 5), 'out of connections: the registry is idle');
is(join(',', $t->worker_pids), $worker, 'out of connections: the same worker serves');
serves('out of connections');
no_alert('out of connections', qr/worker_connections are not enough/);

$t->stop;
$t->error_log_unlike(qr/exited on signal/, 'no worker crashed');
# [alert] and the like were checked section by section (the last section
# expects nginx's own "worker_connections are not enough"); [error] lines:
my @err = grep { /\[error\]/ && !/passport: registry lookup/ } split /\n/, $t->error_log;
ok(!@err, 'no [error] lines but failed registry lookups') or diag join "\n", @err;

done_testing;
