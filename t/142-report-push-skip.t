#!/usr/bin/perl
# The push is never stopped by one line: a line over 1 MiB (as a version
# before the record cap wrote for a listing of many bad items) and a
# line of garbage are passed over with an error each, once, and the
# records after them are delivered.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $reg = $t->backend('regulator', routes => [
    [ 'POST', qr{^/ingest$}, { status => 200, body => "ok\n" } ] ]);
my $json = JSON::PP->new->canonical->utf8;
my $log = $t->path('logs/reports.log');

$t->config(<<'EOF2', workers => 1);
    passport_report_log %%PREFIX%%/logs/reports.log node=n-1;
    passport_report_push http://127.0.0.1:%%PORT_regulator%%/ingest
                         interval=200ms batch=10;

    server {
        listen 127.0.0.1:%%PORT_main%%;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;

        location /listings {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2
$t->run;

my $bad = $json->encode({ seller_id => '0100233480',
                          items => [ { trace_code => '12345673' } ] });

sub block {
    for (1 .. $_[0]) {
        my $r = $t->request(method => 'POST', path => '/listings',
                            body => $bad,
                            headers => [ 'Content-Type'
                                         => 'application/json' ]);
        die "not blocked: $r->{status}" unless $r->{status} == 422;
    }
}

sub covered {
    my ($n) = @_;
    my %seen = map { $json->decode($_)->{seq} => 1 }
               grep { length } map { split /\n/, $_->{body} } $reg->requests;
    return !grep { !$seen{$_} } 1 .. $n;
}

block(2);
ok($t->wait_for(sub { covered(2) }, 10), 'two records delivered');

# an over-long line and a line of garbage, then more records

open(my $fh, '>>:raw', $log) or die;
print $fh '{"seq":3,"items":[' . ('{"pointer":"/x"},' x 80000) . "]}\n";
print $fh "\x01\x02 not a record\n";
close $fh;
ok(-s $log > 1024 * 1024 + 1000, 'a line over 1 MiB is in the log');

$t->mark_log;
block(3);
ok($t->wait_for(sub { covered(5) }, 10),
   'the records after them are delivered');
my $since = $t->log_since_mark;
my @long = $since =~ /(\[error\].*is \d+ bytes long, more than \d+: it is not a record and is not pushed)/g;
is(scalar @long, 1, 'the over-long line: one error') or diag $since;
my @garbage = $since =~ /(\[error\].*at offset \d+ is not a record \(truncated or unparseable\))/g;
is(scalar @garbage, 1, 'the garbage line: one error') or diag $since;

# nothing is said again, delivery goes on

select(undef, undef, undef, 1);
block(1);
ok($t->wait_for(sub { covered(6) }, 10), 'and goes on');
$since = $t->log_since_mark;
@long = $since =~ /(is \d+ bytes long)/g;
is(scalar @long, 1, 'the over-long line is said once');
ok(!grep({ $_->{body} =~ /not a record|"pointer":"\/x"/ } $reg->requests),
   'neither line was sent');

$t->stop;
my @other = grep { /\[(alert|crit|emerg|error)\]/ && !/is not a record/ }
            split /\n/, $t->error_log;
ok(!@other, 'no other alert, crit or error') or diag join("\n", @other);
done_testing;
