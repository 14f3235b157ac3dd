#!/usr/bin/perl
# passport_check, the sellers' self-check: for the same bodies (good, a bad
# code, a seller the registry does not know, not JSON, a body that is not
# an object, in English and in Vietnamese) it answers 200 with the verdict,
# the seller and the errors[] the guarded location's problem document has,
# registry lookups included; nothing is forwarded, nothing is logged as a
# verdict, nothing is written to the report log.  passport_log_level sets
# the level of the verdict line.

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

my $reg = PassportTest::Registry->new($t, port => 'registry');
$reg->entity('0100109106', 'active');
$reg->code('01/08934673577038');
$reg->code('01/12312312312326', status => 'recalled');

(my $conf = <<'EOF') =~ s/\@\@REGISTRY\@\@/$reg->nginx_conf/e;
    passport_report_log %%PREFIX%%/logs/reports.log node=m1;
@@REGISTRY@@
    server {
        listen 127.0.0.1:%%PORT_main%%;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;
        passport_registry http://127.0.0.1:%%PORT_registry%%/registry;

        location /listings { passport on; proxy_pass http://127.0.0.1:%%PORT_backend%%; }
        location /check { passport_check; }
        location /check-flag { passport_check; passport_mode flag; }
        location /notice {
            passport on;
            passport_log_level notice;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
        location /error {
            passport on;
            passport_log_level error;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF
$t->config($conf);

# configuration errors

{
    my $text = $t->_subst($conf);
    my $c = $t->path('conf/nginx.conf');
    open(my $in, '<', $c) or die;
    my $all = do { local $/; <$in> };
    close $in;
    (my $bad = $all) =~ s/passport_log_level notice;/passport_log_level debug;/;
    $t->write_file('conf/nginx.conf', $bad);
    my ($rc, $out) = $t->test_config;
    isnt($rc, 0, 'passport_log_level debug: refused');
    like($out, qr/\[emerg\] .*"passport_log_level": invalid value "debug", use "info", "notice", "warn" or "error"/,
         '... naming the directive, the value and the valid ones');
    ($bad = $all) =~ s/location \/check \{ passport_check; \}/location \/check { passport_check; proxy_pass http:\/\/127.0.0.1:1; }/;
    $t->write_file('conf/nginx.conf', $bad);
    ($rc, $out) = $t->test_config;
    isnt($rc, 0, 'passport_check, then proxy_pass: refused');
    like($out, qr/\[emerg\].*"passport_check": another content handler/, '... at emerg, saying why');
    ($bad = $all) =~ s/location \/check \{ passport_check; \}/location \/check { proxy_pass http:\/\/127.0.0.1:1; passport_check; }/;
    $t->write_file('conf/nginx.conf', $bad);
    ($rc, $out) = $t->test_config;
    isnt($rc, 0, 'proxy_pass, then passport_check: refused');
    like($out, qr/\[emerg\].*"passport_check": the location already has/, '... at emerg, saying why');
    # only the self-check locations left to need it
    ($bad = $all) =~ s/passport_item_code \/trace_code;//;
    $bad =~ s/passport on;/passport off;/g;
    $t->write_file('conf/nginx.conf', $bad);
    ($rc, $out) = $t->test_config;
    like($out, qr/"passport_item_code" is required where .*"passport_check"/, 'passport_check needs passport_item_code');
    $t->write_file('conf/nginx.conf', $all);
}

$t->run;

sub listing {
    my ($seller, @codes) = @_;
    return $json->encode({ seller_id => $seller, items => [ map { { trace_code => $_ } } @codes ] });
}
sub post {
    my ($path, $body, %o) = @_;
    return $t->request(method => 'POST', path => $path, body => $body,
                       headers => [ 'Content-Type' => $o{type} // 'application/json',
                                    ($o{lang} ? ('Accept-Language' => $o{lang}) : ()) ]);
}

my %bodies = (
    good      => [ listing('0100109106', '8934673577038'), 'pass' ],
    bad_code  => [ listing('0100109106', '8934673577039', '12312312312326'), 'block' ],
    unknown   => [ listing('0314409058', '8934673577038'), 'block' ],
    recalled  => [ listing('0100109106', '12312312312326'), 'block' ],
    not_json  => [ 'seller_id=1&code=2', 'block', 'application/x-www-form-urlencoded' ],
    malformed => [ '{"seller_id": "0100109106", "items": [', 'block' ],
    no_seller => [ $json->encode({ items => [ { trace_code => '8934673577038' } ] }), 'block' ],
);

my $forwarded = scalar $be->requests;
for my $name (sort keys %bodies) {
    my ($body, $verdict, $type) = @{ $bodies{$name} };
    for my $lang ('en', 'vi') {
        my $g = post('/listings', $body, type => $type, lang => $lang);
        my $c = post('/check', $body, type => $type, lang => $lang);
        is($c->{status}, 200, "$name ($lang): the check answers 200");
        is($c->{headers}{'content-type'}, 'application/json', '... JSON');
        is($c->{headers}{'content-language'}, $lang, "... in $lang");
        my $cj = $c->{json} or do { fail("$name: no JSON"); diag $c->{body}; next };
        is($cj->{verdict}, $verdict, "... verdict $verdict");
        if ($verdict eq 'pass') {
            is($g->{status}, 200, '... the guarded location passes it');
            is_deeply($cj->{errors}, [], '... no errors');
            is_deeply($cj->{seller}, { value => '0100109106', kind => 'tax_code', verdict => 'valid' },
                      '... the seller')
                or diag $c->{body};
            next;
        }
        isnt($g->{status}, 200, "... the guarded location blocks it ($g->{status})");
        is_deeply($cj->{errors}, $g->{json}{errors}, '... the same errors, pointers and details')
            or diag "check: $c->{body}\nguarded: $g->{body}";
        is_deeply($cj->{seller}, $g->{json}{seller}, '... the same seller');
    }
}

# a detail in Vietnamese differs from the English one

my $en = post('/check', $bodies{bad_code}[0], lang => 'en')->{json}{errors}[0]{detail};
my $vi = post('/check', $bodies{bad_code}[0], lang => 'vi')->{json}{errors}[0]{detail};
isnt($en, $vi, 'the details follow Accept-Language');

# the check location's mode: flag

is(post('/check-flag', $bodies{bad_code}[0])->{json}{verdict}, 'flag', 'passport_mode flag: verdict flag');
is(post('/check-flag', $bodies{bad_code}[0])->{json}{mode}, 'flag', '... and the mode shown');

# not forwarded, not recorded, not logged

is(scalar($be->requests), $forwarded + 2 * 1, 'only the good listings were forwarded (by /listings)');
sub records { my @l = do { open(my $r, '<', $t->path('logs/reports.log')) or die; <$r> }; scalar @l }
my $records = records();
ok($records > 0, 'the guarded location wrote records');
post('/check', $bodies{$_}[0]) for qw(bad_code unknown recalled bad_code);
is(records(), $records, 'the self-checks of blocked listings wrote none');
my @lines = grep { /passport: (?:block|flag)/ } split /\n/, $t->error_log;
unlike(join("\n", @lines), qr/request: "POST \/check/, 'no verdict line for a self-check');

# methods: GET is not checked

is($t->request(path => '/check')->{status}, 405, 'GET /check: 405');

# passport_log_level

$t->mark_log;
post('/listings', $bodies{bad_code}[0]);
post('/notice', $bodies{bad_code}[0]);
post('/error', $bodies{bad_code}[0]);
my $log = $t->log_since_mark;
like($log, qr/\[warn\].*passport: block .*request: "POST \/listings/, 'default: warn');
like($log, qr/\[notice\].*passport: block .*request: "POST \/notice/, 'passport_log_level notice');
like($log, qr/\[error\].*passport: block .*request: "POST \/error/, 'passport_log_level error');
unlike($log, qr/\[warn\].*request: "POST \/(?:notice|error)/, '... at that level only');

$t->stop;
$t->error_log_clean(allow => [ qr/passport: block .*request: "POST \/error/ ]);
done_testing;
