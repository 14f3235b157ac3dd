# make bench in its quick mode (bench/run.pl --quick), so that the bench
# cannot rot: every case answers 200 (wrk's non-2xx count), the warm cases
# make no registry request, the cold burst is answered in full, the zone
# measurement counts records, the error log stays clean.  The ratios are
# reported, not asserted: a loaded test machine says nothing about them.
# The Lua peer runs when Debian's libnginx-mod-http-lua and lua-cjson are
# installed, and is skipped with a note when they are not.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use FindBin;

my $root = "$FindBin::Bin/..";
plan skip_all => 'wrk is not installed (make deps)' if system('command -v wrk >/dev/null 2>&1') != 0;
# the bench starts nginx itself, without the sanitizer runtime: under
# make test-asan it runs the plain build
delete $ENV{PASSPORT_MODULE} if $ENV{PASSPORT_NGINX_PRELOAD};
my $so = $ENV{PASSPORT_MODULE} || "$root/build/ngx_http_passport_module.so";
plan skip_all => "$so is missing (make)" unless -f $so;

my $dir = tempdir('passport-bench-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my $out = `perl $root/bench/run.pl --quick --prefix $dir/b --md $dir/r.md 2>$dir/err`;
my $rc = $? >> 8;
my $err = do { local $/; my $fh; open($fh, "<", "$dir/err") ? <$fh> : "" };
is($rc, 0, 'bench/run.pl --quick exits 0') or diag("stderr:\n$err\nstdout:\n$out");

my $lua = -f '/usr/lib/nginx/modules/ngx_http_lua_module.so' && -f '/usr/share/lua/5.1/cjson/util.lua';
my @cases = ('nginx proxy, no passport, 3 items', 'passport, warm cache, 3 items',
    'passport, local rules only, 3 items', 'nginx proxy, no passport, 5 items',
    'passport, warm cache, 5 items');
push @cases, 'Lua peer, warm shared dict, 3 items' if $lua;
for my $c (@cases) {
    like($out, qr/^\| \(\d\) \Q$c\E[^|]*\| \d+ \| [\d.]+ ms \| 0 \| 0 \|$/m, "$c: requests/s, p99, no non-2xx, no registry request");
}
if ($lua) {
    like($out, qr/warm passport \/ warm Lua peer, 3 items \(requests\/s\) \| [\d.]+ \|/, 'the Lua peer ratio');
} else {
    unlike($out, qr/Lua peer, warm/, 'no Lua peer without its packages');
    like($err, qr/the Lua peer is skipped: make bench-deps/, '... and it says how to get it');
}
like($out, qr/^\| warm \/ plain, 3 items \(requests\/s\) \| [\d.]+ \|/m, 'the warm ratio');
like($out, qr/^\| local rules \/ plain, 3 items \(requests\/s\) \| [\d.]+ \|/m, 'the local ratio');
like($out, qr/^Cold burst: 50 of 50 answered 200, /m, 'the cold burst: every listing answered 200');
like($out, qr/^\| zone bytes per code record[^|]*\| \d+ B \|/m, 'zone bytes per code record');
like($out, qr/^\| zone bytes per entity record[^|]*\| \d+ B \|/m, 'zone bytes per entity record');
like($out, qr/^A 10 MB zone holds about [1-9]\d* entity records or [1-9]\d* code records/m, 'records in 10 MB');
ok(-s "$dir/r.md", '--md writes the report');
unlike($err, qr/FAILED/, 'no failed check') or diag($err);

done_testing;
