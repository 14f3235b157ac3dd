#!/usr/bin/perl
# Mutual TLS: a registry (nginx with ssl_verify_client on) that requires a
# client certificate of the test CA accepts lookups made with
# passport_registry_certificate and _key and refuses the others
# (REGISTRY_UNAVAILABLE, the cause in the error log); nginx -t checks the
# files and that the key is the certificate's, for the registry and for
# passport_report_push.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $certs = PassportTest::Registry::make_certs($t);
my $reg = PassportTest::Registry->new($t, port => 'mtls', scheme => 'https', log => 'logs/mtls.log');
$reg->entity('0100109106', 'active');
$reg->code('01/08934673577038');
$t->write_file('conf/not-pem.pem', "not a certificate\n");

my $base = 'https://127.0.0.1:%%PORT_mtls%%/registry';
my $cc = "passport_registry_certificate $certs->{client_cert};";
my $ck = "passport_registry_certificate_key $certs->{client_key};";

# --- nginx -t

sub conf_test {
    my ($loc, $main) = @_;
    $t->config(<<"EOF2");
$main
    server {
        listen 127.0.0.1:%%PORT_main%%;
        location / {
            passport on;
            passport_item_code /trace_code;
            passport_registry $base;
            passport_registry_trusted_certificate $certs->{ca};
            $loc
        }
    }
EOF2
    return $t->test_config;
}

my ($rc, $out) = conf_test("$cc $ck", '');
is($rc, 0, 'nginx -t: a client certificate and its key') or diag $out;

my @bad = (
    [ "passport_registry_certificate %%PREFIX%%/conf/none.pem; $ck",
      qr/\[emerg\].*"passport_registry_certificate": a PEM file readable by the master process is expected: access\(\) ".*none\.pem" failed/,
      'a missing certificate file' ],
    [ "$cc passport_registry_certificate_key %%PREFIX%%/conf/none.key;",
      qr/\[emerg\].*"passport_registry_certificate_key": a PEM file readable.*none\.key/,
      'a missing key file' ],
    [ $cc, qr/\[emerg\].*"passport_registry_certificate" needs "passport_registry_certificate_key" too/,
      'a certificate without a key' ],
    [ $ck, qr/\[emerg\].*"passport_registry_certificate_key" needs "passport_registry_certificate" too/,
      'a key without a certificate' ],
    [ "$cc passport_registry_certificate_key $certs->{wrong_key};",
      qr/\[emerg\].*"passport_registry_certificate_key": the key ".*wrong\.key" does not match the certificate ".*client\.pem"/,
      'a key that is not the certificate\'s' ],
    [ "passport_registry_certificate %%PREFIX%%/conf/not-pem.pem; $ck",
      qr/\[emerg\].*"passport_registry_certificate": cannot read a PEM certificate from ".*not-pem\.pem"/,
      'a file that is not a certificate' ],
    [ "$cc passport_registry_certificate_key $certs->{client_cert};",
      qr/\[emerg\].*"passport_registry_certificate_key": cannot read a PEM private key without a pass phrase/,
      'a certificate given as the key' ],
);
for my $b (@bad) {
    ($rc, $out) = conf_test($b->[0], '');
    isnt($rc, 0, "nginx -t fails: $b->[2]");
    like($out, $b->[1], "... with a message that says so") or diag $out;
}

my $push = 'passport_report_log %%PREFIX%%/logs/reports.log; '
    . 'passport_report_push https://127.0.0.1:%%PORT_mtls%%/reports';
($rc, $out) = conf_test('', "$push certificate=$certs->{client_cert} certificate_key=$certs->{client_key};");
is($rc, 0, 'nginx -t: the push with certificate= and certificate_key=') or diag $out;
($rc, $out) = conf_test('', "$push certificate=$certs->{client_cert};");
isnt($rc, 0, 'nginx -t fails: the push with certificate= alone');
like($out, qr/\[emerg\].*"passport_report_push certificate=" needs "passport_report_push certificate_key=" too/,
    '... with a message that says so') or diag $out;
($rc, $out) = conf_test('', "$push certificate=$certs->{client_cert} certificate_key=$certs->{wrong_key};");
isnt($rc, 0, 'nginx -t fails: the push with a key that is not the certificate\'s');
like($out, qr/\[emerg\].*does not match the certificate/, '... with a message that says so') or diag $out;

# --- lookups

$t->config(<<"EOF2")->run;
@{[ $reg->nginx_conf(ssl => { cert => $certs->{cert}, key => $certs->{key}, client_ca => $certs->{ca} }) ]}
    server {
        listen 127.0.0.1:%%PORT_main%%;
        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_registry $base;
        passport_registry_trusted_certificate $certs->{ca};
        passport_registry_breaker 1000 1s;
        proxy_set_header X-Verdict \$passport_verdict;

        location /mtls {
            passport on;
            $cc
            $ck
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /nocert {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2

my $body = { seller_id => '0100109106', items => [ { trace_code => '8934673577038' } ] };
my $r = PassportTest::Registry::post_json($t, '/mtls', $body);
is($r->{status}, 200, 'with the client certificate: the listing passes') or diag $r->{body};
is($be->last_request->{headers}{'x-verdict'}, 'pass', '... verdict pass');
is(scalar(grep { $_->{status} == 200 } $reg->log_lines), 2, '... the registry answered both lookups');

$t->mark_log;
$r = PassportTest::Registry::post_json($t, '/nocert', $body);
is($r->{status}, 503, 'without a client certificate: 503');
is_deeply([ sort(PassportTest::Registry::errors_of($r)) ],
    [ 'REGISTRY_UNAVAILABLE /items/0/trace_code', 'REGISTRY_UNAVAILABLE /seller_id' ],
    '... REGISTRY_UNAVAILABLE on the seller and the code');
unlike($r->{body}, qr/certificate|127\.0\.0\.1/, '... the seller is not told about certificates or addresses');
$t->wait_for(sub { PassportTest::Registry::lookup_errors($t) >= 2 }, 3);
my @le = PassportTest::Registry::lookup_errors($t);
is(scalar @le, 2, '... one error line per lookup') or diag join "\n", @le;
is(scalar(grep { /failed: unexpected HTTP status 400/ } @le), 2,
    '... the cause: the registry refused it (400, no required certificate)') or diag join "\n", @le;

# after a refusal, the certificate still works (no connection is shared)
$r = PassportTest::Registry::post_json($t, '/mtls',
    { seller_id => '0100109106', items => [ { trace_code => '(01)08934673577038(10)L2' } ] });
is($r->{status}, 200, 'with the client certificate again: passes') or diag $r->{body};

$t->stop;
$t->error_log_unlike(qr/exited on signal/, 'no worker crashed');
$t->error_log_clean(allow => [ qr/passport: registry lookup/ ]);
done_testing;
