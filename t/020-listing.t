#!/usr/bin/perl
# Listings through the whole path: good listings reach the backend byte for
# byte, bad ones are blocked with an RFC 9457 problem document whose
# errors[].pointer points at the bad field.

use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP;
use Digest::MD5 qw(md5_hex);
use PassportTest;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

my $listing = <<'EOF2';
            passport on;
            passport_seller /seller_id;
            passport_items /items;
            passport_item_code /trace_code;
            passport_item_origin /origin;
            passport_code_pattern "VN-TXNG-[0-9]{4}-[0-9]{6}";
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
EOF2

$t->config(<<"EOF2")->run;
    server {
        listen 127.0.0.1:%%PORT_main%%;

        proxy_set_header X-Passport-Verdict \$passport_verdict;
        proxy_set_header X-Passport-Reasons \$passport_reasons;
        proxy_set_header X-Passport-Seller \$passport_seller;

        location /listings {
$listing
        }

        location /strict {
$listing
            passport_status 451;
            passport_problem_type_base https://seller.example/help/;
        }

        location /anyone {
            satisfy any;
            allow all;
$listing
        }

        location /single {
            passport on;
            passport_seller \$http_x_seller_id;
            passport_item_code /gtin;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2

sub post {
    my ($path, $body, @hdr) = @_;
    $body = $json->encode($body) if ref $body;
    return $t->request(method => 'POST', path => $path, body => $body,
        headers => [ 'Content-Type' => 'application/json', @hdr ]);
}

sub listing {
    my (%o) = @_;
    return { seller_id => $o{seller} // '0100109106', title => 'Sữa đặc',
             items => $o{items} // [ { trace_code => '8934673577038' } ] };
}

# --- a good listing, every code form, reaches the backend unchanged

my $good = $json->encode(listing(items => [
    { trace_code => '8934673577038', origin => 'VN' },
    { trace_code => '(01)08934673577038(10)ABC123(17)351231' },
    { trace_code => "]C1010893467357703810ABC123\x{1d}17351231" },
    { trace_code => 'https://id.gs1.org/01/12312312312326/21/abc123' },
    { trace_code => '(01)08934673577038(422)704', origin => 704 },
    { trace_code => 'VN-TXNG-2024-000123' },
]));

my $r = post('/listings', $good);
is($r->{status}, 200, 'good listing passes');
my $got = ($be->requests)[-1];
is($got->{body_md5}, md5_hex($good), 'backend received the body byte for byte');
is($got->{headers}{'x-passport-verdict'}, 'pass', '$passport_verdict is pass');
is($got->{headers}{'x-passport-reasons'}, undef,
   '$passport_reasons is empty (so nginx sends no header)');
is($got->{headers}{'x-passport-seller'}, '0100109106', '$passport_seller');

$r = post('/listings', listing(seller => ' 213800kud8lajwsq9d15 '));
is($r->{status}, 200, 'LEI seller, lower case and spaces');
is(($be->requests)[-1]{headers}{'x-passport-seller'}, '213800KUD8LAJWSQ9D15',
   'seller normalised: trimmed, upper-cased');

$r = post('/listings', listing(seller => '0314409058-002'));
is($r->{status}, 200, 'tax code with branch suffix');

# --- a bad code

my $n = $be->requests;
$r = post('/listings', listing(items => [
    { trace_code => '8934673577038' },
    { trace_code => '1234567890129' } ]));
is($r->{status}, 422, 'bad check digit blocks with 422');
is($r->{headers}{'content-type'}, 'application/problem+json', 'problem+json');
is($r->{headers}{'content-language'}, 'en', 'Content-Language en');
my $p = $r->{json};
is($p->{type}, 'urn:passport:problem:code-invalid', 'type');
is($p->{title}, 'Trace code is not valid', 'title');
is($p->{status}, 422, 'status member');
like($p->{instance}, qr/^[0-9a-f]{32}$/, 'instance is the request id');
is(scalar @{ $p->{errors} }, 1, 'one error');
is($p->{errors}[0]{pointer}, '/items/1/trace_code', 'pointer to the bad field');
is($p->{errors}[0]{code}, 'CODE_INVALID', 'error code');
is($p->{errors}[0]{value}, '1234567890129', 'offending value');
like($p->{errors}[0]{detail}, qr/check digit/, 'detail names the check digit');
is($p->{detail}, $p->{errors}[0]{detail}, 'detail of a single problem');
is_deeply($p->{seller}, { value => '0100109106', kind => 'tax_code',
                          verdict => 'valid' }, 'seller member');
is(scalar $be->requests, $n, 'blocked listing did not reach the backend');
$t->error_log_like(qr/\[warn\].*passport: block \(mode enforce\) request_id:$p->{instance} seller:"0100109106" reasons:CODE_INVALID/,
    'warn line with request id, seller and reasons');

# --- every local reason, with its pointer

my @cases = (
    [ listing(seller => '0100233480'), 'SELLER_ID_INVALID', '/seller_id',
      'tax code with a bad check digit' ],
    [ listing(seller => '213800KUD8LXJWSQ9D15'), 'SELLER_ID_INVALID',
      '/seller_id', 'LEI with a bad checksum' ],
    [ listing(seller => 'ACME'), 'SELLER_ID_INVALID', '/seller_id',
      'unrecognised seller ID' ],
    [ { items => [ { trace_code => '8934673577038' } ] }, 'SELLER_MISSING',
      '/seller_id', 'no seller' ],
    [ listing(seller => 104), 'SELLER_ID_INVALID', '/seller_id',
      'seller as a number' ],
    [ listing(items => [ { title => 'x' } ]), 'CODE_MISSING',
      '/items/0/trace_code', 'item without a code' ],
    [ listing(items => [ { trace_code => undef } ]), 'CODE_MISSING',
      '/items/0/trace_code', 'null code' ],
    [ listing(items => [ { trace_code => 8934673577038 } ]), 'CODE_INVALID',
      '/items/0/trace_code', 'code as a number' ],
    [ listing(items => [ { trace_code => { gtin => '1' } } ]), 'CODE_INVALID',
      '/items/0/trace_code', 'code as an object' ],
    [ listing(items => [ { trace_code => '(01)08934673577038(17)200101' } ]),
      'CODE_EXPIRED', '/items/0/trace_code', 'expired (AI 17)' ],
    [ listing(items => [ { trace_code => '(01)08934673577038(422)156',
                           origin => 'VN' } ]),
      'ORIGIN_MISMATCH', '/items/0/trace_code', 'AI 422 differs from origin' ],
    [ listing(items => [ { trace_code => '8934673577038', origin => 'XX' } ]),
      'ORIGIN_INVALID', '/items/0/origin', 'origin not a country' ],
    [ listing(items => [ { trace_code => '8934673577038',
                           origin => 'Việt Nam' } ]),
      'ORIGIN_INVALID', '/items/0/origin', 'origin a country name' ],
    [ listing(items => [ { trace_code => '(01)08934673577038(99x)A' } ]),
      'CODE_INVALID', '/items/0/trace_code', 'unknown AI' ],
    [ listing(items => [ { trace_code => 'VN-TXNG-24-1' } ]), 'CODE_INVALID',
      '/items/0/trace_code', 'opaque code not matching the pattern' ],
    [ listing(items => []), 'CODE_MISSING', '/items', 'empty items' ],
    [ { seller_id => '0100109106' }, 'CODE_MISSING', '/items', 'no items' ],
);

for my $c (@cases) {
    my ($body, $code, $ptr, $name) = @$c;
    $r = post('/listings', $body);
    is($r->{status}, 422, "$name: 422");
    my $e = $r->{json} && $r->{json}{errors} && $r->{json}{errors}[0];
    is($e && $e->{code}, $code, "$name: $code");
    is($e && $e->{pointer}, $ptr, "$name: pointer $ptr");
    ok($e && length $e->{detail}, "$name: has a detail");
}

$r = post('/listings', listing(items => [ { trace_code => 'zz' } ]));
like($r->{json}{errors}[0]{detail}, qr/./, 'unparseable code has a detail');

# several problems in one listing: one error each, reasons listed once

$r = post('/listings', listing(seller => '0100233480', items => [
    { trace_code => '12345673' }, { trace_code => '12345673' },
    { trace_code => '8934673577038' } ]));
is($r->{status}, 422, 'several problems: 422');
is_deeply([ map { "$_->{code} $_->{pointer}" } @{ $r->{json}{errors} } ],
    [ 'SELLER_ID_INVALID /seller_id', 'CODE_INVALID /items/0/trace_code',
      'CODE_INVALID /items/1/trace_code' ], 'one error per problem');
like($r->{json}{detail}, qr/^3 problems/, 'summary detail');
is($r->{json}{seller}{verdict}, 'invalid', 'seller verdict invalid');
$t->error_log_like(qr/reasons:SELLER_ID_INVALID,CODE_INVALID, client/,
    'each reason once in the log line');

# --- Vietnamese

$r = post('/listings', listing(items => [ { trace_code => '12345673' } ]),
          'Accept-Language' => 'vi-VN,vi;q=0.9,en;q=0.5');
is($r->{headers}{'content-language'}, 'vi', 'Content-Language vi');
is($r->{json}{title}, 'Mã truy xuất nguồn gốc không hợp lệ', 'Vietnamese title');
like($r->{json}{errors}[0]{detail}, qr/số kiểm tra|kiểm tra/, 'Vietnamese detail');
is($r->{json}{errors}[0]{code}, 'CODE_INVALID', 'codes are not translated');

# --- a seller can act on what they read, in their language

my @vi = ('Accept-Language' => 'vi');

$r = post('/listings', listing(items => [ { trace_code => '8934673577038',
                                            origin => 'Việt Nam' } ]), @vi);
my $e = $r->{json}{errors}[0];
is("$e->{code} $e->{pointer}", 'ORIGIN_INVALID /items/0/origin',
   'origin not a country: its own reason, at the origin');
is($e->{value}, 'Việt Nam', 'origin not a country: the value as sent');
is($r->{json}{title}, 'Xuất xứ khai báo không phải mã quốc gia',
   'origin not a country: Vietnamese title');
like($e->{detail}, qr/hai chữ cái như VN hoặc ba chữ số như 704/,
     'origin not a country: says what to send, in Vietnamese');
like($r->{json}{type}, qr/origin-invalid$/, 'origin not a country: type');

$r = post('/listings', listing(items => [ { trace_code => '8934673577038',
                                            origin => 'XX' } ]));
like($r->{json}{errors}[0]{detail}, qr/use two letters such as VN/,
     'origin not a country: says what to send');

$r = post('/listings', listing(items => [ { trace_code => '12345673' } ]));
is($r->{headers}{'vary'}, 'Accept-Language', 'problem: Vary: Accept-Language');
is($r->{headers}{'content-language'}, 'en', 'problem: Content-Language en');
is($r->{json}{errors}[0]{detail},
   'check digit of the barcode number (GTIN, AI 01) is 3, expected 0',
   'plain words first, the AI in brackets');

$r = post('/listings', listing(items => [
    { trace_code => '(01)08934673577038(10)' . 'A' x 21 } ]));
is($r->{json}{errors}[0]{detail}, 'the lot (AI 10) has the wrong length',
   'a lot is a lot (AI 10)');

$r = post('/listings', listing(items => [
    { trace_code => '(01)08934673577038(17)251341' } ]), @vi);
is($r->{json}{errors}[0]{detail},
   'hạn sử dụng (AI 17) không phải là ngày hợp lệ',
   'expiry date in Vietnamese');

$r = post('/listings', listing(items => [ { trace_code => 'VN-TXNG-24-1' } ]));
like($r->{json}{errors}[0]{detail},
     qr/^not a trace code: send a barcode number \(GTIN\) .*GS1 Digital Link URI, or a code of the form VN-TXNG-\[0-9\]\{4\}-\[0-9\]\{6\}$/,
     'CODE_INVALID lists the accepted forms and the configured pattern');

$r = post('/listings', listing(seller => '0100233480', items => [
    { trace_code => '12345673' } ]), @vi);
is($r->{json}{detail}, 'Phát hiện 2 vấn đề, xem chi tiết trong danh sách lỗi',
   'Vietnamese summary has no English word');
is($r->{headers}{'vary'}, 'Accept-Language', 'Vietnamese: Vary');

$r = $t->request(method => 'POST', path => '/listings',
                 body => '{"seller_id": "0100109106", "items": [}',
                 headers => [ 'Content-Type' => 'application/json', @vi ]);
like($r->{json}{errors}[0]{detail},
     qr/^lỗi cú pháp JSON tại dòng 1, cột \d+: ký tự không đúng chỗ$/,
     'JSON syntax error in Vietnamese, no parser English');
unlike($r->{body}, qr/expected|near/, 'no parser text for the seller');
$t->error_log_like(qr/\[info\].*passport: request body is not JSON: .*near/,
                   'the parser text is in the error log');

# --- status and type base, satisfy any

$r = post('/strict', listing(items => [ { trace_code => '12345673' } ]));
is($r->{status}, 451, 'passport_status 451');
is($r->{json}{status}, 451, 'status member follows passport_status');
is($r->{json}{type}, 'https://seller.example/help/code-invalid',
   'passport_problem_type_base');

$r = post('/anyone', listing(items => [ { trace_code => '12345673' } ]));
is($r->{status}, 422, 'satisfy any with allow all cannot override a block');

# --- methods

$r = $t->request(method => 'GET', path => '/listings');
is($r->{status}, 200, 'GET passes unchecked');
is(($be->requests)[-1]{headers}{'x-passport-verdict'}, undef,
   '$passport_verdict empty for an unchecked request');

$r = post('/listings', listing());
$r = $t->request(method => 'PUT', path => '/listings', body => '{}',
                 headers => [ 'Content-Type' => 'application/json' ]);
is_deeply([ map { $_->{code} } @{ $r->{json}{errors} } ],
          [ 'SELLER_MISSING', 'CODE_MISSING' ], 'PUT is checked');
$r = $t->request(method => 'PATCH', path => '/listings', body => '[]',
                 headers => [ 'Content-Type' => 'application/json' ]);
is($r->{status}, 400, 'PATCH is checked');
is($r->{json}{errors}[0]{code}, 'BODY_MALFORMED',
   'an array where the listing object is expected');

# --- seller from a header, the body root as the single item

$r = post('/single', { gtin => '8934673577038' }, 'X-Seller-Id' => '0100233488');
is($r->{status}, 200, 'seller from $http_x_seller_id');
is(($be->requests)[-1]{headers}{'x-passport-seller'}, '0100233488',
   '$passport_seller from the header');

$r = post('/single', { gtin => '8934673577038' });
is($r->{status}, 422, 'header seller missing');
is($r->{json}{errors}[0]{code}, 'SELLER_MISSING', 'SELLER_MISSING');
ok(!exists $r->{json}{errors}[0]{pointer}, 'no pointer for a header');

$r = post('/single', { gtin => '8934673577038' }, 'X-Seller-Id' => '0100233480');
is($r->{json}{errors}[0]{code}, 'SELLER_ID_INVALID', 'bad header seller');
is($r->{json}{errors}[0]{value}, '0100233480', 'value of the bad header');

$t->error_log_clean;
$t->stop;
$t->error_log_clean;

done_testing;
