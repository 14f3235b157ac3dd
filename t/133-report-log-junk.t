#!/usr/bin/perl
# Junk does not fill the signed log: requests whose only problems are
# about the body as a whole (not JSON, malformed, too many items) get
# their 415/400/422 but no record, unless body_errors=on; a request with
# a seller or item problem is recorded as before.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;
my $log = $t->path('logs/reports.log');

sub configure {
    my ($params) = @_;
    $t->config(<<"EOF");
    passport_report_log %%PREFIX%%/logs/reports.log $params;

    server {
        listen 127.0.0.1:%%PORT_main%%;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_max_items 2;

        location /listings {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /monitor {
            passport on;
            passport_mode monitor;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF
}

sub post {
    my ($path, $type, $body) = @_;
    return $t->request(method => 'POST', path => $path, body => $body,
                       headers => [ 'Content-Type' => $type ])->{status};
}

sub records {
    open(my $fh, '<:raw', $log) or return ();
    return map { $json->decode($_) } <$fh>;
}

my $good = '{"seller_id":"0100109106","items":[{"trace_code":"8934673577038"}]}';
my $many = '{"seller_id":"0100109106","items":[{"trace_code":"8934673577038"},'
         . '{"trace_code":"8934673577038"},{"trace_code":"8934673577038"}]}';
my $seller = '{"seller_id":"0100233480","items":[]}';
my $both = '{"seller_id":"0100233480","items":{"x":1}}';

sub junk {
    my ($what) = @_;
    is(post('/listings', 'text/plain', 'x' x 120), 415,
       "$what: text/plain gets 415");
    is(post('/listings', 'application/json', '{"seller_id":'), 400,
       "$what: malformed JSON gets 400");
    is(post('/listings', 'application/json', ''), 400,
       "$what: an empty body gets 400");
    is(post('/listings', 'application/json', $many), 422,
       "$what: too many items gets 422");
    is(post('/monitor', 'text/plain', 'junk'), 200,
       "$what: monitor lets junk through");
}

# --- by default: answered, not recorded

configure('');
$t->run;
junk('default');
is(scalar(() = records()), 0, 'default: no record of junk');
is(post('/listings', 'application/json', $seller), 422, 'a bad seller');
is(post('/listings', 'application/json', $both), 400,
   'malformed items and a bad seller');
my @rec = records();
is_deeply([ map { join ',', @{ $_->{reasons} } } @rec ],
          [ 'SELLER_ID_INVALID,CODE_MISSING',
            'BODY_MALFORMED,SELLER_ID_INVALID' ],
          'default: what is about a seller is recorded, reasons and all');
is(post('/listings', 'application/json', $good), 200, 'a pass');
is(scalar(() = records()), 2, '... is not recorded either');
$t->error_log_like(qr/\[warn\].*passport: block.*BODY_NOT_JSON/,
                   'junk still has its warn line in the error log');
$t->stop;

# --- body_errors=on: recorded

configure('body_errors=off');
my ($rc, $out) = $t->test_config;
is($rc, 0, 'body_errors=off is accepted') or diag $out;
configure('body_errors=yes');
($rc, $out) = $t->test_config;
like($out, qr/invalid parameter "body_errors=yes" in "passport_report_log"/,
     'body_errors=yes is refused');

unlink $log;
configure('body_errors=on');
$t->run;
junk('body_errors=on');
@rec = records();
is_deeply([ map { join ',', @{ $_->{reasons} } } @rec ],
          [ 'BODY_NOT_JSON', 'BODY_MALFORMED', 'BODY_MALFORMED',
            'TOO_MANY_ITEMS', 'BODY_NOT_JSON' ],
          'body_errors=on: every one recorded');
is($rec[-1]{mode}, 'monitor', '... monitor too');
$t->stop;

$t->error_log_clean;

done_testing;
