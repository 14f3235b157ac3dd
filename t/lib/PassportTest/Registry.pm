package PassportTest::Registry;

# Fixture helpers for the registry tests (t/050-t/090):
#
#   my $reg = PassportTest::Registry->new($t, port => 'registry');
#
# * a fixture registry served by nginx itself from JSON files under
#   <prefix>/html/registry/ (entities/<id>.json, codes/<canonical code>.json:
#   nginx decodes %2F and %25, so the record of "01/08934673577038" is the
#   file html/registry/codes/01/08934673577038.json; the ".json" lets the
#   records of 01/08934673577038 and 01/08934673577038/10/ABC123 coexist,
#   and an unknown code is a 404 even where a directory has its name), with
#   an access log that records "$request_uri $connection
#   $connection_requests ..." per lookup;
# * a fault registry: routes for PassportTest::Server that answer from the
#   same records, steered at run time by a control file (delay, status,
#   reset, garbage, huge, endless, any other answer);
# * a test CA and server certificates made with the openssl CLI.
#
# Only core Perl modules; everything on 127.0.0.1.

use strict;
use warnings;
use Carp qw(croak);
use File::Path qw(make_path);
use JSON::PP;
use Exporter 'import';

our @EXPORT_OK = qw(seg_encode seg_decode);

my $JSON = JSON::PP->new->utf8->canonical;

# new($t, port => NAME, root => 'html/registry', log => 'logs/registry.log',
#     scheme => 'http')
sub new {
    my ($class, $t, %o) = @_;
    my $self = bless { t => $t, port => $o{port} // 'registry',
        root => $o{root} // 'html/registry', log => $o{log} // 'logs/registry.log',
        scheme => $o{scheme} // 'http', control => $o{control} // 'tmp/registry-control.json',
        entities => {}, codes => {} }, $class;
    make_path($t->path("$self->{root}/entities"), $t->path("$self->{root}/codes"));
    return $self;
}

sub t    { $_[0]{t} }
sub port { $_[0]{t}->port($_[0]{port}) }
sub base { my $s = shift; my $scheme = shift // $s->{scheme}; "$scheme://127.0.0.1:" . $s->port . '/registry' }

# One path segment: "/" -> %2F and "%" -> %25 (what the module must send).
sub seg_encode { my $s = shift; $s =~ s/%/%25/g; $s =~ s{/}{%2F}g; return $s }
sub seg_decode { my $s = shift; $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; return $s }

# URLs the module asks for (as they appear in its error log lines).
sub entity_url { my ($s, $id, $scheme) = @_; $s->base($scheme) . "/entities/$id" }
sub code_url   { my ($s, $code, $scheme) = @_; $s->base($scheme) . '/codes/' . seg_encode($code) }

# ------------------------------------------------------------- records

# entity($id, $status, %extra): writes the record file, remembers it for the
# fault routes. A record given as a hashref (or raw string) is written as is.
sub entity {
    my ($self, $id, $status, %extra) = @_;
    my $rec = ref $status || !defined $status ? $status
        : { id => $id, status => $status, name => "Company $id", country => 'VN', %extra };
    $self->{entities}{$id} = $rec;
    $self->{t}->write_file("$self->{root}/entities/$id.json", ref $rec ? $JSON->encode($rec) : $rec)
        if defined $rec;
    return $rec;
}

# code($canonical, status => 'active', owner => ID, authorized_sellers => [...],
#      origin => 'VN', product => '...'); keys with undef values are left out.
sub code {
    my ($self, $code, %f) = @_;
    my $rec = { code => $code, status => 'active', owner => '0100109106', origin => 'VN',
        product => "Product $code", %f };
    delete $rec->{$_} for grep { !defined $rec->{$_} } keys %$rec;
    $self->{codes}{$code} = $rec;
    $self->{t}->write_file("$self->{root}/codes/$code.json", $JSON->encode($rec));
    return $rec;
}

sub code_raw {    # any bytes as the record file of $code
    my ($self, $code, $bytes) = @_;
    $self->{codes}{$code} = $bytes;
    $self->{t}->write_file("$self->{root}/codes/$code.json", $bytes);
}

# ------------------------------------------------------------- nginx fixture

# The log_format and server block of a fixture registry served by nginx.
# ssl => { cert => PATH, key => PATH } listens with "ssl http2"; with
# client_ca => PATH it requires a client certificate of that CA.
sub nginx_conf {
    my ($self, %o) = @_;
    my $p = $self->{t}->prefix;
    my $fmt = "registry_$self->{port}";
    my $listen = '127.0.0.1:%%PORT_' . $self->{port} . '%%' . ($o{ssl} ? ' ssl' . ($o{http2} // 1 ? ' http2' : '') : '');
    my $ssl = $o{ssl} ? "        ssl_certificate $o{ssl}{cert};\n        ssl_certificate_key $o{ssl}{key};\n" : '';
    $ssl .= "        ssl_client_certificate $o{ssl}{client_ca};\n        ssl_verify_client on;\n"
        if $o{ssl} && $o{ssl}{client_ca};
    return <<"EOF";
    log_format $fmt '\$request_uri \$connection \$connection_requests '
                    'reused=\$ssl_session_reused proto=\$server_protocol status=\$status '
                    'ua="\$http_user_agent" accept="\$http_accept" auth="\$http_authorization"';
    server {
        listen $listen;
$ssl        access_log $p/$self->{log} $fmt;
        keepalive_requests 10000;
        location /registry/ {
            root $p/html;
            default_type application/json;
            try_files \$uri.json =404;
        }
    }
EOF
}

# Lines of the fixture's access log: [{uri, conn, creq, reused, proto, status, ua, accept, auth}]
sub log_lines {
    my $self = shift;
    open(my $fh, '<:raw', $self->{t}->path($self->{log})) or return;
    my @l;
    while (my $line = <$fh>) {
        next unless $line =~ /\n\z/;
        my ($uri, $conn, $creq, $reused, $proto, $status, $ua, $acc, $auth) = $line =~
            /^(\S+) (\d+) (\d+) reused=(\S*) proto=(\S*) status=(\d+) ua="(.*?)" accept="(.*?)" auth="(.*?)"$/
            or next;
        push @l, { uri => $uri, conn => $conn, creq => $creq, reused => $reused, proto => $proto,
            status => $status, ua => $ua, accept => $acc, auth => $auth };
    }
    return @l;
}

# Number of fixture log lines whose URI matches $re (all when undef).
sub count {
    my ($self, $re) = @_;
    return scalar grep { !defined $re || $_->{uri} =~ $re } $self->log_lines;
}

# ------------------------------------------------------------- fault registry

# Routes for PassportTest::Server answering from the fixture record files
# (entity()/code(), read at each request; none: 404), steered by the control
# file:
#   { "all" | "entities" | "codes" : ACTION, "ids": { KEY: ACTION } }
# ACTION is a Server action ({status}, {reset}, {json}, ...); an ACTION with
# only "delay" delays the normal answer. KEY is an entity ID or a canonical
# code; "ids" wins over "entities"/"codes", which win over "all".
sub server_routes {
    my $self = shift;
    my $ctl = $self->{t}->path($self->{control});
    my $root = $self->{t}->path($self->{root});
    my $route = sub {
        my $req = shift;
        my ($kind, $raw) = $req->{path} =~ m{^/registry/(entities|codes)/([^/]+)$}
            or return { status => 400, json => { error => "unexpected registry path $req->{path}" } };
        my $key = seg_decode($raw);
        my $c = {};
        if (open(my $fh, '<:raw', $ctl)) { local $/; $c = eval { $JSON->decode(<$fh> // '') } || {} }
        my $act = ($c->{ids} || {})->{$key} // $c->{$kind} // $c->{all};
        return $act if $act && grep { $_ ne 'delay' } keys %$act;
        my $rec;    # the fixture file, read now: records may be added at any time
        if ($key !~ m{(?:^|/)\.\.(?:/|$)} && open(my $fh, '<:raw', "$root/$kind/$key.json")) { local $/; $rec = <$fh> }
        my $ans = !defined $rec ? { status => 404, json => { error => 'not found' } }
            : { body => $rec, headers => { 'Content-Type' => 'application/json' } };
        $ans->{delay} = $act->{delay} if $act && $act->{delay};
        return $ans;
    };
    return [ [ 'GET', qr{^/registry/}, $route ], [ '*', qr{}, { status => 400, body => "not a registry request\n" } ] ];
}

# The PassportTest::Server fault registry on this registry's port, started
# on the first call (records may still be added afterwards).
sub server {
    my ($self, %o) = @_;
    return $self->{server} //= $self->{t}->backend($self->{port}, routes => $self->server_routes, %o);
}

# Stop the fault registry (its connections close) and start a fresh one on
# the same port: a registry restart, as seen by the kept-alive connections.
sub restart {
    my ($self, %o) = @_;
    my $old = delete $self->{server};
    $old->stop if $old;
    return $self->server(%o);
}

# control(all => ACTION, entities => ..., codes => ..., ids => {KEY => ACTION});
# control() clears every fault.
sub control {
    my ($self, %c) = @_;
    my $f = $self->{t}->write_file("$self->{control}.tmp", $JSON->encode(\%c));
    rename $f, $self->{t}->path($self->{control}) or croak "rename $f: $!";
    return $self;
}

# Requests the fault registry received (optionally whose path matches $re).
sub requests {
    my ($self, $re) = @_;
    my @r = $self->{server}->requests;
    @r = grep { $_->{path} =~ $re } @r if $re;
    return @r;
}
sub nreq { my ($self, $re) = @_; return scalar(my @r = $self->requests($re)) }

# ------------------------------------------------------------- TLS

# make_certs($t, dir => 'tls'): a test CA and certificates signed by it:
#   server.pem/key  subjectAltName IP:127.0.0.1, DNS:localhost
#   wrong.pem/key   subjectAltName DNS:registry.invalid only
#   client.pem/key  a client certificate (clientAuth), for mutual TLS
# Returns { ca, ca_key, cert, key, wrong_cert, wrong_key, client_cert,
# client_key } (absolute paths).
sub make_certs {
    my ($t, %o) = @_;
    my $dir = $t->path($o{dir} // 'tls');
    make_path($dir);
    my $run = sub {
        my ($rc, $out) = $t->_cmd(60, 'openssl', @_);
        croak "openssl @_ failed ($rc):\n$out" if $rc;
    };
    my @key = ('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes');
    $run->('req', '-x509', @key, '-keyout', "$dir/ca.key", '-out', "$dir/ca.pem", '-days', '3',
        '-subj', '/O=Passport Tests/CN=Passport Test CA',
        '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    my %serial = (server => 1001, wrong => 1002, client => 1003);
    my %cn = (server => '127.0.0.1', wrong => 'registry.invalid', client => 'marketplace.test');
    for my $n (qw(server wrong client)) {
        my $san = $n eq 'server' ? 'IP:127.0.0.1,DNS:localhost' : "DNS:$cn{$n}";
        $t->write_file(($o{dir} // 'tls') . "/$n.ext", "basicConstraints=CA:FALSE\n"
            . "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage="
            . ($n eq 'client' ? 'clientAuth' : 'serverAuth') . "\nsubjectAltName=$san\n");
        $run->('req', @key, '-keyout', "$dir/$n.key", '-out', "$dir/$n.csr",
            '-subj', "/O=Passport Tests/CN=$cn{$n}");
        $run->('x509', '-req', '-in', "$dir/$n.csr", '-CA', "$dir/ca.pem", '-CAkey', "$dir/ca.key",
            '-set_serial', $serial{$n}, '-days', '3', '-extfile', "$dir/$n.ext", '-out', "$dir/$n.pem");
    }
    return { ca => "$dir/ca.pem", ca_key => "$dir/ca.key", cert => "$dir/server.pem",
        key => "$dir/server.key", wrong_cert => "$dir/wrong.pem", wrong_key => "$dir/wrong.key",
        client_cert => "$dir/client.pem", client_key => "$dir/client.key" };
}

# ------------------------------------------------------------- client side

# post_json($t, $path, $body (ref: JSON-encoded), @headers): a POST with
# Content-Type application/json; returns the harness response.
sub post_json {
    my ($t, $path, $body, @hdr) = @_;
    $body = $JSON->encode($body) if ref $body;
    return $t->request(method => 'POST', path => $path, body => $body,
        headers => [ 'Content-Type' => 'application/json', @hdr ]);
}

# "CODE pointer" for each errors[] entry of a problem document.
sub errors_of {
    my $r = shift;
    my $e = ref $r->{json} eq 'HASH' && ref $r->{json}{errors} eq 'ARRAY' ? $r->{json}{errors} : [];
    return map { ($_->{code} // '?') . ' ' . ($_->{pointer} // '-') } @$e;
}

# ------------------------------------------------------------- error log

# The "[error] ... passport: registry lookup" lines logged since the mark.
sub lookup_errors {
    my ($t) = @_;
    return grep { /\[error\].*passport: registry lookup/ } split /\n/, $t->log_since_mark;
}

1;
