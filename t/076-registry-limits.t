#!/usr/bin/perl
# Limits on what a registry lookup may do: an opaque code "." or ".." is
# sent as one encoded path segment, never as a dot-segment that takes the
# path elsewhere; the registry's max-age is capped by
# passport_registry_max_age; a bearer token over plain http:// gets a
# warning at "nginx -t".

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

my $fix = PassportTest::Registry->new($t, port => 'fixture', log => 'logs/fixture.log');
my $reg = PassportTest::Registry->new($t, port => 'fault', control => 'tmp/fault.json');
$reg->entity('0100109106', 'active');
$fix->entity('0100109106', 'active');
my $rec = $reg->code('01/08934673577038');
$reg->server;
$t->write_file('conf/registry.token', "tok-SECRET\n");

# --- a token over http:// is a warning at nginx -t

sub conf_test {
    my ($http) = @_;
    $t->config(<<"EOF2");
    $http
    server {
        listen 127.0.0.1:%%PORT_main%%;
        location / { return 200; }
    }
EOF2
    return $t->test_config;
}

my ($rc, $out) = conf_test('passport_registry http://127.0.0.1:1/r; '
    . 'passport_registry_token_file %%PREFIX%%/conf/registry.token;');
is($rc, 0, 'nginx -t: a token with an http:// registry is allowed') or diag $out;
like($out, qr/\[warn\].*"passport_registry" sends its bearer token to "http:\/\/127\.0\.0\.1:1\/r" in clear text: use an https:\/\/ URL/,
    '... with a warning saying the fix');
unlike($out, qr/tok-SECRET/, '... not showing the token');
($rc, $out) = conf_test('passport_registry https://127.0.0.1:1/r; '
    . 'passport_registry_token_file %%PREFIX%%/conf/registry.token;');
unlike($out, qr/\[warn\].*clear text/, 'no warning for https://') or diag $out;
($rc, $out) = conf_test('passport_registry http://127.0.0.1:1/r;');
unlike($out, qr/\[warn\].*clear text/, 'no warning without a token') or diag $out;
($rc, $out) = conf_test('passport_report_log %%PREFIX%%/logs/reports.log; '
    . 'passport_report_push http://127.0.0.1:1/push token_file=%%PREFIX%%/conf/registry.token;');
like($out, qr/\[warn\].*"passport_report_push" sends its bearer token .* in clear text/,
    'the push with a token over http:// gets the warning too') or diag $out;
for my $bad ('passport_registry_max_age 1x;', 'passport_registry_connections 0;',
             'passport_registry_lookups 0;', 'passport_registry_request_lookups none;') {
    ($rc, $out) = conf_test($bad);
    isnt($rc, 0, "nginx -t fails on $bad");
}

# --- the running configuration

$t->config(<<"EOF2")->run;
@{[ $fix->nginx_conf ]}
    passport_cache_zone z:1m;
    server {
        listen 127.0.0.1:%%PORT_main%%;
        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_code_pattern "[.]{1,2}";

        location /fixture {
            passport on;
            passport_registry http://127.0.0.1:%%PORT_fixture%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /cached {
            passport on;
            passport_registry http://127.0.0.1:%%PORT_fault%%/registry;
            passport_cache z;
            passport_registry_max_age 2s;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2

sub post { PassportTest::Registry::post_json($t, @_) }
sub listing {
    my ($seller, @codes) = @_;
    return $json->encode({ seller_id => $seller, items => [ map { { trace_code => $_ } } @codes ] });
}

# --- "." and ".." stay one path segment

my $r = post('/fixture', listing('0100109106', '.', '..'));
is($r->{status}, 422, 'opaque codes "." and ".." are looked up (not registered)') or diag $r->{body};
is_deeply([ sort(PassportTest::Registry::errors_of($r)) ],
    [ 'CODE_NOT_REGISTERED /items/0/trace_code', 'CODE_NOT_REGISTERED /items/1/trace_code' ],
    '... each as a code of its own');
my @uris = map { $_->{uri} } $fix->log_lines;
ok((grep { $_ eq '/registry/codes/%2E' } @uris), '"." reached the registry as /codes/%2E') or diag "@uris";
ok((grep { $_ eq '/registry/codes/%2E%2E' } @uris), '".." reached the registry as /codes/%2E%2E') or diag "@uris";
ok(!(grep { $_ eq '/registry/codes/' || $_ eq '/registry/' || $_ eq '/' } @uris),
   'no lookup went to /codes/ or above') or diag "@uris";

# --- max-age is capped

$reg->control(ids => { '01/08934673577038' => { json => $rec,
    headers => { 'Cache-Control' => 'max-age=31536000' } } });
my $body = listing('0100109106', '8934673577038');
my $n = $reg->nreq(qr{/codes/});
$r = post('/cached', $body);
is($r->{status}, 200, 'a record with max-age=31536000 passes') or diag $r->{body};
is($reg->nreq(qr{/codes/}) - $n, 1, '... looked up once');
$r = post('/cached', $body);
is($r->{status}, 200, 'again');
is($reg->nreq(qr{/codes/}) - $n, 1, '... from the cache');
sleep 3;    # past passport_registry_max_age 2s, far from a year
$r = post('/cached', $body);
is($r->{status}, 200, 'after passport_registry_max_age');
is($reg->nreq(qr{/codes/}) - $n, 2, '... the registry is asked again: the year was capped');

$t->stop;
$t->error_log_clean;

done_testing;
