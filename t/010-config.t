#!/usr/bin/perl
# nginx -t: every bad passport configuration fails with an nginx-style
# [emerg] quoting the bad value; good ones pass.

use strict;
use warnings;
use Test::More;
use PassportTest;

my $t = PassportTest->new;

sub conf {
    my ($loc) = @_;
    $t->config(<<"EOF2");
    server {
        listen 127.0.0.1:%%PORT_main%%;
        location /listings {
            $loc
            root %%PREFIX%%/html;
        }
    }
EOF2
    return $t->test_config;
}

my $good = 'passport on; passport_item_code /trace_code;';

my ($rc, $out) = conf($good);
is($rc, 0, 'minimal configuration passes nginx -t') or diag $out;

($rc, $out) = conf(<<'EOF2');
passport on;
            passport_mode flag;
            passport_methods POST PUT PATCH DELETE;
            passport_seller $http_x_seller_id;
            passport_items /cart/lines;
            passport_item_code /product/trace~1code;
            passport_item_seller /seller~0id;
            passport_item_origin /origin;
            passport_code_pattern "VN-TXNG-[0-9]{4}-[0-9]{6}";
            passport_code_pattern "[A-Z]{3}[0-9]{9}";
            passport_status 451;
            passport_max_items 500;
            passport_problem_type_base https://seller.example/help/;
EOF2
is($rc, 0, 'every directive in one location passes nginx -t') or diag $out;

($rc, $out) = conf('passport on; passport_items "";  passport_item_code "";');
is($rc, 0, 'empty pointers (the document root) are allowed') or diag $out;

($rc, $out) = conf("$good passport_seller \"\";");
is($rc, 0, 'passport_seller "" is a pointer (the document root)') or diag $out;

($rc, $out) = conf("$good passport_seller \"shop-\$http_x_shop\";");
is($rc, 0, 'passport_seller with a variable and no "/"') or diag $out;

# a missing passport_item_code is reported at the passport on that needs it

sub line_of {
    my ($re) = @_;
    open my $fh, '<', $t->path('conf/nginx.conf') or die $!;
    while (<$fh>) { return $. if $_ =~ $re }
    return 0;
}

($rc, $out) = do {
    $t->config(<<'EOF2');
    server {
        listen 127.0.0.1:%%PORT_main%%;
        location /ok { passport_item_code /code; root %%PREFIX%%/html; }
        location /listings {
            root %%PREFIX%%/html;
            passport on;
            passport_mode flag;
        }
        location /after { root %%PREFIX%%/html; }
    }
EOF2
    $t->test_config;
};
my $on = line_of(qr/passport on;/);
isnt($rc, 0, 'passport on without passport_item_code fails');
like($out, qr/\[emerg\] \d+#\d+: "passport_item_code" is required where "passport" is on: add "passport_item_code \/\.\.\.;" naming each item's trace code in \S+nginx\.conf:$on\n/,
     "missing passport_item_code: reported at the passport on line ($on)")
    or diag $out;

my @bad = (
    [ 'passport on;',
      qr/\[emerg\].*"passport_item_code" is required where "passport" is on/,
      'passport on without passport_item_code' ],
    [ "$good passport_code_pattern \"VN-([0-9]+\";",
      qr/\[emerg\].*invalid passport_code_pattern "VN-\(\[0-9\]\+": .* at offset 10/,
      'bad regex names the offset' ],
    [ "$good passport_status 302;",
      qr/\[emerg\] \d+#\d+: "passport_status": invalid value "302", use an HTTP status from 400 to 599 \(the default is 422\) in /,
      'status below 400' ],
    [ "$good passport_status 600;",
      qr/\[emerg\] \d+#\d+: "passport_status": invalid value "600", use an HTTP status from 400 to 599/,
      'status above 599' ],
    [ "$good passport_status blocked;",
      qr/\[emerg\] \d+#\d+: "passport_status": invalid value "blocked", use an HTTP status from 400 to 599/,
      'status not a number' ],
    [ 'passport on; passport_item_code trace_code;',
      qr/\[emerg\] \d+#\d+: "passport_item_code": invalid JSON Pointer "trace_code": it must be empty or start with "\/", did you mean "\/trace_code"\? in /,
      'pointer without leading slash' ],
    [ "$good passport_seller seller_id;",
      qr/\[emerg\] \d+#\d+: "passport_seller": invalid JSON Pointer "seller_id": it must be empty or start with "\/" \(or hold variables\), did you mean "\/seller_id"\? in /,
      'passport_seller without leading slash (would block every listing)' ],
    [ "$good passport_items items;",
      qr/\[emerg\] \d+#\d+: "passport_items": invalid JSON Pointer "items": .* did you mean "\/items"\?/,
      'passport_items without leading slash' ],
    [ "$good passport_item_seller seller;",
      qr/\[emerg\] \d+#\d+: "passport_item_seller": invalid JSON Pointer "seller": .* did you mean "\/seller"\?/,
      'passport_item_seller without leading slash' ],
    [ "$good passport_item_origin origin;",
      qr/\[emerg\] \d+#\d+: "passport_item_origin": invalid JSON Pointer "origin": .* did you mean "\/origin"\?/,
      'passport_item_origin without leading slash' ],
    [ 'passport on; passport_item_code /a~2b;',
      qr/\[emerg\] \d+#\d+: "passport_item_code": invalid JSON Pointer "\/a~2b": "~" must be followed by "0" or "1"/,
      'pointer with a bad ~ escape' ],
    [ "$good passport_items /items~;",
      qr/\[emerg\].*invalid JSON Pointer "\/items~"/,
      'pointer ending in ~' ],
    [ "$good passport_mode block;",
      qr/\[emerg\] \d+#\d+: "passport_mode": invalid value "block", use "enforce", "flag" or "monitor" in /,
      'unknown mode' ],
    [ "$good passport_methods POST FETCH;",
      qr/\[emerg\].*invalid method "FETCH"/,
      'unknown method' ],
    [ "$good passport_max_items 0;",
      qr/\[emerg\].*"passport_max_items" value "0" is too small: use at least 1/,
      'max_items 0' ],
    [ "$good passport_seller /a; passport_seller /b;",
      qr/\[emerg\].*"passport_seller" directive is duplicate/,
      'duplicate passport_seller' ],
    [ 'passport maybe; passport_item_code /trace_code;',
      qr/\[emerg\].*invalid value "maybe" in "passport" directive, it must be "on" or "off"/,
      'passport not on/off' ],
);

$t->write_file('conf/token', "s3cr3t-token\n");
$t->write_file('conf/empty-token', "\n\n");
$t->write_file('conf/ca.pem', "not checked at nginx -t\n");

($rc, $out) = conf("$good passport_registry https://registry.example/api/;"
    . ' passport_registry_timeout 500ms;'
    . ' passport_registry_token_file token;'
    . ' passport_registry_ssl_verify off;'
    . ' passport_registry_trusted_certificate ca.pem;'
    . ' passport_on_registry_error flag;'
    . ' passport_registry_breaker 3 2s;');
is($rc, 0, 'every registry directive passes nginx -t') or diag $out;
unlike($out . $t->error_log, qr/s3cr3t/, 'the token is not logged');

($rc, $out) = conf("$good passport_registry http://127.0.0.1:9/;"
                   . ' location /listings/x { passport_registry off; root /tmp; }');
is($rc, 0, 'passport_registry off') or diag $out;

push @bad,
    [ "$good passport_registry ftp://registry.example;",
      qr/\[emerg\].*invalid registry URL "ftp:\/\/registry.example"/,
      'registry URL with another scheme' ],
    [ "$good passport_registry registry.example;",
      qr/\[emerg\].*invalid registry URL "registry.example"/,
      'registry URL without a scheme' ],
    [ "$good passport_registry http://;",
      qr/\[emerg\].*invalid registry URL "http:\/\/"/,
      'registry URL without a host' ],
    [ "$good passport_registry http:///path;",
      qr/\[emerg\].*invalid registry URL/,
      'registry URL with an empty host' ],
    [ "$good passport_registry \"http://registry.example/?a=b\";",
      qr/\[emerg\].*invalid registry URL/,
      'registry URL with a query' ],
    [ "$good passport_registry_token_file no-such-token;",
      qr/\[emerg\].*open\(\) ".*no-such-token" failed/,
      'missing token file' ],
    [ "$good passport_registry_token_file empty-token;",
      qr/\[emerg\].*token file ".*empty-token" must hold one non-empty line/,
      'empty token file' ],
    [ "$good passport_registry_trusted_certificate no-such-ca.pem;",
      qr/\[emerg\].*no-such-ca.pem" failed/,
      'missing CA bundle' ],
    [ "$good passport_on_registry_error ignore;",
      qr/\[emerg\] \d+#\d+: "passport_on_registry_error": invalid value "ignore", use "block", "flag" or "pass" in /,
      'unknown registry error policy' ],
    [ "$good passport_registry_breaker 0 10s;",
      qr/\[emerg\].*invalid number of failures "0"/,
      'breaker with no failures' ],
    [ "$good passport_registry_breaker 5 soon;",
      qr/\[emerg\].*invalid cool-down "soon"/,
      'breaker with a bad cool-down' ],
    [ "$good passport_registry_timeout fast;",
      qr/\[emerg\].*"passport_registry_timeout" directive invalid value/,
      'bad registry timeout' ];

for my $case (@bad) {
    my ($loc, $re, $name) = @$case;
    ($rc, $out) = conf($loc);
    isnt($rc, 0, "$name: nginx -t fails");
    like($out, $re, "$name: message");
}

# the requirement is checked where passport is effectively on
($rc, $out) = do {
    $t->config(<<'EOF2');
    passport on;
    server {
        listen 127.0.0.1:%%PORT_main%%;
        location /listings { passport_item_code /code; root %%PREFIX%%/html; }
    }
EOF2
    $t->test_config;
};
isnt($rc, 0, 'passport on at http level needs a code pointer at every level');
$on = line_of(qr/^\s*passport on;/);
like($out, qr/"passport_item_code" is required.* in \S+nginx\.conf:$on\n/,
     'http-level message, at the http-level passport on') or diag $out;

done_testing;
