
/*
 * Copyright (C) passport developers
 *
 * Fuzz target: the packed form of registry answers, as the cache keeps
 * them (src/core/passport_record_pack.c).  The input is a selector byte,
 * the asked ID or code up to the first "\n", then the bytes:
 *
 *   bit 0      0: an entity, 1: a code record
 *   bit 1      0: the bytes are a packed record, read back as they are
 *                 (the cache's bytes, which a bug could overwrite);
 *              1: the bytes are a registry body (status 200), parsed
 *                 with the walk-up, packed and read back
 *
 * Properties: whatever the bytes, unpack never reads past them and gives
 * NUL-terminated strings; a record read back packs again to bytes that
 * read back to the same record; a parsed answer reads back with the same
 * fields and the same rule results.
 */


#include "fuzz.h"

#include "passport_record.h"


static unsigned char  buf[1 << 17];


static void
fuzz_same_entity(const ngx_http_passport_entity_t *a,
    const ngx_http_passport_entity_t *b)
{
    fuzz_assert(a->rc == b->rc && a->lei == b->lei);
    fuzz_assert(strcmp(a->status, b->status) == 0);
    fuzz_assert(strcmp(a->lei_status, b->lei_status) == 0);
    fuzz_assert(strcmp(a->country, b->country) == 0);
}


static void
fuzz_same_record(const ngx_http_passport_record_t *a,
    const ngx_http_passport_record_t *b, const char *seller, size_t len)
{
    int                        lang;
    ngx_http_passport_error_t  ea, eb;

    fuzz_assert(a->rc == b->rc && a->origin == b->origin
                && a->code_len == b->code_len);
    fuzz_assert(strcmp(a->status, b->status) == 0);
    fuzz_assert(strcmp(a->owner, b->owner) == 0);
    fuzz_assert(ngx_http_passport_record_authorized(a, seller, len)
                == ngx_http_passport_record_authorized(b, seller, len));

    for (lang = 0; lang < 2; lang++) {
        memset(&ea, 0, sizeof(ea));
        memset(&eb, 0, sizeof(eb));
        fuzz_assert(ngx_http_passport_record_rules(a, seller, len, 704,
                                                   lang, &ea)
                    == ngx_http_passport_record_rules(b, seller, len, 704,
                                                      lang, &eb));
        fuzz_assert(ea.reason == eb.reason
                    && strcmp(ea.detail, eb.detail) == 0);
    }
}


static void
fuzz_entity(const char *asked, size_t alen, const uint8_t *p, size_t len,
    int parse)
{
    size_t                       n;
    ngx_http_passport_entity_t   e, again;

    if (parse) {
        (void) ngx_http_passport_entity_parse(200, p, len, asked, alen, &e);
        n = ngx_http_passport_entity_pack(&e, buf, sizeof(buf));

        if (n == 0) {
            fuzz_assert(e.rc == NGX_HTTP_PASSPORT_REC_ERROR);
            return;
        }

        fuzz_assert(ngx_http_passport_entity_unpack(buf, n, asked, alen,
                                                    &again) == e.rc);
        fuzz_same_entity(&e, &again);
        return;
    }

    if (ngx_http_passport_entity_unpack(p, len, asked, alen, &e)
        == NGX_HTTP_PASSPORT_REC_ERROR)
    {
        return;
    }

    fuzz_assert(memchr(e.status, '\0', sizeof(e.status)) != NULL);
    fuzz_assert(memchr(e.lei_status, '\0', sizeof(e.lei_status)) != NULL);
    fuzz_assert(memchr(e.country, '\0', sizeof(e.country)) != NULL);

    n = ngx_http_passport_entity_pack(&e, buf, sizeof(buf));
    fuzz_assert(n > 0 && n <= sizeof(buf));
    fuzz_assert(ngx_http_passport_entity_unpack(buf, n, asked, alen, &again)
                == e.rc);
    fuzz_same_entity(&e, &again);
}


static void
fuzz_code(const char *asked, size_t alen, const uint8_t *p, size_t len,
    int parse)
{
    size_t                       n;
    ngx_http_passport_record_t   rec, again;

    if (parse) {
        (void) ngx_http_passport_record_parse_any(200, p, len, asked, alen,
                                                  &rec);
        n = ngx_http_passport_record_pack(&rec, alen, buf, sizeof(buf));

        if (n == 0 || n > sizeof(buf)) {
            ngx_http_passport_record_free(&rec);
            return;
        }

        fuzz_assert(ngx_http_passport_record_unpack(buf, n, asked, alen,
                                                    &again) == rec.rc);
        fuzz_same_record(&rec, &again, "0100109106", 10);
        ngx_http_passport_record_free(&rec);
        return;
    }

    if (ngx_http_passport_record_unpack(p, len, asked, alen, &rec)
        == NGX_HTTP_PASSPORT_REC_ERROR)
    {
        return;
    }

    fuzz_assert(memchr(rec.status, '\0', sizeof(rec.status)) != NULL);
    fuzz_assert(memchr(rec.owner, '\0', sizeof(rec.owner)) != NULL);
    fuzz_assert(rec.sellers_len == 0
                || (rec.sellers >= p && rec.sellers + rec.sellers_len
                                        == p + len));

    n = ngx_http_passport_record_pack(&rec, alen, buf, sizeof(buf));
    fuzz_assert(n > 0 && n <= sizeof(buf));
    fuzz_assert(ngx_http_passport_record_unpack(buf, n, asked, alen, &again)
                == rec.rc);
    fuzz_same_record(&rec, &again, "0100109106", 10);
    fuzz_same_record(&rec, &again, rec.owner, strlen(rec.owner));
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char            asked[NGX_HTTP_PASSPORT_CANON_MAX];
    size_t          alen, len;
    uint8_t        *p;
    const uint8_t  *nl;

    if (size < 2) {
        return 0;
    }

    nl = memchr(data + 1, '\n', size - 1);
    if (nl == NULL) {
        return 0;
    }

    alen = nl - (data + 1);

    if (alen >= NGX_HTTP_PASSPORT_SELLER_MAX && !(data[0] & 1)) {
        return 0;
    }

    if (alen >= sizeof(asked)) {
        return 0;
    }

    memcpy(asked, data + 1, alen);
    asked[alen] = '\0';

    /* the bytes in a buffer of their own size: a read past them is seen */

    len = size - 1 - alen - 1;
    p = malloc(len ? len : 1);
    if (p == NULL) {
        abort();
    }

    memcpy(p, nl + 1, len);

    if (data[0] & 1) {
        fuzz_code(asked, alen, p, len, data[0] & 2);

    } else {
        fuzz_entity(asked, alen, p, len, data[0] & 2);
    }

    free(p);

    return 0;
}
