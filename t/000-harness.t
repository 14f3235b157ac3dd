# Self-test of the harness (t/lib/PassportTest.pm, t/lib/PassportTest/Server.pm).
# Needs only the stock nginx, not the passport module.
use strict;
use warnings;
use Test::More;
use Digest::MD5 qw(md5_hex);
use PassportTest;

my $t = PassportTest->new(module => 0);
is($t->port('x'), $t->port('x'), 'port() is memoised');
isnt($t->port('x'), $t->port('y'), 'different names get different ports');

my $be = $t->backend('backend', routes => [
    [ 'GET', qr{^/api/slow$},  { delay => 2, json => { slow => 1 } } ],
    [ '*',   qr{^/api/teapot}, sub { { status => 418, headers => { 'X-Method' => $_[0]{method} }, body => 'short' } } ],
    [ 'GET', qr{^/reset$},     { reset => 1 } ],
    [ 'GET', qr{^/garbage$},   { garbage => 1 } ],
    [ 'GET', qr{^/huge$},      { huge => 1_000_000 } ],
    [ 'GET', qr{^/cbb$},       { close_before_body => 1, body => 'never sent' } ],
    [ 'GET', qr{^/endless$},   { endless => 1 } ],
]);

my $bin = join('', map { chr } 0 .. 255) x 64;
$t->write_file('html/ok.json', '{"ok":true}');
$t->write_file('html/bin.dat', $bin);

# --- nginx -t
$t->config("    bogus_directive on;\n");
my ($rc, $out) = $t->test_config;
isnt($rc, 0, 'nginx -t fails on a bad config');
like($out, qr/unknown directive "bogus_directive"/, '... with the message');

$t->config(<<'EOF');
    types { application/json json; }
    server {
        listen 127.0.0.1:%%PORT_main%%;
        root %%PREFIX%%/html;
        location / { try_files $uri =404; }
        location /api/ { proxy_pass http://127.0.0.1:%%PORT_backend%%; }
        location /stream/ {
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
            proxy_http_version 1.1;
            proxy_request_buffering off;
        }
        location = /reset { proxy_pass http://127.0.0.1:%%PORT_backend%%; }
    }
EOF
($rc, $out) = $t->test_config;
is($rc, 0, 'nginx -t passes') or diag $out;
like($out, qr/syntax is ok/, '... says syntax is ok');

$t->run;
ok($t->master_pid, 'master pid ' . ($t->master_pid // 'none'));
is(scalar(my @w = $t->worker_pids), 1, 'one worker');

# --- static files via try_files
my $r = $t->request(path => '/ok.json');
is($r->{status}, 200, 'static 200');
is_deeply($r->{json}, { ok => JSON::PP::true }, 'static json decoded');
like($r->{headers}{'content-type'}, qr{application/json}, 'content-type');
$r = $t->request(path => '/bin.dat');
ok($r->{body} eq $bin, 'binary body exact (' . length($r->{body}) . ' bytes)');
is($t->request(path => '/nope')->{status}, 404, 'missing file 404');
$r = $t->request(method => 'HEAD', path => '/bin.dat');
is($r->{headers}{'content-length'}, length $bin, 'HEAD content-length');
is($r->{body}, '', 'HEAD has no body');

# --- proxy_pass to a backend: status, body, recorded request
$r = $t->request(path => '/api/echo?a=1&b=2', headers => [ 'X-Dup' => 'one', 'X-Dup' => 'two' ]);
is($r->{status}, 200, 'proxied echo 200');
is($r->{json}{uri}, '/api/echo?a=1&b=2', 'echo sees uri');
my $rec = $be->last_request;
is($rec->{method}, 'GET', 'recorded method');
is($rec->{path}, '/api/echo', 'recorded path');
is($rec->{query}, 'a=1&b=2', 'recorded query');
is($rec->{headers}{'x-dup'}, 'one, two', 'duplicate headers recorded in order');

my $post = join '', map { chr(($_ * 7) % 256) } 1 .. 100_000;
$r = $t->request(method => 'POST', path => '/api/upload', body => $post);
is($r->{json}{body_md5}, md5_hex($post), 'binary POST body reached backend');
ok($be->last_request->{body} eq $post, 'recorded body exact');

# --- chunked upload (buffered by nginx, then streamed as chunked)
my @chunks = ('first chunk|', 'x' x 5000, "\0\r\n0\r\n|last");
$r = $t->request(method => 'PUT', path => '/api/chunked', chunked => \@chunks);
is($r->{status}, 200, 'chunked upload 200');
$rec = $be->last_request;
ok($rec->{body} eq join('', @chunks), 'chunked body reassembled (buffered)');
is($rec->{headers}{'content-length'}, length join('', @chunks), 'nginx sent Content-Length upstream');
$r = $t->request(method => 'POST', path => '/stream/x', chunked => \@chunks);
$rec = $be->last_request;
ok($rec->{body} eq join('', @chunks), 'chunked body reassembled (unbuffered)');
like($rec->{headers}{'transfer-encoding'} // '', qr/chunked/, 'backend parsed a chunked request');

# --- route coderef
$r = $t->request(method => 'DELETE', path => '/api/teapot');
is($r->{status}, 418, 'coderef route status');
is($r->{headers}{'x-method'}, 'DELETE', 'coderef saw the request');

# --- concurrency: delayed responses do not block each other
my @h = map { $t->request_begin(path => '/api/slow') } 1 .. 3;
ok($t->wait_for(sub { $be->stats->{current} == 3 }, 5), 'three delayed requests in flight at once');
is_deeply([ map { $t->request_end($_)->{json}{slow} } @h ], [ 1, 1, 1 ], 'all delayed responses arrive');
ok($be->stats->{max_concurrent} >= 3, 'max_concurrent recorded');

# --- backend failure modes, talked to directly
my $bp = $t->port('backend');
$r = $t->request(port => $bp, path => '/huge');
is(length $r->{body}, 1_000_000, 'huge body length');
like($r->{body}, qr/^\{"filler":"x+"\}$/, 'huge body is JSON-ish');
like($t->raw(port => $bp, data => "GET /garbage HTTP/1.1\r\nHost: a\r\n\r\n"), qr/GARBAGE/, 'garbage');
$r = $t->request(port => $bp, path => '/cbb');
is($r->{status}, 200, 'close_before_body: headers arrive');
is($r->{error}, 'incomplete body', '... body does not');
my $e = $t->raw(port => $bp, data => "GET /endless HTTP/1.1\r\nHost: a\r\n\r\n", timeout => 0.5);
like($e, qr/chunk 0\n.*chunk 1\n/s, 'endless keeps sending chunks');
like($t->raw(port => $bp, data => "NOT HTTP\r\n\r\n"), qr{^HTTP/1.1 400}, 'bad request gets 400');
my $ka = $t->raw(port => $bp, data => "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
is(() = $ka =~ m{HTTP/1.1 200}g, 2, 'keep-alive: two responses on one connection');
$r = $t->request(port => $bp, path => '/api/teapot', version => '1.0', headers => [ Connection => 'keep-alive' ]);
is($r->{status}, 418, 'server survives bad input');
ok($t->wait_for(sub { $be->stats->{open} == 0 }, 5), 'endless connection released after client left');

# --- upstream reset through nginx; error log checks
$t->mark_log;
is($t->request(path => '/reset')->{status}, 502, 'reset upstream -> 502');
ok($t->wait_for(sub { $t->log_since_mark =~ /\[error\]/ }), 'error logged');
$t->error_log_clean(since_mark => 1, allow => [ qr/Connection reset by peer|prematurely closed/ ],
    name => 'only the expected upstream error');
$t->error_log_like(qr/reset by peer|prematurely closed/, 'error_log_like');

# --- client disconnects mid-body
$t->mark_log;
$t->raw(data => [ "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n", 'only ten b' ], close_after => 1);
ok($t->wait_for(sub { $t->log_since_mark =~ /client prematurely closed connection/ }), 'client abort logged');

# --- reload, then stop
my @old = $t->worker_pids;
$t->reload;
my @new = $t->worker_pids;
ok(!grep({ my $o = $_; grep { $_ == $o } @new } @old) || @new > @old, 'reload started a new worker');
is($t->request(path => '/ok.json')->{status}, 200, 'serves after reload');
$t->error_log_unlike(qr/\[(?:alert|crit|emerg)\]/, 'no alerts');
my $m = $t->master_pid;
$t->stop;
ok(!kill(0, $m) || `cat /proc/$m/stat 2>/dev/null` =~ /\)\s+Z/, 'master exited');
$r = $t->request(path => '/ok.json', timeout => 2);
ok(!$r->{status} && $r->{error}, 'no answer after stop: ' . ($r->{error} // ''));
my $bpid = $be->pid;
$be->stop;
ok(!kill(0, $bpid), 'backend stopped');

done_testing;
