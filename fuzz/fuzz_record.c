
/*
 * Copyright (C) passport developers
 *
 * Fuzz target: the registry's answers (src/core/passport_record.c).  The
 * input is a selector byte, the asked ID or code up to the first "\n",
 * then the body:
 *
 *   bit 0      0: GET /entities/{asked}, 1: GET /codes/{asked}
 *   bits 1-2   the HTTP status: 200, 404, 500, 200
 *
 * Each answer then goes through the cross-checks in both languages.
 */


#include "fuzz.h"

#include "passport_record.h"


static const long  statuses[] = { 200, 404, 500, 200 };


static void
fuzz_terminated(const char *s, size_t size)
{
    fuzz_assert(memchr(s, '\0', size) != NULL);
}


static void
fuzz_entity(long status, const uint8_t *asked, size_t alen,
    const uint8_t *body, size_t len)
{
    int                          lang;
    char                         id[NGX_HTTP_PASSPORT_SELLER_MAX];
    ngx_http_passport_error_t    err;
    ngx_http_passport_entity_t   e;

    /* asked is normalised by the caller, as lookup.c does */
    if (alen >= sizeof(id)) {
        return;
    }

    memcpy(id, asked, alen);
    id[alen] = '\0';

    memset(&e, 0xa5, sizeof(e));

    (void) ngx_http_passport_entity_parse(status, body, len, id, alen, &e);

    fuzz_assert(e.rc >= NGX_HTTP_PASSPORT_REC_OK
                && e.rc <= NGX_HTTP_PASSPORT_REC_ERROR);
    fuzz_terminated(e.cause, sizeof(e.cause));
    fuzz_terminated(e.status, sizeof(e.status));
    fuzz_terminated(e.id, sizeof(e.id));

    for (lang = 0; lang < 2; lang++) {
        memset(&err, 0, sizeof(err));
        (void) ngx_http_passport_entity_rules(&e, lang, &err);
        fuzz_terminated(err.detail, sizeof(err.detail));
    }
}


static void
fuzz_code(long status, const uint8_t *asked, size_t alen,
    const uint8_t *body, size_t len)
{
    int                          lang;
    char                         code[NGX_HTTP_PASSPORT_CANON_MAX];
    ngx_http_passport_error_t    err;
    ngx_http_passport_record_t   rec;

    if (alen >= sizeof(code)) {
        return;
    }

    memcpy(code, asked, alen);
    code[alen] = '\0';

    memset(&rec, 0xa5, sizeof(rec));

    (void) ngx_http_passport_record_parse(status, body, len, code, alen,
                                          &rec);

    fuzz_assert(rec.rc >= NGX_HTTP_PASSPORT_REC_OK
                && rec.rc <= NGX_HTTP_PASSPORT_REC_ERROR);
    fuzz_terminated(rec.cause, sizeof(rec.cause));
    fuzz_assert(rec.rc == NGX_HTTP_PASSPORT_REC_OK || rec.root == NULL);

    if (rec.rc == NGX_HTTP_PASSPORT_REC_OK) {
        fuzz_terminated(rec.status, sizeof(rec.status));
        fuzz_terminated(rec.owner, sizeof(rec.owner));
    }

    (void) ngx_http_passport_record_authorized(&rec, "0100109106", 10);
    (void) ngx_http_passport_record_authorized(&rec, "", 0);

    for (lang = 0; lang < 2; lang++) {
        memset(&err, 0, sizeof(err));
        (void) ngx_http_passport_record_rules(&rec, "0100109106", 10, 704,
                                              lang, &err);
        fuzz_terminated(err.detail, sizeof(err.detail));

        memset(&err, 0, sizeof(err));
        (void) ngx_http_passport_record_rules(&rec, NULL, 0, -1, lang, &err);
        fuzz_terminated(err.detail, sizeof(err.detail));
    }

    ngx_http_passport_record_free(&rec);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long            status;
    size_t          alen;
    const uint8_t  *asked, *nl;

    if (size < 2) {
        return 0;
    }

    status = statuses[(data[0] >> 1) & 3];
    asked = data + 1;

    nl = memchr(asked, '\n', size - 1);
    if (nl == NULL) {
        return 0;
    }

    alen = nl - asked;

    if (data[0] & 1) {
        fuzz_code(status, asked, alen, nl + 1, size - 1 - alen - 1);

    } else {
        fuzz_entity(status, asked, alen, nl + 1, size - 1 - alen - 1);
    }

    return 0;
}
