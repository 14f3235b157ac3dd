#!/usr/bin/perl
# Every examples/*.conf passes "nginx -t" as shipped, with the module
# built by make.  How an example is checked without touching the host
# (docs/operations.md, "Checking the examples"):
#
# - the example is copied to a scratch directory; every absolute path
#   under /etc, /var, /run, /srv, /opt, /home, /tmp or /usr in it is moved
#   under the scratch directory's root/ (the same path below it), except
#   nginx's own top-level files, /etc/nginx/mime.types and the like, which
#   are used where they are;
# - nginx runs as  nginx -t -p <scratch>/prefix/ -c <scratch>/conf/NAME.conf
#   so a relative load_module (modules/...) and relative log paths resolve
#   in the scratch prefix, and relative key and token files next to the
#   copy;
# - the built module is linked where the example's load_module says;
# - the directories of every moved path are made, and the files the
#   module (or nginx, proxy_ssl_trusted_certificate) reads at load time
#   are made with the commands the example and
#   docs/directives.md give: a token file is one line, a trusted CA is a
#   certificate made by "openssl req -x509", a report key is made by
#   "openssl genpkey -algorithm ed25519".  Any other file an example
#   names must be in the repository.

use strict;
use warnings;

use Test::More;
use File::Basename qw(basename dirname);
use File::Path qw(make_path);
use PassportTest;

my $root = $PassportTest::ROOT;
my @examples = sort glob "$root/examples/*.conf";
ok(@examples, 'there are examples') or BAIL_OUT('no examples/*.conf');

my $t  = PassportTest->new;    # the scratch directory, the module's path
my $so = $t->{module};

my $SYSTEM_ROOTS = qr{/(?:etc|var|run|srv|opt|home|tmp|usr)/};

sub slurp { my $f = shift; open(my $fh, '<:raw', $f) or die "$f: $!"; local $/; <$fh> }

sub run {
    my ($rc, $out) = $t->_cmd(60, @_);
    die "@_: exit $rc\n$out" if $rc;
}

# the files the module reads while loading the configuration
sub provide {
    my ($kind, $file) = @_;
    return if -e $file;
    make_path(dirname($file));
    if ($kind eq 'token') {
        open(my $fh, '>', $file) or die "$file: $!";
        print $fh "example-token\n";
    } elsif ($kind eq 'ca') {
        run('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
            '-nodes', '-keyout', "$file.key", '-out', $file, '-days', '1', '-subj', '/CN=example CA');
    } elsif ($kind eq 'key') {
        run('openssl', 'genpkey', '-algorithm', 'ed25519', '-out', $file);
    }
}

for my $example (@examples) {
    (my $name = basename($example)) =~ s/\.conf$//;
    my $s = $t->path($name);
    make_path("$s/conf", "$s/prefix/logs", "$s/root");

    # the copy: absolute paths moved under root/, comments left alone
    my $conf = join '', map {
        my $line = $_;
        unless ($line =~ /^\s*#/) {
            $line =~ s{(?<=[\s=])($SYSTEM_ROOTS[^\s;]*)}{
                my $p = $1;
                ($p =~ m{^/etc/nginx/[^/]+$} && -f $p) ? $p : "$s/root$p"
            }ge;
        }
        $line;
    } split /^/, slurp($example);
    $t->write_file("$name/conf/$name.conf", $conf);

    my $full = sub {    # a path as nginx resolves it: $base is conf/ or prefix/
        my ($p, $base) = @_;
        return $p =~ m{^/} ? $p : "$s/$base/$p";
    };

    # every moved path gets its directory
    make_path(dirname($1)) while $conf =~ m{(\Q$s\E/root/[^\s;]+)}g;

    # the module, where load_module looks for it
    my @load = $conf =~ /^\s*load_module\s+(\S+?);/mg;
    for my $l (@load) {
        my $at = $full->($l, 'prefix');
        make_path(dirname($at));
        unlink $at;
        symlink($so, $at) or die "symlink $at: $!";
    }

    # the files read while loading, made as documented
    my $body = join "\n", grep { !/^\s*#/ } split /\n/, $conf;
    provide('token', $full->($1, 'conf'))
        while $body =~ /\b(?:passport_registry_token_file\s+|token_file=)([^\s;]+)/g;
    provide('ca', $full->($1, 'conf'))
        while $body =~ /\b(?:passport_registry_trusted_certificate\s+|proxy_ssl_trusted_certificate\s+|trusted_certificate=)([^\s;]+)/g;
    provide('key', $full->($1, 'conf'))
        while $body =~ /\bpassport_report_log\s[^;]*?\bkey=([^\s;]+)/g;

    my ($rc, $out) = $t->_cmd(30, $t->{nginx}, '-t', '-p', "$s/prefix/", '-c', "$s/conf/$name.conf");
    is($rc, 0, "examples/$name.conf passes nginx -t") or diag($out);
    like($out, qr/test is successful/, "examples/$name.conf: test is successful");
    unlike($out, qr/\[(?:warn|emerg|alert|crit|error)\]/, "examples/$name.conf: no warning")
        if $> == 0;    # as another user, nginx warns about "user"
    ok(@load == 1, "examples/$name.conf loads the module once");
}

# the production example is annotated and marks what the operator replaces
my $prod = slurp("$root/examples/passport.conf");
like($prod, qr/placeholder/i, 'examples/passport.conf marks its placeholders');

done_testing;
