
/*
 * Copyright (C) passport developers
 *
 * Fuzz target: the registry's Cache-Control
 * (src/core/passport_cache_control.c), as one field value and as the
 * header lines of a response, one a line.
 */


#include "fuzz.h"

#include "passport_cache_control.h"


static void
fuzz_check(const ngx_http_passport_cache_control_t *cc)
{
    fuzz_assert(cc->max_age >= -1
                && cc->max_age <= NGX_HTTP_PASSPORT_CC_MAX_AGE_MAX);
    fuzz_assert(cc->no_store == 0 || cc->no_store == 1);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                                rc;
    long                               age;
    const uint8_t                     *p, *last, *nl;
    ngx_http_passport_cache_control_t  cc, more;

    ngx_http_passport_cache_control_init(&cc);
    rc = ngx_http_passport_cache_control_parse(data, size, &cc);
    fuzz_assert(rc == NGX_HTTP_PASSPORT_CC_OK
                || rc == NGX_HTTP_PASSPORT_CC_INVALID);
    fuzz_check(&cc);

    /* reading it twice changes nothing: repeats are idempotent */
    more = cc;
    age = cc.max_age;
    (void) ngx_http_passport_cache_control_parse(data, size, &more);
    fuzz_assert(more.max_age == age && more.no_store == cc.no_store);

    ngx_http_passport_cache_control_init(&cc);

    for (p = data, last = data + size; p < last; p = nl + 1) {
        nl = memchr(p, '\n', last - p);
        if (nl == NULL) {
            nl = last;
        }

        (void) ngx_http_passport_cache_control_header(p, nl - p, &cc);
        fuzz_check(&cc);
    }

    return 0;
}
