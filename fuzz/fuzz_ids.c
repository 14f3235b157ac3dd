
/*
 * Copyright (C) passport developers
 *
 * Fuzz target: one input as a seller ID and as a trace code in every GS1
 * form (bare GTIN, element strings, Digital Link URI), their check
 * digits, dates and countries, the explanations in both languages and
 * the local rules.  A canonical code parses again to itself.
 */


#include "fuzz.h"

#include "passport_ids.h"
#include "passport_verdict.h"


static void
fuzz_seller(const uint8_t *data, size_t size)
{
    char                        buf[512];
    size_t                      n;
    ngx_http_passport_seller_t  sl, again;
    ngx_http_passport_error_t   err;

    memset(&sl, 0xa5, sizeof(sl));

    (void) ngx_http_passport_seller_parse(data, size, &sl);

    fuzz_assert(sl.len < sizeof(sl.id));

    n = ngx_http_passport_seller_explain(&sl, NGX_HTTP_PASSPORT_LANG_EN, buf,
                                         sizeof(buf));
    fuzz_assert(n < sizeof(buf) && strlen(buf) == n);
    n = ngx_http_passport_seller_explain(&sl, NGX_HTTP_PASSPORT_LANG_VI, buf,
                                         sizeof(buf));
    fuzz_assert(n < sizeof(buf) && strlen(buf) == n);

    /* a short buffer is cut, never overrun */
    n = ngx_http_passport_seller_explain(&sl, NGX_HTTP_PASSPORT_LANG_VI, buf,
                                         7);
    fuzz_assert(n < 7);

    if (sl.err != NGX_HTTP_PASSPORT_ID_OK) {
        memset(&err, 0, sizeof(err));
        err.reason = NGX_HTTP_PASSPORT_SELLER_ID_INVALID;
        ngx_http_passport_seller_rules(&sl, NGX_HTTP_PASSPORT_LANG_EN, &err);
        fuzz_assert(memchr(err.detail, '\0', sizeof(err.detail)) != NULL);
        return;
    }

    fuzz_assert(strlen(sl.id) == sl.len);

    /* the normalised ID is a valid ID, the same */
    (void) ngx_http_passport_seller_parse((const unsigned char *) sl.id,
                                          sl.len, &again);
    fuzz_assert(again.err == NGX_HTTP_PASSPORT_ID_OK);
    fuzz_assert(again.kind == sl.kind);
    fuzz_assert(strcmp(again.id, sl.id) == 0);
}


static void
fuzz_code(const uint8_t *data, size_t size, long today, int origin)
{
    int                        lang;
    char                       buf[512];
    char                       uri[NGX_HTTP_PASSPORT_CANON_MAX + 32];
    size_t                     n;
    ngx_http_passport_code_t   code, again;
    ngx_http_passport_error_t  err;

    memset(&code, 0xa5, sizeof(code));

    (void) ngx_http_passport_code_parse(data, size, today, &code);

    fuzz_assert(code.len < sizeof(code.canon));
    fuzz_assert(memchr(code.ai, '\0', sizeof(code.ai)) != NULL);
    fuzz_assert(memchr(code.ai2, '\0', sizeof(code.ai2)) != NULL);

    for (lang = 0; lang < 2; lang++) {
        n = ngx_http_passport_code_explain(&code, lang, buf, sizeof(buf));
        fuzz_assert(n < sizeof(buf) && strlen(buf) == n);

        memset(&err, 0, sizeof(err));
        (void) ngx_http_passport_code_rules(&code, origin, today, lang, &err);
        fuzz_assert(memchr(err.detail, '\0', sizeof(err.detail)) != NULL);
    }

    if (code.err != NGX_HTTP_PASSPORT_ID_OK) {
        return;
    }

    fuzz_assert(strlen(code.canon) == code.len);

    /*
     * the canonical form is a Digital Link path: as a URI it is the same
     * code, with the same canonical form
     */
    n = snprintf(uri, sizeof(uri), "https://id.gs1.org/%s", code.canon);
    fuzz_assert(n < sizeof(uri));

    (void) ngx_http_passport_code_parse((const unsigned char *) uri, n,
                                        today, &again);

    if (again.err != NGX_HTTP_PASSPORT_ID_OK
        || again.len != code.len
        || strcmp(again.canon, code.canon) != 0)
    {
        fprintf(stderr, "canonical \"%s\" as a URI parses as \"%s\" "
                "(err %d)\n", code.canon, again.canon, again.err);
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int  origin;

    fuzz_seller(data, size);
    fuzz_code(data, size, FUZZ_TODAY, -1);

    /* the same code on another day, claiming the first country given */
    origin = ngx_http_passport_country(data, size < 3 ? size : 3);
    if (origin < 0) {
        origin = 704;
    }

    fuzz_code(data, size, 20991231L, origin);

    (void) ngx_http_passport_gs1_check_digit(data, size);

    return 0;
}
