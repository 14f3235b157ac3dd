#!/usr/bin/perl
# The order of errors[]: the local rules' problems as found, then the
# registry's in the order of the lookups (the listing's seller, then each
# line's own seller and code, a code asked once for all its lines), a
# problem with the body as a whole first, what the registry could not
# settle last.  The same request always gets the same document.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use PassportTest;
use PassportTest::Registry;

my $t = PassportTest->new;
my $be = $t->backend('backend');
my $json = JSON::PP->new->canonical->utf8;

my $reg = PassportTest::Registry->new($t, port => 'registry');

$reg->entity('0100109106', 'active');
$reg->entity('0100233488', 'active');
$reg->entity('0300588569', 'suspended');
# 213800KUD8LAJWSQ9D15: not registered
$reg->code('01/08934673577038', authorized_sellers => [ '0100233488' ]);
$reg->code('01/12312312312326', status => 'recalled');
$reg->code('01/01234567890128', status => 'revoked');

my $cart = <<'EOF2';
            passport_seller /seller_id;
            passport_items /lines;
            passport_item_code /code;
            passport_item_seller /seller;
EOF2

$t->config(<<"EOF2")->run;
@{[ $reg->nginx_conf ]}
    server {
        listen 127.0.0.1:%%PORT_main%%;

        proxy_set_header X-Passport-Reasons \$passport_reasons;

        location /cart {
            passport on;
$cart            passport_registry http://127.0.0.1:%%PORT_registry%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /cart-flag {
            passport on;
            passport_mode flag;
$cart            passport_registry http://127.0.0.1:%%PORT_registry%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        # nothing listens there: every lookup fails
        location /cart-down {
            passport on;
$cart            passport_registry http://127.0.0.1:%%PORT_closed%%/registry;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }

        location /listing {
            passport on;
            passport_seller /seller_id;
            passport_items /items;
            passport_item_code /trace_code;
            proxy_pass http://127.0.0.1:%%PORT_backend%%;
        }
    }
EOF2

sub post { PassportTest::Registry::post_json($t, @_) }
sub errors { [ PassportTest::Registry::errors_of($_[0]) ] }

# --- local and registry problems together

my $mixed = $json->encode({ seller_id => '0300588569', lines => [
    { code => '12312312312326', seller => '213800KUD8LAJWSQ9D15' },
    { code => '1234567890129' },
    { code => '1234567890128' },
    { code => '12312312312326', seller => '0100109106' },
] });
my @mixed = (
    'CODE_INVALID /lines/1/code',
    'SELLER_INACTIVE /seller_id',
    'SELLER_NOT_REGISTERED /lines/0/seller',
    'CODE_RECALLED /lines/0/code',
    'CODE_RECALLED /lines/3/code',
    'CODE_REVOKED /lines/2/code',
);

my $r = post('/cart', $mixed);
is($r->{status}, 422, 'local and registry problems: 422');
is_deeply(errors($r), \@mixed,
    '... local problems first, then the lookups in order')
    or diag explain errors($r);

for my $i (1 .. 3) {
    is_deeply(errors(post('/cart', $mixed)), \@mixed,
              "... the same document again ($i)");
}

$r = post('/cart-flag', $mixed);
is($r->{status}, 200, 'flag mode: the cart goes through');
is(($be->requests)[-1]->{headers}{'x-passport-reasons'},
   'CODE_INVALID,SELLER_INACTIVE,SELLER_NOT_REGISTERED,CODE_RECALLED,'
   . 'CODE_REVOKED',
   '... $passport_reasons has each reason once, in the same order');

# --- the registry is down: what it could not settle goes last

my $down = $json->encode({ seller_id => '0100109106', lines => [
    { code => '8934673577038', seller => '0100233488' },
    { code => '1234567890129' },
] });

$r = post('/cart-down', $down);
is($r->{status}, 422, 'registry down and a local problem: 422, not 503');
is_deeply(errors($r), [
    'CODE_INVALID /lines/1/code',
    'REGISTRY_UNAVAILABLE /seller_id',
    'REGISTRY_UNAVAILABLE /lines/0/seller',
    'REGISTRY_UNAVAILABLE /lines/0/code',
], '... the local problem first, the unconfirmed lookups after it')
    or diag explain errors($r);
ok(!defined $r->{headers}{'retry-after'}, '... and no Retry-After');

# --- a problem with the body as a whole comes first

$r = post('/listing', $json->encode({ items => 5 }));
is($r->{status}, 400, 'no seller and items not an array: 400');
is_deeply(errors($r), [ 'BODY_MALFORMED /items', 'SELLER_MISSING /seller_id' ],
    '... the body problem first, though found second')
    or diag explain errors($r);

done_testing;
