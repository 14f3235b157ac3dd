#!/usr/bin/perl
# flag and monitor modes let listings through unchanged while the variables
# carry the outcome (proxy_set_header, map, log_format); multi-seller carts.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use Digest::MD5 qw(md5_hex);
use PassportTest;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

$t->config(<<'EOF2')->run;
    log_format passport '$request_id verdict=$passport_verdict '
                        'reasons="$passport_reasons" seller=$passport_seller '
                        'status=$status';

    map $passport_verdict $passport_flagged {
        flag     1;
        block    1;
        default  0;
    }

    server {
        listen 127.0.0.1:%%PORT_main%%;
        access_log %%PREFIX%%/logs/passport.log passport;

        proxy_set_header X-Passport-Verdict $passport_verdict;
        proxy_set_header X-Passport-Reasons $passport_reasons;
        proxy_set_header X-Passport-Flagged $passport_flagged;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;

        location /flag {
            passport on;
            passport_mode flag;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /monitor {
            passport on;
            passport_mode monitor;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /cart {
            passport on;
            passport_items /lines;
            passport_item_code /code;
            passport_item_seller /seller;
            passport_item_origin /origin;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2

sub post {
    my ($path, $body) = @_;
    return $t->request(method => 'POST', path => $path, body => $body,
                       headers => [ 'Content-Type' => 'application/json' ]);
}

sub last_seen { ($be->requests)[-1] }

my $bad = $json->encode({ seller_id => '0100109106',
                          items => [ { trace_code => '12345673' } ] });
my $good = $json->encode({ seller_id => '0100109106',
                           items => [ { trace_code => '12345670' } ] });

# --- flag

my $r = post('/flag', $bad);
is($r->{status}, 200, 'flag: failing listing goes through');
is(last_seen()->{body_md5}, md5_hex($bad), 'flag: body unchanged');
is(last_seen()->{headers}{'x-passport-verdict'}, 'flag', 'flag: verdict flag');
is(last_seen()->{headers}{'x-passport-reasons'}, 'CODE_INVALID',
   'flag: reasons');
is(last_seen()->{headers}{'x-passport-flagged'}, '1', 'flag: map on verdict');
$t->error_log_like(qr/\[warn\].*passport: flag \(mode flag\) request_id:[0-9a-f]{32} seller:"0100109106" reasons:CODE_INVALID/,
    'flag: one warn line');

$t->mark_log;
$r = post('/flag', $good);
is($r->{status}, 200, 'flag: good listing');
is(last_seen()->{headers}{'x-passport-verdict'}, 'pass', 'flag: verdict pass');
is(last_seen()->{headers}{'x-passport-flagged'}, '0', 'flag: map default');
unlike($t->log_since_mark, qr/\[(warn|error|crit|alert|emerg)\]/,
       'a pass logs nothing above info');

# --- monitor

$r = post('/monitor', $bad);
is($r->{status}, 200, 'monitor: failing listing goes through');
is($r->{json}{body_md5}, md5_hex($bad), 'monitor: client sees the backend');
is(last_seen()->{headers}{'x-passport-verdict'}, 'block',
   'monitor: verdict is what enforce would do');
$t->error_log_like(qr/passport: block \(mode monitor\)/, 'monitor: warn line');

# --- access log

$t->wait_for(sub { -s $t->path('logs/passport.log') }, 5);
my $log = do { local (@ARGV, $/) = $t->path('logs/passport.log'); <> };
like($log, qr/verdict=flag reasons="CODE_INVALID" seller=0100109106 status=200/,
     'log_format: flagged request');
like($log, qr/verdict=pass reasons="" seller=0100109106 status=200/,
     'log_format: passed request');

# --- a cart with several sellers

my $cart = $json->encode({ lines => [
    { code => '8934673577038', seller => '0100109106' },
    { code => '(01)08934673577038(422)704', seller => '5493001KJTIIGC8Y1R12',
      origin => 704 },
] });
$r = post('/cart', $cart);
is($r->{status}, 200, 'cart with two valid sellers, no listing seller');
is(last_seen()->{headers}{'x-passport-verdict'}, 'pass', 'cart verdict pass');

$r = post('/cart', $json->encode({ seller_id => '0100109106', lines => [
    { code => '8934673577038' },
    { code => '8934673577038', seller => '0100233480' },
    { code => '(01)08934673577038(422)156', origin => 'VN' },
] }));
is($r->{status}, 422, 'cart with problems');
is_deeply([ map { "$_->{code} $_->{pointer}" } @{ $r->{json}{errors} } ],
    [ 'SELLER_ID_INVALID /lines/1/seller',
      'ORIGIN_MISMATCH /lines/2/code' ],
    'item seller overrides the listing seller; origin per item');

$r = post('/cart', $json->encode({ lines => [
    { code => '8934673577038', seller => '0100109106' },
    { code => '8934673577038' },
] }));
is_deeply([ map { "$_->{code} $_->{pointer}" } @{ $r->{json}{errors} } ],
    [ 'SELLER_MISSING /lines/1/seller' ],
    'a line without a seller where the cart has none');
like($r->{json}{errors}[0]{detail}, qr/no seller/, 'detail');

$t->error_log_clean;
$t->stop;
$t->error_log_clean;

done_testing;
