#!/usr/bin/perl
# make install with DESTDIR: the module in Debian's module directory, the
# modules-available snippet and its modules-enabled link as Debian's own
# module packages have them, passport-verify in PREFIX/bin; the snippet
# loads the module in nginx (checked with nginx -t against the staged
# tree); make uninstall removes it all again.

use strict;
use warnings;

use Test::More;
use PassportTest;

my $root = $PassportTest::ROOT;
my $t    = PassportTest->new;
my $d    = $t->path('destdir');

sub make_in { $t->_cmd(300, 'make', '-s', '--no-print-directory', '-C', $root, @_) }

my ($rc, $out) = make_in('install', "DESTDIR=$d");
is($rc, 0, 'make install DESTDIR=... succeeds') or diag($out);
like($out, qr/nginx -t && nginx -s reload/, 'it says how to load the module');

my $so      = "$d/usr/lib/nginx/modules/ngx_http_passport_module.so";
my $snippet = "$d/usr/share/nginx/modules-available/mod-http-passport.conf";
my $link    = "$d/etc/nginx/modules-enabled/50-mod-http-passport.conf";
my $verify  = "$d/usr/local/bin/passport-verify";

ok(-f $so, 'the module is in /usr/lib/nginx/modules');
is((stat $so)[2] & 07777, 0644, '... mode 0644');
ok(!-e "$so.tmp", '... and no temporary file is left');
is(-s $so, -s "$root/build/ngx_http_passport_module.so", '... the module built by make');

ok(-f $snippet, 'the snippet is in /usr/share/nginx/modules-available');
is(do { local (@ARGV, $/) = $snippet; <> },
    "load_module /usr/lib/nginx/modules/ngx_http_passport_module.so;\n", '... and loads the module');
ok(-l $link, 'modules-enabled has a link');
is(readlink($link), '/usr/share/nginx/modules-available/mod-http-passport.conf',
    '... to the snippet, by its installed path');

ok(-x $verify, 'passport-verify is in /usr/local/bin');
($rc, $out) = $t->_cmd(10, $verify);
is($rc, 2, '... and runs (usage: exit 2)');
like($out, qr/passport-verify/, '... and prints its usage');

# the snippet as nginx reads it through modules-enabled: the staged
# module, by rewriting only the installed path to the staged one
my $staged = do { local (@ARGV, $/) = $snippet; <> };
$staged =~ s{ /usr/lib/}{ $d/usr/lib/};
$t->write_file('conf/modules-enabled/50-mod-http-passport.conf', $staged);
$t->config('    server { listen 127.0.0.1:%%PORT_main%%; location / { passport on; passport_items /items;
        passport_item_code /code; } }',
    main => 'include ' . $t->path('conf/modules-enabled') . "/*.conf;\n");
{
    # the harness adds its own load_module: take it out, the snippet loads it
    my $c = do { local (@ARGV, $/) = $t->path('conf/nginx.conf'); <> };
    $c =~ s/^load_module .*\n//m;
    $t->write_file('conf/nginx.conf', $c);
}
($rc, $out) = $t->test_config;
is($rc, 0, 'nginx -t loads the module through modules-enabled') or diag($out);

# PREFIX and the directories can be changed
my $d2 = $t->path('destdir2');
($rc, $out) = make_in('install', "DESTDIR=$d2", 'PREFIX=/opt/passport');
is($rc, 0, 'make install PREFIX=/opt/passport succeeds') or diag($out);
ok(-x "$d2/opt/passport/bin/passport-verify", '... passport-verify in PREFIX/bin');

# reinstall over a file in use: a new file, not the old one rewritten
my $ino = (stat $so)[1];
($rc, $out) = make_in('install', "DESTDIR=$d");
is($rc, 0, 'make install again succeeds') or diag($out);
isnt((stat $so)[1], $ino, '... with a new module file (a running nginx keeps its copy)');

($rc, $out) = make_in('uninstall', "DESTDIR=$d");
is($rc, 0, 'make uninstall succeeds') or diag($out);
ok(!-e $so && !-e $snippet && !-l $link && !-e $verify, '... and removes the four files');

done_testing;
