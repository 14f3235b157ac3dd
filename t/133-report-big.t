#!/usr/bin/perl
# A listing of 10,000 bad items (the most passport_max_items allows): its
# report record is built in time linear in the items (it took seconds of
# the event loop, and other requests waited), and the record stays within
# 64 KiB: the items past the cap are left out and "items_omitted" counts
# them, under the hash.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use Time::HiRes qw(time);
use PassportTest;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $verify = "$PassportTest::ROOT/build/passport-verify";
my $log = $t->path('logs/reports.log');

$t->config(<<'EOF2', workers => 1);
    passport_report_log %%PREFIX%%/logs/reports.log node=n-1;
    client_max_body_size 16m;

    server {
        listen 127.0.0.1:%%PORT_main%%;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_max_items 10000;

        location /listings {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /ping {
            return 200 "pong\n";
        }
    }
EOF2
$t->run;

my $n = 10000;
my $body = $json->encode({ seller_id => '0100109106',
                           items => [ map { { trace_code => "bad-$_" } }
                                      1 .. $n ] });

# a small one first: the time of a request of few items
my $t0 = time;
my $r = $t->request(method => 'POST', path => '/listings',
                    body => $json->encode({ seller_id => '0100109106',
                        items => [ { trace_code => 'bad-0' } ] }),
                    headers => [ 'Content-Type' => 'application/json' ]);
is($r->{status}, 422, 'one bad item: blocked');

# the big one, and a ping while it is decided
$t0 = time;
my $h = $t->request_begin(method => 'POST', path => '/listings',
                          body => $body, timeout => 60,
                          headers => [ 'Content-Type' => 'application/json' ]);
select(undef, undef, undef, 0.3);
my $p0 = time;
my $ping = $t->request(path => '/ping', timeout => 60);
my $ping_t = time - $p0;
$r = $t->request_end($h);
my $big_t = time - $t0;

is($r->{status}, 422, "$n bad items: blocked");
is($ping->{status}, 200, 'another request is answered meanwhile');
ok($big_t < 5, "$n items answered within 5 s (took "
               . sprintf('%.2f', $big_t) . ' s; 9.7 s before)');
ok($ping_t < 2, 'the other request did not wait for seconds (took '
                . sprintf('%.2f', $ping_t) . ' s)');

open(my $fh, '<:raw', $log) or die;
my @lines = <$fh>;
close $fh;
is(scalar @lines, 2, 'two records');
my $line = $lines[-1];
ok(length($line) <= 65536, 'the record is at most 64 KiB: '
                           . length($line) . ' bytes');
my $rec = $json->decode($line);
ok($rec->{items_omitted} > 0, "items_omitted: $rec->{items_omitted}");
is(scalar(@{ $rec->{items} }) + $rec->{items_omitted}, $n,
   'kept + omitted = the failing items');
like($line, qr/\],"items_omitted":\d+,"method":/,
     'items_omitted follows items, before prev: under the hash');
my $out = `$verify $log 2>&1`;
is($? >> 8, 0, 'passport-verify: intact') or diag $out;

$t->stop;
$t->error_log_clean;
done_testing;
