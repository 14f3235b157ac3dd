package PassportTest::Cache;

# Helpers for the shared-memory cache tests (t/100-t/199), on top of
# PassportTest and PassportTest::Registry:
#
#   tax_codes($n, from => $k)     $n valid Vietnamese tax codes, in order
#   open_registry_routes(%o)      PassportTest::Server routes: any entity is
#                                 active, any code is active and owned by the
#                                 seller in its serial (AI 21), see below
#   log_format_conf($name)        a log_format line with $passport_cache_status
#   access_lines($t, $file)       the lines of such an access log, parsed
#
# Only core Perl modules; everything on 127.0.0.1.

use strict;
use warnings;
use Carp qw(croak);
use JSON::PP;
use PassportTest::Registry qw(seg_decode);
use Exporter 'import';

our @EXPORT_OK = qw(tax_code_ok tax_codes open_registry_routes log_format_conf access_lines);

my $JSON = JSON::PP->new->utf8->canonical;

# Whether a 10-digit string is a valid tax code (the module's rules: weights
# 31,29,23,19,17,13,7,5,3; N10 = 10 - S mod 11; S mod 11 = 0 has no valid
# code; digits 3 to 9 not all zero).
sub tax_code_ok {
    my $id = shift;
    return 0 unless $id =~ /^\d{10}$/ && substr($id, 2, 7) ne '0000000';
    my @d = split //, $id;
    my @w = (31, 29, 23, 19, 17, 13, 7, 5, 3);
    my $s = 0;
    $s += $d[$_] * $w[$_] for 0 .. 8;
    return 0 if $s % 11 == 0;
    return $d[9] == 10 - $s % 11;
}

# tax_codes($n, from => $k, prefix => '03'): $n distinct valid tax codes
# PREFIX + 7 digits (starting at $k) + the check digit; prefixes whose check
# digit would be 10 are skipped.
sub tax_codes {
    my ($n, %o) = @_;
    my $k = $o{from} // 1;
    my $prefix = $o{prefix} // '03';
    croak 'prefix must be 2 digits' unless $prefix =~ /^\d\d$/;
    my @w = (31, 29, 23, 19, 17, 13, 7, 5, 3);
    my @out;
    while (@out < $n) {
        my $p = $prefix . sprintf('%07d', $k++);
        croak 'ran out of tax codes' if length $p > 9;
        my @d = split //, $p;
        my $s = 0;
        $s += $d[$_] * $w[$_] for 0 .. 8;
        next if $s % 11 == 0;
        push @out, $p . (10 - $s % 11);
    }
    return @out;
}

# Routes for PassportTest::Server: a registry that knows everybody.
#   GET /registry/entities/ID  -> 200 {"id":ID,"status":"active",...}
#   GET /registry/codes/CODE   -> 200 {"code":CODE,"status":"active",
#                                 "owner": the serial of AI 21 when it is a
#                                 tax code (".../21/0300000011"), else
#                                 $o{owner}, "origin":"VN"}
# delay => $s delays every answer; headers => {...} are added to every answer;
# authorized => [...] is every code record's "authorized_sellers".
sub open_registry_routes {
    my (%o) = @_;
    my $owner = $o{owner} // '0100109106';
    my $route = sub {
        my $req = shift;
        my ($kind, $raw) = $req->{path} =~ m{^/registry/(entities|codes)/([^/]+)$}
            or return { status => 400, json => { error => "unexpected registry path $req->{path}" } };
        my $key = seg_decode($raw);
        my $rec = $kind eq 'entities'
            ? { id => $key, status => 'active', name => "Company $key", country => 'VN' }
            : { code => $key, status => 'active', origin => 'VN',
                owner => ($key =~ m{/21/(\d{10})$} ? $1 : $owner),
                $o{authorized} ? (authorized_sellers => $o{authorized}) : () };
        return { body => $JSON->encode($rec),
                 headers => { 'Content-Type' => 'application/json', %{ $o{headers} || {} } },
                 $o{delay} ? (delay => $o{delay}) : () };
    };
    return [ [ 'GET', qr{^/registry/}, $route ], [ '*', qr{}, { status => 400, body => "not a registry request\n" } ] ];
}

# A log_format NAME with what the cache tests look at.
sub log_format_conf {
    my $name = shift // 'cache';
    return "    log_format $name '\$pid \$uri \$status \$passport_cache_status "
         . "\$passport_verdict \$passport_seller';\n";
}

# Lines of an access log in that format: [{pid, uri, status, cache, verdict, seller}].
sub access_lines {
    my ($t, $file) = @_;
    open(my $fh, '<:raw', $t->path($file)) or return;
    my @l;
    while (my $line = <$fh>) {
        next unless $line =~ /\n\z/;
        my ($pid, $uri, $status, $cache, $verdict, $seller) = split / /, $line =~ s/\n\z//r, 6;
        push @l, { pid => $pid, uri => $uri, status => $status, cache => $cache,
                   verdict => $verdict, seller => $seller };
    }
    return @l;
}

1;
