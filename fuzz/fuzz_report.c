
/*
 * Copyright (C) passport developers
 *
 * Fuzz target: regulator report logs (src/core/passport_report_parse.c,
 * _report_check.c, passport_report.c).
 *
 * The input is read as a log, line by line, as passport-verify reads it:
 * the record grammar, the hash, the signature (for the first lines,
 * against the key of RFC 8032's first test vector), the chain across
 * lines; then as the end of a log, as nginx reads it on start.
 *
 * Its lines are also the strings of a new record (node, request id,
 * seller, method, URI, code, pointer, detail): whatever they hold, the
 * record written must verify, with its own seq and the hash returned.
 */


#include "fuzz.h"

#include "passport_report.h"


#define FUZZ_SIGNED  4      /* lines checked with the key */
#define FUZZ_PIECES  8


static EVP_PKEY  *fuzz_key;


static const unsigned char  fuzz_sk[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
    0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
    0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60
};


static void
fuzz_verify(const uint8_t *data, size_t size)
{
    int                                rc, n;
    char                               why[256];
    size_t                             canon, stop;
    const uint8_t                     *p, *last, *nl;
    ngx_http_passport_report_span_t    sig;
    ngx_http_passport_report_line_t    l;
    ngx_http_passport_report_chain_t   chain;

    ngx_http_passport_report_chain_init(&chain);

    for (n = 0, p = data, last = data + size; p < last; p = nl + 1, n++) {

        nl = memchr(p, '\n', last - p);
        if (nl == NULL) {
            nl = last;
        }

        /* canon is only set for a line that parses, sig when it has one */
        memset(&l, 0, sizeof(l));
        rc = ngx_http_passport_report_parse(p, nl - p, &l, &canon, &sig,
                                            &stop);
        fuzz_assert(stop <= (size_t) (nl - p));

        if (rc == 0) {
            fuzz_assert(canon <= (size_t) (nl - p));
            fuzz_assert(!l.has_sig
                        || (sig.data >= p && sig.data + sig.len <= nl));
        }

        rc = ngx_http_passport_report_verify_line(p, nl - p,
                                                  n ? &chain : NULL,
                                                  n < FUZZ_SIGNED
                                                  ? fuzz_key : NULL,
                                                  &l, why, sizeof(why));

        fuzz_assert(rc >= NGX_HTTP_PASSPORT_REPORT_OK
                    && rc <= NGX_HTTP_PASSPORT_REPORT_ERROR);
        fuzz_assert(memchr(why, '\0', sizeof(why)) != NULL);

        (void) ngx_http_passport_report_result_name(rc);
        (void) ngx_http_passport_report_type_name(l.type);
        (void) ngx_http_passport_report_mode_name(l.mode);

        if (rc == NGX_HTTP_PASSPORT_REPORT_OK) {
            ngx_http_passport_report_chain_advance(&chain, &l);
        }
    }
}


static void
fuzz_tail(const uint8_t *data, size_t size)
{
    int                               rc;
    ngx_http_passport_report_tail_t   tail;

    /* without a key: the hash and the links decide what is trusted */
    rc = ngx_http_passport_report_tail(data, size, 1, NULL, &tail);
    fuzz_assert(rc == NGX_HTTP_PASSPORT_REPORT_OK
                || rc == NGX_HTTP_PASSPORT_REPORT_ERROR
                || rc == NGX_HTTP_PASSPORT_REPORT_AGAIN);

    if (rc == NGX_HTTP_PASSPORT_REPORT_OK) {
        fuzz_assert(tail.end <= size);
        fuzz_assert(strlen(tail.chain.hash) == NGX_HTTP_PASSPORT_REPORT_HEX);
    }

    /* the last half of a longer file */
    rc = ngx_http_passport_report_tail(data + size / 2, size - size / 2, 0,
                                       NULL, &tail);

    if (rc == NGX_HTTP_PASSPORT_REPORT_OK) {
        fuzz_assert(tail.end <= size - size / 2);
    }
}


static void
fuzz_write(const uint8_t *data, size_t size)
{
    int                                rc;
    int                                reasons[4];
    char                               hash[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
    char                               why[256];
    size_t                             i, n, len[FUZZ_PIECES];
    unsigned char                     *buf, *end;
    const uint8_t                     *piece[FUZZ_PIECES], *p, *last, *nl;
    ngx_http_passport_report_t         r;
    ngx_http_passport_report_item_t    item;
    ngx_http_passport_report_line_t    l;
    ngx_http_passport_report_chain_t   chain;

    memset(piece, 0, sizeof(piece));
    memset(len, 0, sizeof(len));

    for (n = 0, p = data, last = data + size; p < last && n < FUZZ_PIECES;
         p = nl + 1, n++)
    {
        nl = memchr(p, '\n', last - p);
        if (nl == NULL) {
            nl = last;
        }

        piece[n] = p;
        len[n] = nl - p;
    }

    for (i = 0; i < 4; i++) {
        reasons[i] = (i < size ? data[i] : 0) % NGX_HTTP_PASSPORT_NREASONS;
    }

    memset(&item, 0, sizeof(item));    /* members left out are absent */
    item.pointer = piece[6];
    item.pointer_len = len[6];
    item.code = piece[5];
    item.code_len = len[5];
    item.reasons = reasons;
    item.nreasons = 1 + size % 4;

    memset(&r, 0, sizeof(r));
    r.type = size % 3;
    r.seq = 1 + (size * 2654435761ULL) % NGX_HTTP_PASSPORT_REPORT_SEQ_MAX;
    r.prev = (r.seq == 1) ? NULL
             : "0123456789abcdef0123456789abcdef"
               "0123456789abcdef0123456789abcdef";
    r.time_ms = (long long) (size * 1000003ULL
                             % NGX_HTTP_PASSPORT_REPORT_TIME_MAX);
    r.node = piece[0];
    r.node_len = len[0];
    r.request_id = piece[1];
    r.request_id_len = len[1];
    r.verdict = (size & 1) ? NGX_HTTP_PASSPORT_VERDICT_FLAG
                           : NGX_HTTP_PASSPORT_VERDICT_BLOCK;
    r.mode = (size / 2) % 3;
    r.seller = piece[2];
    r.seller_len = len[2];
    r.reasons = reasons;
    r.nreasons = size % 5;
    r.items = &item;
    r.nitems = (size / 3) % 2;
    r.method = piece[3];
    r.method_len = len[3];
    r.uri = piece[4];
    r.uri_len = len[4];
    r.detail = piece[7];
    r.detail_len = len[7];

    n = ngx_http_passport_report_size(&r);
    buf = malloc(n);
    fuzz_assert(buf != NULL);

    end = ngx_http_passport_report_write(buf, &r, fuzz_key, hash);
    fuzz_assert(end != NULL);
    fuzz_assert((size_t) (end - buf) <= n);
    fuzz_assert(end[-1] == '\n');

    chain.seq = r.seq - 1;
    memcpy(chain.hash, r.prev ? r.prev : NGX_HTTP_PASSPORT_REPORT_ZERO,
           sizeof(chain.hash));

    rc = ngx_http_passport_report_verify_line(buf, end - buf - 1, &chain,
                                              fuzz_key, &l, why,
                                              sizeof(why));
    if (rc != NGX_HTTP_PASSPORT_REPORT_OK) {
        fprintf(stderr, "written record does not verify (%d: %s):\n%.*s",
                rc, why, (int) (end - buf), buf);
        abort();
    }

    fuzz_assert(l.seq == r.seq);
    fuzz_assert(strcmp(l.hash, hash) == 0);

    free(buf);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_key == NULL) {
        fuzz_key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
                                                fuzz_sk, sizeof(fuzz_sk));
        fuzz_assert(fuzz_key != NULL);
    }

    fuzz_verify(data, size);
    fuzz_tail(data, size);
    fuzz_write(data, size);

    return 0;
}
