#!/usr/bin/perl
# The report log is not a way to root.  nginx runs as root with workers
# as "nobody", as in production.  The log's path replaced by a symbolic
# link to a root-owned file: "nginx -t" and a reload refuse it, a reopen
# and the next records leave the target alone.  The log is created 0640
# and given to the worker user; a FIFO, a directory, a second hard link
# and a directory others can write to are refused; the push cursor goes
# to a state directory of its own and the log's directory stays
# root-only; a signing key readable by others is warned about.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use POSIX qw(mkfifo);
use PassportTest;

plan skip_all => 'needs root (the attack is on the master running as root)'
    if $> != 0;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $reg = $t->backend('regulator',
    routes => [ [ 'POST', qr{^/ingest$}, { status => 200, body => "ok\n" } ] ]);
my $json = JSON::PP->new->canonical->utf8;
my $logs = $t->path('logs');
my $dir = $t->path('reports');
my $log = "$dir/reports.log";
my $key = $t->path('conf/key.pem');
my $target = $t->path('conf/precious');          # a root-only file
my $nobody = getpwnam('nobody');

system("openssl genpkey -algorithm ed25519 -out $key 2>/dev/null") == 0
    or BAIL_OUT('openssl genpkey failed');
chmod 0600, $key;
mkdir $dir or die "$dir: $!";
chmod 0755, $dir, $logs;

sub configure {
    my ($params) = @_;
    $t->config(<<"EOF", workers => 2);
    passport_report_log %%PREFIX%%/reports/reports.log key=key.pem $params;
    passport_report_push http://127.0.0.1:%%PORT_regulator%%/ingest
                         interval=200ms;

    server {
        listen 127.0.0.1:%%PORT_main%%;

        passport_seller /seller_id;
        passport_items /items;
        passport_item_code /trace_code;

        location /listings {
            passport on;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /reports {
            allow 127.0.0.1;
            deny all;
            passport_reports;
        }
    }
EOF
    # the workers as an unprivileged user, the master as root
    my $conf = $t->path('conf/nginx.conf');
    open(my $fh, '<', $conf) or die;
    my $text = do { local $/; <$fh> };
    close $fh;
    $text =~ s/^user root;$/user nobody nogroup;/m or die 'no user line';
    $t->write_file('conf/nginx.conf', $text);
}

sub slurp {
    open(my $fh, '<:raw', $_[0]) or return undef;
    local $/;
    return <$fh>;
}

sub refused {
    my ($what, $re) = @_;
    my ($rc, $out) = $t->test_config;
    isnt($rc, 0, "$what: nginx -t fails");
    like($out, $re, "$what: the message says why") or diag $out;
}

my $bad = { seller_id => '0100233480',
            items => [ { trace_code => '12345673' } ] };

sub block {
    return $t->request(method => 'POST', path => '/listings',
                       body => $json->encode($bad),
                       headers => [ 'Content-Type' => 'application/json' ]);
}

$t->write_file('conf/precious', "root:secret\n");
chmod 0600, $target;

configure('');

# --- a symbolic link where the log should be

symlink $target, $log or die;
refused('a symbolic link',
        qr/\[emerg\].*"passport_report_log" refuses "\Q$log\E": it is a symbolic link; remove it/);
is(slurp($target), "root:secret\n", 'the target is untouched');
is((stat $target)[4], 0, '... and still owned by root');
unlink $log;

# --- created 0640, given to the worker user; the state directory too

$t->run;
ok(-f $log && !-l $log, 'the log is created');
is((stat $log)[2] & 07777, 0640, '... 0640');
is((stat $log)[4], $nobody, '... owned by the worker user');
ok(-d "$log.state", 'the state directory is made beside it');
is((stat "$log.state")[2] & 07777, 0700, '... 0700');
is((stat "$log.state")[4], $nobody, '... owned by the worker user');
is((stat $dir)[4], 0, 'the log directory stays root-owned');
is((stat $dir)[2] & 07777, 0755, '... and root-only for writing');

is(block()->{status}, 422, 'a block');
ok($t->wait_for(sub { -e "$log.state/cursor" }, 10),
   'the worker writes the push cursor into the state directory');
is(slurp("$log.state/cursor"), "1\n", '... with the last seq delivered');
ok(!-e "$log.cursor", 'nothing is written beside the log');
my $r = $t->request(path => '/reports');
is($r->{status}, 200, 'the workers read the log for the query');
is(scalar(() = ($r->{body} // '') =~ /\n/g), 1, '... one record');

# --- the worker user swaps the log for a link, then a reload and a reopen

rename $log, "$log.old" or die;
symlink $target, $log or die;
$t->mark_log;
$t->signal('HUP');
ok($t->wait_for(sub { $t->log_since_mark =~ /refuses/ }, 10),
   'reload: refused');
like($t->log_since_mark,
     qr/\[emerg\].*"passport_report_log" refuses "\Q$log\E": it is a symbolic link/,
     'reload: the message names the directive, the path and the fix');
$t->signal('USR1');
$t->wait_for(sub { $t->log_since_mark =~ /reopening logs/ }, 5);
is(block()->{status}, 422, 'requests are still decided');
is(block()->{status}, 422, '... and again');
ok($t->wait_for(sub { $t->log_since_mark =~ /\[crit\].*replaced by/ }, 5),
   'the swapped log is reported at crit');
is(slurp($target), "root:secret\n", 'the target got no record');
is((stat $target)[4], 0, '... and was not given away');
is((stat $target)[2] & 07777, 0600, '... nor its mode changed');
is(scalar(() = slurp("$log.old") =~ /\n/g), 3,
   'the records went on in the file that was there');
$t->stop;

unlink $log;
rename "$log.old", $log or die;

# --- other things that are not the log's file of its own

mkfifo("$dir/fifo.log", 0600) or die;
link $log, "$dir/second.log" or die;
mkdir "$dir/sub.log" or die;
for ([ 'fifo.log', 'a FIFO', qr/it is not a regular file; remove it/ ],
     [ 'second.log', 'a second hard link', qr/it has 2 names \(hard links\)/ ],
     [ 'sub.log', 'a directory', qr/refuses "[^"]*sub\.log": it is not a regular file/ ])
{
    my ($name, $what, $re) = @$_;
    configure('');
    (my $c = slurp($t->path('conf/nginx.conf')))
        =~ s{reports/reports\.log}{reports/$name};
    $t->write_file('conf/nginx.conf', $c);
    refused($what, $re);
}
unlink "$dir/fifo.log", "$dir/second.log";
rmdir "$dir/sub.log";
configure('');

chmod 0775, $dir;
refused('a group-writable directory',
        qr/refuses "\Q$log\E": its directory "\Q$dir\E" is writable by group or others, so the worker user could swap the file; "chown root \Q$dir\E" and "chmod go-w \Q$dir\E"/);
chmod 0755, $dir;
chown $nobody, -1, $dir;
refused('a directory of the worker user', qr/its directory "\Q$dir\E" is not owned by root/);
chown 0, -1, $dir;

# --- state= elsewhere, its parent checked as the log's directory is

my $state = $t->path('state');
configure("state=$state/cursors");
mkdir $state;
chmod 0777, $state;
refused('state= in a world-writable directory',
        qr/refuses "\Q$state\E\/cursors": its directory "\Q$state\E" is writable by group or others/);
chmod 0755, $state;
$t->run;
is((stat "$state/cursors")[4], $nobody, 'state=: made for the worker user');
is(block()->{status}, 422, 'state=: a block');
ok($t->wait_for(sub { (slurp("$state/cursors/cursor") // '') =~ /^\d+\n$/ }, 10),
   'state=: the cursor is there');
$t->stop;

# --- the signing key

chmod 0644, $key;
my ($rc, $out) = $t->test_config;
is($rc, 0, 'a key readable by others: nginx -t still passes');
like($out, qr/test is successful/, '... really') or diag $out;
like($out, qr/\[warn\].*"passport_report_log": the signing key "\Q$key\E" is readable or writable by group or others \(mode 0644\); "chmod 600/,
     '... with a warning');
chmod 0600, $key;
($rc, $out) = $t->test_config;
unlike($out, qr/signing key/, 'a key of mode 0600: no warning');

# the refused reload and the swapped log, and nothing else
my @worse = grep { /\[(alert|crit|emerg|error)\]/ && !/refuses|replaced by/ }
            split /\n/, $t->error_log;
is_deeply(\@worse, [], 'no other alert, crit, emerg or error');
unlike($t->error_log, qr/exited on signal/, 'no worker crashed');

done_testing;
