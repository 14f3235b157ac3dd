#!/usr/bin/perl
# Bad input gets a clear problem document and nothing is lost: malformed
# JSON, wrong shapes, deep nesting, invalid UTF-8, NUL bytes, duplicate keys,
# oversized bodies, bodies in temporary files, chunked bodies, too many
# items, clients that go away.  Never a 500, a crash or a hang.

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
    client_max_body_size 256k;

    server {
        listen 127.0.0.1:%%PORT_main%%;

        passport_seller /seller_id;
        passport_item_code /trace_code;

        location /listings {
            passport on;
            passport_items /items;
            passport_max_items 3;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /small-buffer {
            passport on;
            passport_items /items;
            client_body_buffer_size 1k;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /root {
            passport on;
            passport_items "";
            passport_item_code "";
            passport_seller $http_x_seller_id;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /object {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2

sub post {
    my ($path, $body, %o) = @_;
    my $type = delete $o{type} // 'application/json';
    my @hdr = @{ delete $o{headers} || [] };
    return $t->request(method => 'POST', path => $path, body => $body,
        headers => [ 'Content-Type' => $type, @hdr ], %o);
}

sub problem_ok {
    my ($r, $status, $code, $name) = @_;
    is($r->{status}, $status, "$name: $status");
    my $e = $r->{json} && $r->{json}{errors} && $r->{json}{errors}[0];
    is($e && $e->{code}, $code, "$name: $code");
    return $e || {};
}

my $good = $json->encode({ seller_id => '0100109106',
                           items => [ { trace_code => '8934673577038' } ] });

# --- syntax

my $e = problem_ok(post('/listings', '{"seller_id": "0100109106", "items": ['),
                   400, 'BODY_MALFORMED', 'truncated JSON');
like($e->{detail}, qr/line 1, column \d+/, 'detail gives line and column');
is($e->{pointer}, '', 'pointer to the whole document');

$e = problem_ok(post('/listings', qq({\n  "seller_id": "0100109106",\n  "items": [}\n)),
                400, 'BODY_MALFORMED', 'bad JSON on line 3');
like($e->{detail}, qr/line 3, column/, 'line 3');

$e = problem_ok(post('/listings', ''), 400, 'BODY_MALFORMED', 'empty body');
like($e->{detail}, qr/empty/, 'empty body detail');

$e = problem_ok(post('/listings', '{"seller_id":"0100109106","seller_id":"x",'
                                 . '"items":[]}'),
                400, 'BODY_MALFORMED', 'duplicate keys');
like($e->{detail}, qr/duplicate/, 'duplicate key named');

$e = problem_ok(post('/listings', qq({"seller_id":"\xff\xfe","items":[]})),
                400, 'BODY_MALFORMED', 'invalid UTF-8');

$e = problem_ok(post('/listings', qq({"seller_id":"01001\x0009106","items":[]})),
                400, 'BODY_MALFORMED', 'raw NUL byte in a string');

# jansson skipped a NUL byte right after a number or literal, and the
# backend got a body its parser may read otherwise: refused, where it is
my $nul = qq({"seller_id":"0100109106","n":1\x00,"items":[]});
$e = problem_ok(post('/listings', $nul), 400, 'BODY_MALFORMED',
                'raw NUL byte after a number');
my $col = index($nul, "\x00") + 1;
like($e->{detail}, qr/line 1, column $col\b/, 'the NUL byte\'s column');
problem_ok(post('/listings', qq({"seller_id":"0100109106","ok":true\x00})),
           400, 'BODY_MALFORMED', 'raw NUL byte after a literal');

my $deep = ('{"a":' x 10000) . '1' . ('}' x 10000);
$e = problem_ok(post('/listings', $deep), 400, 'BODY_MALFORMED',
                '10,000 levels of objects');
like($e->{detail}, qr/depth/, 'nesting limit named');
$deep = '{"seller_id":"0100109106","items":' . ('[' x 10000) . (']' x 10000) . '}';
problem_ok(post('/listings', $deep), 400, 'BODY_MALFORMED', '10,000 levels of arrays');

# --- shapes

$e = problem_ok(post('/listings', '{"seller_id":"0100109106","items":{"a":1}}'),
                400, 'BODY_MALFORMED', 'items not an array');
is($e->{pointer}, '/items', 'pointer to items');
like($e->{detail}, qr/array.*object/, 'detail names what was found');

$e = problem_ok(post('/object', '[{"trace_code":"8934673577038"}]'),
                400, 'BODY_MALFORMED', 'root not an object');
like($e->{detail}, qr/object, found array/, 'root detail');
problem_ok(post('/object', '"8934673577038"'), 400, 'BODY_MALFORMED',
           'root a string');
problem_ok(post('/object', 'null'), 400, 'BODY_MALFORMED', 'root null');

$e = problem_ok(post('/listings', '{"seller_id":"0100109106","items":[7]}'),
                422, 'CODE_MISSING', 'item not an object');
like($e->{detail}, qr/number, not an object/, 'item type named');
problem_ok(post('/listings', '{"seller_id":"0100109106","items":[{"trace_code":true}]}'),
           422, 'CODE_INVALID', 'code a boolean');
$e = problem_ok(post('/listings', '{"seller_id":"0100109106","items":[{"trace_code":["1"]}]}'),
                422, 'CODE_INVALID', 'code an array');
like($e->{detail}, qr/string, found array/, 'type named');

$e = problem_ok(post('/listings', '{"seller_id":"0100109106","items":'
                     . '[{"trace_code":"89346735\u000077038"}]}'),
                422, 'CODE_INVALID', 'escaped NUL inside the code');
is($e->{value}, "89346735\x0077038", 'value keeps the NUL, JSON-escaped');

$e = problem_ok(post('/listings', '{"seller_id":"0100109106\u0000","items":'
                     . '[{"trace_code":"8934673577038"}]}'),
                422, 'SELLER_ID_INVALID', 'escaped NUL inside the seller');

$e = problem_ok(post('/listings', '{"seller_id":"0100109106","items":'
                     . '[{"trace_code":"' . ('9' x 5000) . '"}]}'),
                422, 'CODE_INVALID', 'a 5000-byte code');
is(length $e->{value}, 256, 'value cut at 256 bytes');

my $r = post('/root', '["8934673577038","12345673"]',
             headers => [ 'X-Seller-Id' => '0100109106' ]);
$e = problem_ok($r, 422, 'CODE_INVALID', 'array of bare codes');
is($e->{pointer}, '/1', 'pointer into the root array');

# --- content types

problem_ok(post('/listings', $good, type => 'text/plain'), 415,
           'BODY_NOT_JSON', 'text/plain');
$r = $t->request(method => 'POST', path => '/listings', body => $good);
problem_ok($r, 415, 'BODY_NOT_JSON', 'no Content-Type');
problem_ok(post('/listings', $good, type => 'application/jsonx'), 415,
           'BODY_NOT_JSON', 'application/jsonx');
is(post('/listings', $good, type => 'Application/JSON; charset=utf-8')->{status},
   200, 'application/json with parameters');
is(post('/listings', $good, type => 'application/vnd.listing+json')->{status},
   200, 'application/*+json');

# --- item count

my @items = map { { trace_code => '8934673577038' } } 1 .. 3;
is(post('/listings', $json->encode({ seller_id => '0100109106',
        items => \@items }))->{status}, 200, 'passport_max_items items pass');
$e = problem_ok(post('/listings', $json->encode({ seller_id => '0100109106',
        items => [ @items, { trace_code => 'x' } ] })),
        422, 'TOO_MANY_ITEMS', 'passport_max_items + 1');
is($e->{pointer}, '/items', 'pointer to items');
like($e->{detail}, qr/4 items, at most 3/, 'counts in the detail');

# --- big bodies: temp file, and over client_max_body_size

my $big = $json->encode({ seller_id => '0100109106', note => 'x' x 100_000,
                          items => [ { trace_code => '8934673577038' } ] });
$r = post('/small-buffer', $big);
is($r->{status}, 200, 'body larger than client_body_buffer_size passes');
is(($be->requests)[-1]{body_md5}, md5_hex($big), 'backend got it unchanged');
$t->error_log_like(qr/a client request body is buffered to a temporary file/,
    'the body went through a temporary file');

(my $bigbad = $big) =~ s/8934673577038/8934673577039/;
$e = problem_ok(post('/small-buffer', $bigbad), 422, 'CODE_INVALID',
                'bad code in a temp-file body');
is($e->{pointer}, '/items/0/trace_code', 'pointer from the temp-file body');

$r = post('/listings', 'x' x 300_000);
is($r->{status}, 413, 'body over client_max_body_size is nginx\'s 413');

# --- a body that arrives in several reads ends up in several buffers

my $head = "POST /listings HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    . "Content-Type: application/json\r\nContent-Length: " . length($good)
    . "\r\n\r\n";
my $raw = $t->raw(data => [ $head . substr($good, 0, 20),
                            substr($good, 20, 30), substr($good, 50) ]);
like($raw, qr{^HTTP/1.1 200}, 'body in three reads passes');
is(($be->requests)[-1]{body_md5}, md5_hex($good), 'and arrives unchanged');

(my $goodbad = $good) =~ s/8934673577038/8934673577039/;
$raw = $t->raw(data => [ $head . substr($goodbad, 0, 20),
                         substr($goodbad, 20, 30), substr($goodbad, 50) ]);
like($raw, qr{^HTTP/1.1 422.*"pointer":"/items/0/trace_code"}s,
     'bad code split across reads is found');

# --- chunked

$r = $t->request(method => 'POST', path => '/small-buffer',
    headers => [ 'Content-Type' => 'application/json' ],
    chunked => [ substr($big, 0, 1000), substr($big, 1000, 50_000),
                 substr($big, 51_000) ]);
is($r->{status}, 200, 'chunked body passes');
is(($be->requests)[-1]{body_md5}, md5_hex($big), 'chunked body unchanged');

$r = $t->request(method => 'POST', path => '/listings',
    headers => [ 'Content-Type' => 'application/json' ],
    chunked => [ '{"seller_id":"0100109106",', '"items":[{"trace_code":',
                 '"12345673"}]}' ]);
problem_ok($r, 422, 'CODE_INVALID', 'chunked body with a bad code');

$r = $t->request(method => 'POST', path => '/listings',
    headers => [ 'Content-Type' => 'application/json' ],
    chunked => [ 'x' x 200_000, 'x' x 100_000 ]);
is($r->{status}, 413, 'chunked body over client_max_body_size');

# --- a client that goes away mid-body

$t->raw(data => "POST /listings HTTP/1.1\r\nHost: x\r\n"
    . "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
    . '{"seller_id":', close_after => 1);
$t->raw(data => "POST /small-buffer HTTP/1.1\r\nHost: x\r\n"
    . "Content-Type: application/json\r\nContent-Length: 200000\r\n\r\n"
    . substr($big, 0, 50_000), close_after => 1);
$r = post('/listings', $good);
is($r->{status}, 200, 'still serving after clients went away mid-body');

$t->error_log_clean(allow => [ qr/client intended to send too large/ ]);
$t->stop;
$t->error_log_clean(allow => [ qr/client intended to send too large/ ]);
unlike($t->error_log, qr/exited on signal/, 'no worker crashed');

done_testing;
