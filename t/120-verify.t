#!/usr/bin/perl
# build/passport-verify on report logs made by build/unit/report_gen:
# intact, edited, deleted, reordered, re-signed with another key, rotated
# files, crash recovery, usage.
# The hashes and a signature are also checked here independently, as
# docs/reports.md tells a regulator to.

use strict;
use warnings;

use Test::More;
use File::Temp qw(tempdir);
use Digest::SHA qw(sha256_hex);
use MIME::Base64 qw(encode_base64);

my $verify = 'build/passport-verify';
my $gen    = 'build/unit/report_gen';

plan skip_all => "$verify or $gen not built (make unit)"
    unless -x $verify && -x $gen;
plan skip_all => 'openssl not found'
    unless system('openssl version >/dev/null 2>&1') == 0;

mkdir 'build';
my $dir = tempdir('verify-XXXXXX', DIR => 'build', CLEANUP => 1);

sub run_ok {
    my (@cmd) = @_;
    system(@cmd) == 0 or die "@cmd: exit " . ($? >> 8);
}

sub slurp {
    my ($f) = @_;
    open(my $fh, '<:raw', $f) or die "$f: $!";
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($f, $data) = @_;
    open(my $fh, '>:raw', $f) or die "$f: $!";
    print $fh $data;
    close($fh) or die "$f: $!";
    return $f;
}

# lines of a file, each with its "\n"
sub lines { return slurp($_[0]) =~ /([^\n]*\n|[^\n]+\z)/g }

sub gen {
    my ($out, $count, $key, $after) = @_;
    my @cmd = ($gen, $count, $key // '-', defined $after ? $after : ());
    open(my $fh, '-|', @cmd) or die "$gen: $!";
    local $/;
    my $data = <$fh>;
    close($fh) or die "@cmd: exit " . ($? >> 8);
    return spew($out, $data);
}

# (exit status, stdout, stderr) of passport-verify
sub verify {
    my (@args) = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if ($pid == 0) {
        open(STDERR, '>', "$dir/stderr") or die "stderr: $!";
        exec($verify, @args) or die "$verify: $!";
    }
    local $/;
    my $out = <$fh> // '';
    close($fh);
    return ($? >> 8, $out, slurp("$dir/stderr"));
}

sub tampered {
    my ($args, $seq, $label, $name) = @_;
    my ($rc, $out) = verify(@$args);
    is($rc, 1, "$name: exit 1");
    like($out, qr/^TAMPERED: seq $seq: \Q$label\E at /, "$name: seq $seq $label")
        or diag($out);
}

sub intact {
    my ($args, $re, $name) = @_;
    my ($rc, $out) = verify(@$args);
    is($rc, 0, "$name: exit 0") or diag($out);
    like($out, $re, "$name: summary");
}

# a record re-hashed after an edit, as someone without the key could
sub rehash {
    my ($line) = @_;
    $line =~ s/,"hash":"[0-9a-f]{64}"(,"sig":"[^"]*")?\}\n\z//
        or die "not a record: $line";
    my $sig = $1 // '';
    return $line . ',"hash":"' . sha256_hex($line . '}') . '"' . $sig . "}\n";
}

sub resign {
    my ($line, $key) = @_;
    my ($hash) = $line =~ /"hash":"([0-9a-f]{64})"/ or die "no hash";
    spew("$dir/hash.bin", pack('H*', $hash));
    run_ok('openssl', 'pkeyutl', '-sign', '-rawin', '-inkey', $key,
           '-in', "$dir/hash.bin", '-out', "$dir/sig.bin");
    my $sig = encode_base64(slurp("$dir/sig.bin"), '');
    $line =~ s/"sig":"[^"]*"/"sig":"$sig"/ or die "no sig";
    return $line;
}

for my $k (qw(a b)) {
    run_ok("openssl genpkey -algorithm ed25519 -out $dir/$k.pem 2>/dev/null");
    run_ok("openssl pkey -in $dir/$k.pem -pubout -out $dir/$k.pub");
}

my ($apub, $bpub) = ("$dir/a.pub", "$dir/b.pub");


# intact

my $log = gen("$dir/log", 60, "$dir/a.pem");
my @l = lines($log);
is(scalar @l, 60, '60 records generated');

intact([$log], qr/^OK: 60 records, seq 1\.\.60 in 1 file, chain intact, (?x)
               signatures\ not\ checked/, 'intact, no key');
intact(['--key', $apub, $log], qr/^OK: 60 records.*all signatures verified/,
       'intact, public key');
intact(["--key=$dir/a.pem", $log], qr/all signatures verified/,
       'intact, public half of the private key');
tampered(['--key', $bpub, $log], 1, 'bad signature', 'another key');
intact([gen("$dir/unsigned", 5)], qr/^OK: 5 records.*unsigned$/, 'unsigned');
tampered(['--key', $apub, "$dir/unsigned"], 1, 'bad signature',
         'unsigned log with a key');


# the format, checked the way docs/reports.md describes it

my ($bad, $prev) = (0, '0' x 64);
for my $line (@l) {
    my ($canon) = $line =~ /^(.*),"hash":"[0-9a-f]{64}","sig":"[^"]+"\}\n\z/;
    my ($hash) = $line =~ /"hash":"([0-9a-f]{64})"/;
    my ($p) = $line =~ /"prev":"([0-9a-f]{64})"/;
    $bad++ unless defined $canon && $hash eq sha256_hex($canon . '}')
                  && $p eq $prev;
    $prev = $hash // '';
}
is($bad, 0, 'every hash is SHA-256 of the line up to ,"hash": plus }');

{
    my ($hash) = $l[6] =~ /"hash":"([0-9a-f]{64})"/;
    my ($sig) = $l[6] =~ /"sig":"([^"]+)"/;
    spew("$dir/h7.bin", pack('H*', $hash));
    spew("$dir/s7.bin", MIME::Base64::decode_base64($sig));
    is(system('openssl', 'pkeyutl', '-verify', '-rawin', '-pubin',
              '-inkey', $apub, '-in', "$dir/h7.bin",
              '-sigfile', "$dir/s7.bin"), 0,
       'openssl pkeyutl verifies a signature over the 32 hash bytes');
}


# tampering

my @e = @l;
$e[16] =~ s/"req-17"/"req-71"/ or die;
spew("$dir/edited", join('', @e));
tampered(['--key', $apub, "$dir/edited"], 17, 'edited', 'edited');
tampered(["$dir/edited"], 17, 'edited', 'edited, no key');

$e[16] = rehash($e[16]);
spew("$dir/rehashed", join('', @e));
tampered(['--key', $apub, "$dir/rehashed"], 17, 'bad signature',
         'edited and re-hashed');
tampered(["$dir/rehashed"], 18, 'chain broken',
         'edited and re-hashed, no key: the next prev');

$e[16] = resign($e[16], "$dir/b.pem");
spew("$dir/resigned", join('', @e));
tampered(['--key', $apub, "$dir/resigned"], 17, 'bad signature',
         'edited, re-hashed, re-signed with another key');

@e = @l;
$e[22] = resign($e[22], "$dir/b.pem");
spew("$dir/resigned2", join('', @e));
tampered(['--key', $apub, "$dir/resigned2"], 23, 'bad signature',
         'one record re-signed with another key');
intact(["$dir/resigned2"], qr/^OK: 60 records/,
       'which no key can tell');
intact(['--key', $apub, spew("$dir/same", join('', map { resign($_,
       "$dir/a.pem") } @l))], qr/^OK: 60 records/,
       're-signed with the same key: still intact');

@e = @l;
splice(@e, 29, 1);
spew("$dir/deleted", join('', @e));
tampered(['--key', $apub, "$dir/deleted"], 30, 'deleted', 'deleted');

@e = @l;
splice(@e, 57, 3);
spew("$dir/tail-deleted", join('', @e));
intact(['--key', $apub, "$dir/tail-deleted"], qr/^OK: 57 records, seq 1\.\.57/,
       'records cut from the end: the summary says where the chain ends');

@e = @l;
@e[39, 40] = @e[40, 39];
spew("$dir/swapped", join('', @e));
tampered(['--key', $apub, "$dir/swapped"], 40, 'reordered', 'swapped');

@e = @l;
splice(@e, 50, 0, splice(@e, 9, 1));
spew("$dir/moved", join('', @e));
tampered(['--key', $apub, "$dir/moved"], 10, 'reordered', 'moved later');

@e = @l;
splice(@e, 12, 0, $e[11]);
spew("$dir/replayed", join('', @e));
tampered(['--key', $apub, "$dir/replayed"], 12, 'reordered', 'replayed');

@e = @l;
splice(@e, 5, 0, "\n");
spew("$dir/blank", join('', @e));
tampered(["$dir/blank"], 6, 'truncated or unparseable', 'blank line');


# rotated files, given in order; the chain continues through the tail

my $r1 = gen("$dir/r.1", 25, "$dir/a.pem");
my $r2 = gen("$dir/r.2", 25, "$dir/a.pem", $r1);
my $r3 = gen("$dir/r.3", 10, "$dir/a.pem", $r2);
intact(['--key', $apub, $r1, $r2, $r3],
       qr/^OK: 60 records, seq 1\.\.60 in 3 files, chain intact, all/,
       'three rotated files in order');
intact(['--key', $apub, $r2, $r3],
       qr/^OK: 35 records, seq 26\.\.60 in 2 files, chain intact from seq 26/,
       'the newest files only');
tampered(['--key', $apub, $r1, $r3], 26, 'deleted', 'a file left out');
tampered(['--key', $apub, $r2, $r1, $r3], 1, 'reordered', 'files out of order');


# a crash cut the last line; the restart recovers

my $c = slurp($r2);
spew("$dir/cut", substr($c, 0, length($c) - 77));
tampered(['--key', $apub, "$dir/cut"], 50, 'truncated or unparseable',
         'cut last line, no recovery yet');
my $cont = gen("$dir/cont", 5, "$dir/a.pem", "$dir/cut");
like(slurp($cont), qr/\A\n\{"seq":50,[^\n]*"type":"recovery"/,
     'newline and recovery record with the seq of the cut record');
spew("$dir/recovered", slurp("$dir/cut") . slurp($cont));
intact(['--key', $apub, $r1, "$dir/recovered"],
       qr/^OK: 55 records, seq 1\.\.55 in 2 files, .*1 crash recovery/,
       'recovered log');
spew("$dir/forged", slurp("$dir/cut") . "\n" . join('', (lines($cont))[2 .. 5]));
tampered(['--key', $apub, $r1, "$dir/forged"], 50, 'truncated or unparseable',
         'cut line without a recovery record');

# only one cut line, the one right before it, may precede a recovery
# record: two, or 3 MB of random bytes, are refused

spew("$dir/twocut", slurp("$dir/cut") . "\n" . substr($c, -600, 100)
                    . slurp($cont));
tampered(['--key', $apub, $r1, "$dir/twocut"], 50, 'truncated or unparseable',
         'two cut lines before a recovery record');
my ($rc2, $out2) = verify('--key', $apub, $r1, "$dir/twocut");
like($out2, qr/more lines that are not records/, '... and says why');

srand(14);
my $random = join '', map { chr(int(rand(256))) } 1 .. 3 * 1024 * 1024;
spew("$dir/random", slurp($r2) . $random);
tampered(['--key', $apub, $r1, "$dir/random"], 51, 'truncated or unparseable',
         '3 MB of random bytes at the end');
my $rcont = gen("$dir/rcont", 3, "$dir/a.pem", "$dir/random");
like(slurp($rcont), qr/\A\n?\{"seq":51,[^\n]*"type":"segment"/,
     'after 3 MB of random bytes the node writes a segment record');
spew("$dir/random-recovery", slurp("$dir/random") . slurp($rcont)
     =~ s/"type":"segment"/"type":"recovery"/r);
tampered(['--key', $apub, $r1, "$dir/random-recovery"], 51,
         'truncated or unparseable',
         '3 MB of random bytes then a recovery record');
(my $norl = $random) =~ tr/\n//d;
spew("$dir/random1", slurp($r2) . $norl);
my $r1cont = gen("$dir/r1cont", 3, "$dir/a.pem", "$dir/random1");
like(slurp($r1cont), qr/"type":"segment"/,
     'one line of random bytes is no cut line either: a segment');

spew("$dir/segmented", slurp("$dir/random") . slurp($rcont));
my ($rc3, $out3) = verify('--key', $apub, $r1, "$dir/segmented");
is($rc3, 3, 'a segment record: exit 3, not 0');
like($out3, qr/^SEGMENTED: 54 records, seq 1\.\.54 in 2 files, chain intact, 1 new segment \(the first at \S+segmented:\d+, seq 51\), \d+ lines left out of the chain \(the first at \S+segmented:26: seq 51: truncated or unparseable/,
     '... the lines left out and the segment are named') or diag $out3;

# a forged line with a right hash and no signature, then the node's
# segment record: named, and the chain goes on from the last good record

my @l2 = lines($r2);
(my $forged = $l2[-1]) =~ s/,"sig":"[^"]*"//;
$forged =~ s/"seq":50,/"seq":9007199254740991,/;
my $canon = ($forged =~ /^(.*?),"hash":/)[0] . '}';
my $fh = sha256_hex($canon);
$forged =~ s/"hash":"[0-9a-f]{64}"/"hash":"$fh"/;
spew("$dir/forgedtail", slurp($r2) . $forged);
tampered(['--key', $apub, $r1, "$dir/forgedtail"], 51, 'bad signature',
         'a forged huge seq at the end');
tampered([$r1, "$dir/forgedtail"], 51, 'deleted',
         'a forged huge seq at the end, no key');
my $fcont = gen("$dir/fcont", 2, "$dir/a.pem", "$dir/forgedtail");
like(slurp($fcont), qr/\A\{"seq":51,[^\n]*"type":"segment"/,
     'the node does not trust it: a segment record at seq 51');
spew("$dir/forgedseg", slurp("$dir/forgedtail") . slurp($fcont));
($rc3, $out3) = verify('--key', $apub, $r1, "$dir/forgedseg");
is($rc3, 3, 'forged tail then segment: exit 3');
like($out3, qr/^SEGMENTED: 53 records, seq 1\.\.53 .*, 1 line left out of the chain \(the first at \S+forgedseg:26: seq 51: bad signature/,
     '... the forged line is named') or diag $out3;


# docs/reports.md: the worked example verifies, and so does the reference
# verifier given there

{
    my $doc = slurp('docs/reports.md');
    my @blocks = $doc =~ /^```[a-z]*\n(.*?)^```/msg;
    my ($ex) = grep { /\A\{"seq":1,/ } @blocks;
    my ($pem) = grep { /\A-----BEGIN PUBLIC KEY-----/ } @blocks;
    my ($py) = grep { /\A#!\/usr\/bin\/env python3/ } @blocks;

    spew("$dir/doc.log", $ex);
    spew("$dir/doc.pem", $pem);
    intact(['--key', "$dir/doc.pem", "$dir/doc.log"],
           qr/^OK: 2 records, seq 1\.\.2 in 1 file, chain intact, all sig/,
           'worked example of docs/reports.md');
    (my $ed = $ex) =~ s/0100109106/0100109107/;
    tampered(['--key', "$dir/doc.pem", spew("$dir/doc-ed.log", $ed)], 1,
             'edited', 'worked example, edited');

    SKIP: {
        skip 'python3 with cryptography not found', 5
            if system('python3 -c "import cryptography" 2>/dev/null') != 0;

        spew("$dir/verify.py", $py);
        my $py_verify = sub {
            my $out = `python3 $dir/verify.py @_`;
            return ($? >> 8, $out);
        };
        is(($py_verify->('--key', "$dir/doc.pem", "$dir/doc.log"))[0], 0,
           'reference verifier: worked example intact');
        is(($py_verify->('--key', $apub, $r1, "$dir/recovered"))[0], 0,
           'reference verifier: rotated files with a crash recovery');
        my ($rc, $out) = $py_verify->("$dir/edited");
        like($out, qr/seq 17: edited/, 'reference verifier: edited');
        ($rc, $out) = $py_verify->('--key', $apub, "$dir/resigned2");
        like($out, qr/seq 23: bad signature/,
             'reference verifier: re-signed');
        ($rc, $out) = $py_verify->('--key', $apub, "$dir/deleted");
        like($out, qr/seq 30: deleted/, 'reference verifier: deleted');
    }
}


# usage and I/O errors

for my $case (
    [ [], qr/^usage: passport-verify/, 'no file' ],
    [ ['--nope', $log], qr/^usage:/, 'unknown option' ],
    [ ['--key'], qr/^usage:/, '--key without a file' ],
    [ ["$dir/missing"], qr/missing: No such file/, 'missing file' ],
    [ ['--key', "$dir/missing.pem", $log], qr/cannot open .*missing\.pem/,
      'missing key' ],
    [ ['--key', $log, $log], qr/no PEM public or private key/, 'not a key' ],
    [ ['--key', $apub, $log, $dir], qr/read error/, 'a directory' ],
) {
    my ($args, $re, $name) = @$case;
    my ($rc, $out, $err) = verify(@$args);
    is($rc, 2, "$name: exit 2");
    like($err, $re, "$name: message");
    is($out, '', "$name: nothing on stdout");
}

my (undef, $help) = verify('--help');
like($help, qr/^usage:/, '--help');

intact([spew("$dir/empty", '')], qr/^OK: 0 records/, 'empty file');

done_testing;
