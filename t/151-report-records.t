#!/usr/bin/perl
# What a report record tells a regulator: operator= beside node; a
# checkout's own sellers (items[].seller), also of an item that failed the
# local rules; the registry's evidence (the code record's status and
# owner, the seller's status, name and country); the cause of
# REGISTRY_UNAVAILABLE, which the seller never reads.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $verify = "$PassportTest::ROOT/build/passport-verify";
my $log = $t->path('logs/reports.log');

my $reg = PassportTest::Registry->new($t, port => 'registry');
$reg->entity('0100109106', 'active');
$reg->entity('0300588569', 'suspended');
$reg->code('01/12312312312326', status => 'recalled');
$reg->code('01/08934673577038');

my $regconf = $reg->nginx_conf;
$t->config(<<"EOF2");
    passport_report_log %%PREFIX%%/logs/reports.log node=hn-1
                        operator=0312345678;
$regconf
    server {
        listen 127.0.0.1:%%PORT_main%%;

        location /checkout {
            passport on;
            passport_items /items;
            passport_item_code /code;
            passport_item_seller /seller;
            passport_registry ${\ $reg->base };
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /listing {
            passport on;
            passport_seller /seller;
            passport_items /items;
            passport_item_code /code;
            passport_registry ${\ $reg->base };
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /down {
            passport on;
            passport_seller /seller;
            passport_items /items;
            passport_item_code /code;
            passport_registry http://127.0.0.1:%%PORT_closed%%/registry;
            passport_registry_timeout 2s;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2
$t->run;

sub post {
    my ($path, $doc) = @_;
    return $t->request(method => 'POST', path => $path,
                       body => $json->encode($doc),
                       headers => [ 'Content-Type' => 'application/json' ]);
}

sub records {
    open(my $fh, '<:raw', $log) or return ();
    return map { $json->decode($_) } grep { /"type":"verdict"/ } <$fh>;
}

# a checkout: no listing seller; a recalled code sold by a suspended
# seller, an invalid code of another seller, a good item
my $r = post('/checkout', { items => [
    { code => '12312312312326', seller => '0300588569' },
    { code => 'nonsense', seller => '0100233488' },
    { code => '8934673577038', seller => '0100109106' } ] });
is($r->{status}, 422, 'the checkout is blocked');

my ($rec) = records();
is($rec->{operator}, '0312345678', 'operator= in the record, beside node');
is($rec->{node}, 'hn-1', '... and node');
is($rec->{seller}, undef, 'a checkout has no listing seller');
my %by = map { $_->{pointer} => $_ } @{ $rec->{items} };
is($by{'/items/0/code'}{seller}, '0300588569',
   'the item\'s own seller is in the item');
is($by{'/items/0/code'}{status}, 'recalled',
   'the code record\'s status: the registry\'s evidence');
is($by{'/items/0/code'}{owner}, '0100109106', '... and its owner');
is($by{'/items/0/seller'}{seller_status}, 'suspended',
   'the seller\'s status, on its problem');
is($by{'/items/0/seller'}{seller_name}, 'Company 0300588569',
   '... its name, from the national registry\'s "name"');
is($by{'/items/0/seller'}{seller_country}, 'VN', '... and its country');
is_deeply([ grep { /^seller_/ } sort keys %{ $by{'/items/0/seller'} } ],
   [ qw(seller_country seller_name seller_status) ], '... only those');
is($by{'/items/1/code'}{seller}, '0100233488',
   'an item that failed the local rules names its seller too');
ok(!exists $by{'/items/2/code'}, 'the good item is not recorded');
ok(!exists $rec->{cause} && !grep({ exists $_->{cause} } values %by),
   'no cause when the registry answered');

# a listing seller the registry knows: its name and country at record
# level, right after seller_status (the canonical order)
$r = post('/listing', { seller => '0300588569',
                        items => [ { code => '8934673577038' } ] });
is($r->{status}, 422, 'a suspended listing seller is blocked');
open(my $lfh, '<:raw', $log) or die;
my ($line) = grep { /"type":"verdict"/ } reverse <$lfh>;
close $lfh;
like($line, qr/"seller":"0300588569","seller_status":"suspended","seller_name":"Company 0300588569","seller_country":"VN","reasons"/,
     'the record names the listing seller\'s status, name and country');

# the registry down: the cause is in the record, not in the answer
$r = post('/down', { seller => '0100109106',
                     items => [ { code => '8934673577038' } ] });
is($r->{status}, 503, 'the registry down: 503');
my $rec2 = (records())[-1];
my %by2 = map { $_->{pointer} => $_ } @{ $rec2->{items} };
like($by2{'/items/0/code'}{cause} // '', qr/connect|refused/i,
     'the cause of REGISTRY_UNAVAILABLE is in the item: '
     . ($by2{'/items/0/code'}{cause} // 'none'));
like($by2{'/seller'}{cause} // '', qr/connect|refused/i,
     '... and in the seller\'s');
unlike($r->{body}, qr/refused|connect\(/i, 'the seller never reads it');

$t->stop;

# the log verifies with the new members
my $out = `$verify $log 2>&1`;
like($out, qr/^OK: 3 records/, 'passport-verify accepts the records');

# operator= is checked
$t->config(<<'EOF2');
    passport_report_log %%PREFIX%%/logs/reports.log operator=;
EOF2
my ($rc, $err) = $t->test_config;
like($err, qr/invalid parameter "operator=".*operator= \(1 to 128 bytes\)/,
     'operator= empty: refused, naming what is known');

$t->error_log_clean(allow => [ qr/registry .*failed|connect\(\) failed|Connection refused|could not/i ]);

done_testing;
