
/*
 * Copyright (C) passport developers
 *
 * Unit tests for the registry's Cache-Control (RFC 9111): max-age,
 * no-store, no-cache, quoted values, overflow, case.  TAP output.
 */


#include <stdio.h>
#include <string.h>

#include "passport_cache_control.h"
#include "tap.h"


typedef struct {
    const char  *value;
    long         max_age;
    int          no_store;
    int          rc;
} cc_vector_t;


static const cc_vector_t  vectors[] = {

    /* the plain forms */
    { "max-age=60", 60, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "max-age=0", 0, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "no-store", -1, 1, NGX_HTTP_PASSPORT_CC_OK },
    { "no-cache", -1, 1, NGX_HTTP_PASSPORT_CC_OK },
    { "", -1, 0, NGX_HTTP_PASSPORT_CC_OK },
    { " , ,, ", -1, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "public, max-age=300, must-revalidate", 300, 0,
      NGX_HTTP_PASSPORT_CC_OK },
    { "max-age=60, no-store", 60, 1, NGX_HTTP_PASSPORT_CC_OK },
    { "  max-age=60  ,\tno-cache\r\n", 60, 1, NGX_HTTP_PASSPORT_CC_OK },

    /* case */
    { "MAX-AGE=60", 60, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "Max-Age=60, No-Store", 60, 1, NGX_HTTP_PASSPORT_CC_OK },
    { "NO-CACHE", -1, 1, NGX_HTTP_PASSPORT_CC_OK },

    /* quoted values */
    { "max-age=\"60\"", 60, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "no-cache=\"Set-Cookie, X-A\"", -1, 1, NGX_HTTP_PASSPORT_CC_OK },
    { "private=\"no-store, max-age=5\", max-age=70", 70, 0,
      NGX_HTTP_PASSPORT_CC_OK },
    { "x=\"a\\\"b, no-store\", max-age=9", 9, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "max-age=\"60", 0, 0, NGX_HTTP_PASSPORT_CC_INVALID },
    { "max-age=\"6\\0\"", 0, 0, NGX_HTTP_PASSPORT_CC_INVALID },

    /* names that only look alike */
    { "s-maxage=60", -1, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "x-max-age=60", -1, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "no-stored, no-caches, max-ages=5", -1, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "ext=no-store", -1, 0, NGX_HTTP_PASSPORT_CC_OK },

    /* overflow: the greatest value, never wrapped */
    { "max-age=2147483647", 2147483647L, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "max-age=2147483648", NGX_HTTP_PASSPORT_CC_MAX_AGE_MAX, 0,
      NGX_HTTP_PASSPORT_CC_OK },
    { "max-age=99999999999999999999999999999999",
      NGX_HTTP_PASSPORT_CC_MAX_AGE_MAX, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "max-age=000000000000000000000000000000060", 60, 0,
      NGX_HTTP_PASSPORT_CC_OK },

    /* invalid max-age: stale */
    { "max-age", 0, 0, NGX_HTTP_PASSPORT_CC_INVALID },
    { "max-age=", 0, 0, NGX_HTTP_PASSPORT_CC_INVALID },
    { "max-age=-1", 0, 0, NGX_HTTP_PASSPORT_CC_INVALID },
    { "max-age=6x", 0, 0, NGX_HTTP_PASSPORT_CC_INVALID },
    { "max-age=60 s", 0, 0, NGX_HTTP_PASSPORT_CC_INVALID },
    { "max-age = 60", 0, 0, NGX_HTTP_PASSPORT_CC_INVALID },

    /* several max-age: the smallest */
    { "max-age=60, max-age=30", 30, 0, NGX_HTTP_PASSPORT_CC_OK },
    { "max-age=30, max-age=60", 30, 0, NGX_HTTP_PASSPORT_CC_OK },

    /* junk is skipped, the rest still read */
    { "=5, max-age=60", 60, 0, NGX_HTTP_PASSPORT_CC_INVALID },
    { "\"x,y\", no-store", -1, 1, NGX_HTTP_PASSPORT_CC_INVALID },
    { "@@@", -1, 0, NGX_HTTP_PASSPORT_CC_INVALID },
    { "public;max-age=60", -1, 0, NGX_HTTP_PASSPORT_CC_INVALID },
};


static void
test_vectors(void)
{
    int                                rc;
    char                               name[160];
    size_t                             i;
    ngx_http_passport_cache_control_t  cc;

    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        ngx_http_passport_cache_control_init(&cc);

        rc = ngx_http_passport_cache_control_parse(
                 (const unsigned char *) vectors[i].value,
                 strlen(vectors[i].value), &cc);

        snprintf(name, sizeof(name), "'%s': max-age", vectors[i].value);
        is_int(cc.max_age, vectors[i].max_age, name);
        snprintf(name, sizeof(name), "'%s': no-store", vectors[i].value);
        is_int(cc.no_store, vectors[i].no_store, name);
        snprintf(name, sizeof(name), "'%s': result", vectors[i].value);
        is_int(rc, vectors[i].rc, name);
    }
}


static int
header(const char *line, ngx_http_passport_cache_control_t *cc)
{
    return ngx_http_passport_cache_control_header(
               (const unsigned char *) line, strlen(line), cc);
}


static void
test_header(void)
{
    ngx_http_passport_cache_control_t  cc;

    ngx_http_passport_cache_control_init(&cc);
    is_int(cc.max_age, -1, "init: no max-age");
    is_int(cc.no_store, 0, "init: no no-store");

    is_int(header("Cache-Control: max-age=120\r\n", &cc), 1,
           "header: Cache-Control read");
    is_int(cc.max_age, 120, "header: max-age from the line");

    is_int(header("CACHE-CONTROL:no-store", &cc), 1,
           "header: name in any case, no space");
    is_int(cc.no_store, 1, "header: no-store from a second line");
    is_int(cc.max_age, 120, "header: the first line still counts");

    ngx_http_passport_cache_control_init(&cc);
    is_int(header("Content-Type: application/json\r\n", &cc), 0,
           "header: another header");
    is_int(header("Cache-Control-X: max-age=5", &cc), 0,
           "header: a longer name");
    is_int(header("Cache-Control : max-age=5", &cc), 0,
           "header: space before the colon is not the header");
    is_int(header("Cache-Control", &cc), 0, "header: no colon");
    is_int(header("X-Cache-Control: max-age=5", &cc), 0,
           "header: a name ending the same");
    is_int(cc.max_age, -1, "header: other headers change nothing");

    is_int(header("Cache-Control:", &cc), 1, "header: empty value");
    is_int(cc.max_age, -1, "header: empty value, no max-age");

    /* not NUL-terminated: the length is all that is read */
    is_int(ngx_http_passport_cache_control_header(
               (const unsigned char *) "Cache-Control: max-age=12345", 25,
               &cc), 1, "header: cut by its length");
    is_int(cc.max_age, 12, "header: only the given bytes");
}


int
main(void)
{
    test_vectors();
    test_header();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
