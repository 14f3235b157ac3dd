#!/usr/bin/perl
# What a seller reads when the registry fails or disagrees: the registry
# could not be reached or gave an unusable answer, and when to send again,
# in the seller's language; never an address, a port, libcurl's text or a
# record detail (those are in the error log).  Registry statuses are
# translated; a registry that disagrees on the origin points at the item's
# origin.

use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

my $reg = PassportTest::Registry->new($t, port => 'fault', control => 'tmp/fault.json');
$reg->entity('0100109106', 'active');
$reg->entity('0300588569', 'suspended');
$reg->entity('0100233488', 'on_hold');
$reg->code('01/08934673577038', authorized_sellers => [ '0300588569', '0100233488' ]);
$reg->code('01/12345678901231', origin => 'CN');
$reg->code('01/09506000134352', status => 'expired');
$reg->server;
my $closed = $t->port('closed');    # nobody listens there

my $loc = <<'EOF2';
            passport on;
            passport_seller /seller_id;
            passport_items /items;
            passport_item_code /trace_code;
            passport_item_origin /origin;
            passport_registry_breaker 1000 7s;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
EOF2

$t->config(<<"EOF2")->run;
    server {
        listen 127.0.0.1:%%PORT_main%%;
        passport_registry_timeout 500ms;

        location /fault {
            passport_registry http://127.0.0.1:%%PORT_fault%%/registry;
$loc        }
        location /refused {
            passport_registry http://127.0.0.1:$closed/registry;
$loc        }
    }
EOF2

sub post { PassportTest::Registry::post_json($t, @_) }

my $listing = { seller_id => '0100109106',
                items => [ { trace_code => '8934673577038' } ] };

# what never reaches a seller, whatever the failure
my @hidden = (qr/127\.0\.0\.1/, qr/\b$closed\b/, qr/\b${\ $reg->port }\b/,
    qr/refused/i, qr/timed? ?out/i, qr/\bport\b/i, qr/curl/i,
    qr/record is for/, qr/not the asked/, qr/0100233488/, qr/01\/123/,
    qr/HTTP\/|\bHTTP status\b/, qr/Recv|Send failure|Empty reply|Weird/i);

# English words that must not be in a Vietnamese document (statuses,
# causes); names such as JSON or GS1 are fine
my @english = qw(the is not of and or registry seller code could reached
    answer again seconds suspended dissolved expired recalled revoked
    active inactive on_hold errors record);

sub vietnamese_only {
    my ($text, $name) = @_;
    my @found = grep { $text =~ /(?<![\p{L}_])\Q$_\E(?![\p{L}_])/i } @english;
    ok(!@found, "$name: no English word in Vietnamese")
        or diag "found: @found in $text";
}

my @faults = (
    [ 'connection refused', '/refused', {}, qr/could not be reached/,
      qr/không kết nối được/ ],
    [ 'timeout', '/fault', { all => { delay => 2 } }, qr/could not be reached/,
      qr/không kết nối được/ ],
    [ 'garbage instead of HTTP', '/fault', { all => { garbage => 1 } },
      qr/could not be reached|could not be used/,
      qr/không kết nối được|không dùng được/ ],
    [ 'a record for another id and code', '/fault', {
        entities => { json => { id => '0100233488', status => 'active',
                                name => 'Other', country => 'VN' } },
        codes => { json => { code => '01/12312312312326', status => 'active',
                             owner => '0100109106', origin => 'VN' } } },
      qr/gave an answer that could not be used/, qr/trả lời không dùng được/ ],
    [ 'HTTP 500', '/fault', { all => { status => 500, body => 'boom at 10.0.0.7:8080' } },
      qr/gave an answer that could not be used/, qr/trả lời không dùng được/ ],
);

for my $f (@faults) {
    my ($name, $path, $ctl, $en_re, $vi_re) = @$f;
    $reg->control(%$ctl);

    for my $lang ('en', 'vi') {
        $t->mark_log;
        my $r = post($path, $listing, 'Accept-Language' => $lang);
        my $what = "$name ($lang)";
        is($r->{status}, 503, "$what: 503") or diag $r->{raw};
        is($r->{headers}{'content-language'}, $lang, "$what: Content-Language");
        is($r->{headers}{'vary'}, 'Accept-Language', "$what: Vary");
        is_deeply([ sort(PassportTest::Registry::errors_of($r)) ],
                  [ 'REGISTRY_UNAVAILABLE /items/0/trace_code',
                    'REGISTRY_UNAVAILABLE /seller_id' ],
                  "$what: REGISTRY_UNAVAILABLE on the seller and the code");
        my @d = map { $_->{detail} // '' } @{ $r->{json}{errors} || [] };
        my $re = $lang eq 'vi' ? $vi_re : $en_re;
        is(scalar(grep { $_ =~ $re } @d), 2, "$what: says what went wrong")
            or diag explain \@d;
        my $when = $lang eq 'vi' ? qr/gửi lại tin đăng sau 7 giây/
                                 : qr/send the listing again in 7 seconds/;
        is(scalar(grep { $_ =~ $when } @d), 2, "$what: says when to retry");
        my $body = $r->{body};
        utf8::decode($body);
        my @leak = grep { $body =~ $_ } @hidden;
        ok(!@leak, "$what: no address, port, library or record text")
            or diag "leaks @leak in $body";
        if ($lang eq 'vi') {
            vietnamese_only(join(' ', $r->{json}{title}, $r->{json}{detail}, @d),
                            $what);
        }
        # the cause is for the operator
        $t->wait_for(sub { PassportTest::Registry::lookup_errors($t) >= 2 }, 3);
        ok(scalar(PassportTest::Registry::lookup_errors($t)) >= 2,
           "$what: the cause is in the error log");
    }
}
$reg->control;

# --- statuses in the seller's language

my @status = (
    [ 'seller suspended', { seller_id => '0300588569', items => [ { trace_code => '8934673577038' } ] },
      'SELLER_INACTIVE /seller_id', qr/is suspended in the registry/,
      qr/đang ở trạng thái tạm ngừng hoạt động/ ],
    [ 'seller in a status of its own', { seller_id => '0100233488', items => [ { trace_code => '8934673577038' } ] },
      'SELLER_INACTIVE /seller_id', qr/is on_hold in the registry/,
      qr/đang ở trạng thái không hoạt động/ ],
    [ 'code expired', { seller_id => '0100109106', items => [ { trace_code => '09506000134352' } ] },
      'CODE_REVOKED /items/0/trace_code', qr/trace code is expired in the registry/,
      qr/mã truy xuất đang ở trạng thái đã hết hạn/ ],
);

for my $s (@status) {
    my ($name, $body, $err, $en_re, $vi_re) = @$s;
    my $r = post('/fault', $body);
    is(join(',', PassportTest::Registry::errors_of($r)), $err, "$name: $err");
    like($r->{json}{errors}[0]{detail}, $en_re, "$name: English detail");
    $r = post('/fault', $body, 'Accept-Language' => 'vi');
    like($r->{json}{errors}[0]{detail}, $vi_re, "$name: Vietnamese detail");
    vietnamese_only($r->{json}{errors}[0]{detail} . ' ' . $r->{json}{title}, $name);
}

# --- the registry disagrees on the origin: the item's origin is pointed at

my $r = post('/fault', { seller_id => '0100109106',
    items => [ { trace_code => '8934673577038' },
               { trace_code => '12345678901231', origin => 'vn' } ] });
is(join(',', PassportTest::Registry::errors_of($r)),
   'ORIGIN_MISMATCH /items/1/origin', 'registry origin: points at the origin');
is($r->{json}{errors}[0]{value}, 'vn', 'registry origin: the origin as sent');
like($r->{json}{errors}[0]{detail}, qr/claimed origin VN \(704\) differs from the registry's origin CN \(156\)/,
     'registry origin: detail');

$r = post('/fault', { seller_id => '0100109106',
    items => [ { trace_code => '12345678901231' } ] });
is($r->{status}, 200, 'registry origin: nothing claimed, nothing to disagree with');

$t->error_log_clean(allow => [ qr/passport: registry lookup/ ]);
$t->stop;
$t->error_log_clean(allow => [ qr/passport: registry lookup/ ]);

done_testing;
