#!/usr/bin/perl
# Bounded memory and work per request: a body of many tiny JSON values is
# refused before it is parsed (BODY_TOO_COMPLEX, 413) and a worker holding
# such requests, or requests just under the limit, behind a slow backend
# keeps its memory (VmRSS/VmHWM of the worker, against a baseline of the
# same run); codes and seller IDs longer than 512 bytes are refused unread
# and never looked up (counted at a fixture registry), a 1 MB Digital Link
# of one AI repeated too, and a Digital Link that repeats an AI; a
# 512-byte code is looked up once and then answered from the cache;
# passport_max_items and passport_max_json_values have a maximum at
# nginx -t; a number such as 1e300 where a code belongs is a clear 422.

use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $slow = $t->backend('slow', routes => [ [ '*', qr{^/}, { delay => 4, json => { ok => 1 } } ] ]);
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $reg = PassportTest::Registry->new($t, port => 'registry');
$reg->entity('0100109106', 'active');

# --- nginx -t: the limits

sub conf_test {
    my ($dirs) = @_;
    $t->config(<<"EOF2");
    server {
        listen 127.0.0.1:%%PORT_main%%;
        location / {
            passport on;
            passport_item_code /trace_code;
            $dirs
        }
    }
EOF2
    return $t->test_config;
}

my ($rc, $out) = conf_test('passport_max_items 10000; passport_max_json_values 1000000;');
is($rc, 0, 'nginx -t: passport_max_items 10000 and passport_max_json_values 1000000') or diag $out;

($rc, $out) = conf_test('passport_max_items 10001;');
isnt($rc, 0, 'nginx -t: passport_max_items 10001 fails');
like($out, qr/\[emerg\].*"passport_max_items" value "10001" is too large: use at most 10000 \(split larger listings/,
    '... naming the directive, the value and the fix');

($rc, $out) = conf_test('passport_max_items 99999999999999999999;');
isnt($rc, 0, 'nginx -t: a passport_max_items past any integer fails');

($rc, $out) = conf_test('passport_max_json_values 0;');
like($out, qr/\[emerg\].*"passport_max_json_values" value "0" is too small: use at least 1/,
    'nginx -t: passport_max_json_values 0');
($rc, $out) = conf_test('passport_max_json_values 1000001;');
like($out, qr/\[emerg\].*"passport_max_json_values" value "1000001" is too large: use at most 1000000/,
    'nginx -t: passport_max_json_values 1000001');

# --- the server

$t->config(<<"EOF2", workers => 1)->run;
@{[ $reg->nginx_conf ]}
    passport_cache_zone bounds:1m;
    client_max_body_size 2m;

    server {
        listen 127.0.0.1:%%PORT_main%%;

        passport_seller /seller_id;
        passport_item_code /trace_code;

        location /enforce {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /small {
            passport on;
            passport_max_json_values 5;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /monitor {
            passport on;
            passport_mode monitor;
            proxy_pass http://127.0.0.1:%%PORT_slow%%;
            proxy_read_timeout 30s;
        }

        location /registry-checked {
            passport on;
            passport_code_pattern "[A-Z]+";
            passport_registry @{[ $reg->base ]};
            passport_cache bounds;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2

sub post {
    my ($path, $body, @hdr) = @_;
    return $t->request(method => 'POST', path => $path, body => $body,
        headers => [ 'Content-Type' => 'application/json', @hdr ]);
}
sub post_begin {
    my ($path, $body) = @_;
    return $t->request_begin(method => 'POST', path => $path, body => $body, timeout => 30,
        headers => [ 'Content-Type' => 'application/json' ]);
}
sub errors { [ PassportTest::Registry::errors_of($_[0]) ] }
sub detail { $_[0]{json} && $_[0]{json}{errors} ? $_[0]{json}{errors}[0]{detail} // '' : '' }
sub quiet { select(undef, undef, undef, 0.3) }

# 0.99 MB of {}: 74 MB of parser tree before the limit
my $pad = '{"seller_id":"0100109106","trace_code":"8934673577038","pad":['
    . join(',', ('{}') x 330000) . ']}';
ok(length($pad) > 990_000 && length($pad) < 1_000_000, 'the pad body is 0.99 MB');

my $r = post('/enforce', $pad);
is($r->{status}, 413, 'a body of 330000 values: 413');
is_deeply(errors($r), [ 'BODY_TOO_COMPLEX ' ], '... BODY_TOO_COMPLEX at the root');
is($r->{json}{type}, 'urn:passport:problem:body-too-complex', '... its own type');
like(detail($r), qr/^the JSON document holds more than 50000 values/, '... the detail names the limit');
is($be->requests // 0, 0, '... and the backend never saw it');

$r = post('/enforce', $pad, 'Accept-Language' => 'vi');
like(detail($r), qr/^tài liệu JSON có hơn 50000 giá trị/, '... in Vietnamese too');

$r = post('/small', '{"seller_id":"0100109106","trace_code":"8934673577038","a":[1,2]}');
is($r->{status}, 413, 'passport_max_json_values 5: six values are too many');
$r = post('/small', '{"seller_id":"0100109106","trace_code":"8934673577038","a":1}');
is($r->{status}, 200, '... four pass');

# --- worker memory with requests held by a slow backend

my ($worker) = $t->worker_pids;
sub mem {
    open(my $fh, '<', "/proc/$worker/status") or return {};
    my %m;
    while (<$fh>) { $m{$1} = $2 / 1024 if /^(VmRSS|VmHWM):\s+(\d+) kB/ }
    return \%m;
}

# warm up: a plain listing, one refused pad, so that buffers exist already
post('/enforce', '{"seller_id":"0100109106","trace_code":"8934673577038"}');
post('/enforce', $pad);
my $base = mem();
ok($base->{VmRSS}, sprintf('baseline: VmRSS %.1f MB, VmHWM %.1f MB', $base->{VmRSS}, $base->{VmHWM}));

sub hold {
    my ($name, $body, $n, $rss_max, $hwm_max) = @_;
    my $before = $slow->requests // 0;
    my @h = map { post_begin('/monitor', $body) } 1 .. $n;
    ok($t->wait_for(sub { ($slow->requests // 0) >= $before + $n }, 20),
        "$name: $n requests held by the slow backend");
    my $m = mem();
    my $rss = $m->{VmRSS} - $base->{VmRSS};
    my $hwm = $m->{VmHWM} - $base->{VmHWM};
    SKIP: {
        # ASan keeps freed memory in quarantine: sizes mean nothing there
        skip "$name: memory is measured without sanitizers", 2
            if PassportTest::sanitized();
        cmp_ok($rss, '<', $rss_max,
               sprintf('%s: VmRSS grew by %.1f MB (< %d MB)',
                       $name, $rss, $rss_max));
        cmp_ok($hwm, '<', $hwm_max,
               sprintf('%s: VmHWM grew by %.1f MB (< %d MB)',
                       $name, $hwm, $hwm_max));
    }
    my @st = map { $t->request_end($_)->{status} // 'none' } @h;
    is_deeply(\@st, [ (200) x $n ], "$name: each passes on in monitor mode");
}

# refused before parsing: 4 of them took 295 MB before
hold('pad bodies', $pad, 4, 4 * 2 + 16, 32);

# just under the limit: each parsed, its tree (several MB) freed at once
my $under = '{"seller_id":"0100109106","trace_code":"8934673577038","pad":['
    . join(',', ('{}') x 49000) . ']}';
$r = post('/enforce', $under);
is($r->{status}, 200, '49000 values pass');
hold('bodies of 49000 values', $under, 8, 8 * 2 * 0.15 + 24, 40);

# --- codes and seller IDs past 512 bytes are never looked up

my $code512 = 'A' x 512;
my $code513 = 'A' x 513;
my $seller513 = '0100233488' . (' ' x 503);    # valid, but padded
my $dl = 'https://a/01/08934673577038?17=281231';
$dl .= '&17=281231' while length($dl) < 1024 * 1024;

$r = post('/registry-checked', $json->encode({ seller_id => '0100109106', trace_code => $code513 }));
is($r->{status}, 422, 'a 513-byte code: 422');
is_deeply(errors($r), [ 'CODE_INVALID /trace_code' ], '... CODE_INVALID');
is(detail($r), 'trace code is longer than 512 bytes', '... the detail names the limit');
is(length($r->{json}{errors}[0]{value}), 256, '... and the value shown is cut');
$r = post('/registry-checked', $json->encode({ seller_id => '0100109106', trace_code => $code513 }),
    'Accept-Language' => 'vi');
is(detail($r), 'mã truy xuất dài hơn 512 byte', '... in Vietnamese too');

$r = post('/registry-checked', $json->encode({ seller_id => $seller513, trace_code => 'ABC' }));
is($r->{status}, 422, 'a valid tax code padded to 513 bytes: 422');
is((errors($r))->[0], 'SELLER_ID_INVALID /seller_id', '... SELLER_ID_INVALID') or diag explain errors($r);
is(detail($r), 'seller ID is longer than 512 bytes', '... the detail names the limit');
$r = post('/registry-checked', $json->encode({ seller_id => $seller513, trace_code => 'ABC' }),
    'Accept-Language' => 'vi');
is(detail($r), 'mã định danh người bán dài hơn 512 byte', '... in Vietnamese too');

$r = post('/registry-checked', $json->encode({ seller_id => '0100109106', trace_code => $dl }));
is($r->{status}, 422, 'a 1 MB Digital Link of AI 17 repeated: 422');
is(detail($r), 'trace code is longer than 512 bytes', '... as too long');

$r = post('/registry-checked', $json->encode({ seller_id => '0100109106',
    trace_code => 'https://a/01/08934673577038?17=281231&17=281231' }));
is_deeply(errors($r), [ 'CODE_INVALID /trace_code' ], 'a Digital Link naming AI 17 twice: CODE_INVALID');
is(detail($r), 'the expiry date (AI 17) appears more than once in the Digital Link', '... saying so');

quiet();
is($reg->count(qr{/codes/(?!ABC\z)}), 0, 'none of these codes reached the registry')
    or diag explain [ $reg->log_lines ];
is($reg->count(qr{/entities/0100233488\z}), 0, 'nor the padded seller')
    or diag explain [ $reg->log_lines ];

# the longest code there can be: looked up once, then from the cache
my $n0 = $reg->count;
$r = post('/registry-checked', $json->encode({ seller_id => '0100109106', trace_code => $code512 }));
is_deeply(errors($r), [ 'CODE_NOT_REGISTERED /trace_code' ], 'a 512-byte opaque code is looked up');
ok($t->wait_for(sub { $reg->count(qr{/codes/A{512}\z}) == 1 }, 5), '... once at the registry');
for (1 .. 3) {
    $r = post('/registry-checked', $json->encode({ seller_id => '0100109106', trace_code => $code512 }));
}
is_deeply(errors($r), [ 'CODE_NOT_REGISTERED /trace_code' ], '... and again');
quiet();
is($reg->count(qr{/codes/A{512}\z}), 1, '... from the cache: its key was stored whole');

# --- a number where a code belongs

$r = post('/enforce', '{"seller_id":"0100109106","trace_code":1e300}');
is($r->{status}, 422, 'trace_code 1e300: 422');
is_deeply(errors($r), [ 'CODE_INVALID /trace_code' ], '... CODE_INVALID');
is($r->{json}{errors}[0]{value}, '1.0000000000000001e+300', '... the number shown as sent');
$r = post('/enforce', '{"seller_id":"0100109106","trace_code":-12}');
is($r->{json}{errors}[0]{value}, '-12', 'a whole number is shown as one');

$t->error_log_clean;

done_testing;
