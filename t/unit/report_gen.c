
/*
 * Copyright (C) passport developers
 *
 * report_gen COUNT [KEY.pem|-] [AFTER.log]
 *
 * Test helper for t/120-verify.t: prints COUNT verdict records of a new
 * chain, signed with KEY.pem when given, or the continuation of AFTER.log
 * (a rotated file, or one whose last line a crash cut: then a newline and
 * a recovery record come first, as nginx writes them on start).  The
 * node is "gen", or $REPORT_GEN_NODE.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passport_report.h"


#define U(s)  (const unsigned char *) (s), sizeof(s) - 1


static const int  gen_inv[] = { NGX_HTTP_PASSPORT_CODE_INVALID };
static const int  gen_rec[] = { NGX_HTTP_PASSPORT_CODE_RECALLED };
static const int  gen_both[] = { NGX_HTTP_PASSPORT_CODE_INVALID,
                                 NGX_HTTP_PASSPORT_CODE_RECALLED };

static const ngx_http_passport_report_item_t  gen_items[] = {
    { U("/items/0/code"), U("(01)09506000134352(21)SN1"), gen_inv, 1,
      NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL },
    { U("/items/2/code"), U("09506000134352"), gen_rec, 1,
      NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL }
};


static int
put(ngx_http_passport_report_t *r, ngx_http_passport_report_chain_t *chain,
    EVP_PKEY *key)
{
    size_t          n;
    const char     *node;
    unsigned char  *buf, *end;

    node = getenv("REPORT_GEN_NODE");
    node = node ? node : "gen";

    r->seq = chain->seq + 1;
    r->prev = chain->hash;
    r->node = (const unsigned char *) node;
    r->node_len = strlen(node);
    r->time_ms = 1795644843000LL + 1000LL * r->seq;

    n = ngx_http_passport_report_size(r);

    buf = malloc(n);
    if (buf == NULL) {
        return -1;
    }

    end = ngx_http_passport_report_write(buf, r, key, chain->hash);
    n = end ? (size_t) (end - buf) : 0;

    if (end == NULL || fwrite(buf, 1, n, stdout) != n) {
        free(buf);
        return -1;
    }

    free(buf);
    chain->seq = r->seq;

    return 0;
}


static int
after(const char *path, ngx_http_passport_report_chain_t *chain,
    EVP_PKEY *key)
{
    int                              rc;
    long                             len;
    FILE                            *f;
    unsigned char                   *buf;
    ngx_http_passport_report_t       r;
    ngx_http_passport_report_tail_t  t;

    f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }

    buf = NULL;
    rc = -1;

    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0
        && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc(len + 1)) != NULL
        && fread(buf, 1, len, f) == (size_t) len)
    {
        rc = ngx_http_passport_report_tail(buf, len, 1, key, &t);
    }

    free(buf);
    fclose(f);

    if (rc != NGX_HTTP_PASSPORT_REPORT_OK) {
        return -1;
    }

    *chain = t.chain;

    if (t.newline) {
        fputs("\n", stdout);
    }

    if (!t.truncated && !t.segment) {
        return 0;
    }

    memset(&r, 0, sizeof(r));
    r.type = t.segment ? NGX_HTTP_PASSPORT_REPORT_SEGMENT
                       : NGX_HTTP_PASSPORT_REPORT_RECOVERY;
    r.detail = (const unsigned char *) (t.segment
                                        ? "the lines before were not trusted"
                                        : "the last line was cut short");
    r.detail_len = strlen((const char *) r.detail);

    return put(&r, chain, key);
}


int
main(int argc, char **argv)
{
    int                               n, i, rc;
    char                              why[600], id[32];
    EVP_PKEY                         *key;
    ngx_http_passport_report_t        r;
    ngx_http_passport_report_chain_t  chain;

    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: report_gen COUNT [KEY.pem|-] [AFTER.log]\n");
        return 2;
    }

    n = atoi(argv[1]);
    key = NULL;
    ngx_http_passport_report_chain_init(&chain);

    if (argc > 2 && strcmp(argv[2], "-") != 0) {
        key = ngx_http_passport_report_key_read(argv[2], 1, why, sizeof(why));
        if (key == NULL) {
            fprintf(stderr, "report_gen: %s\n", why);
            return 2;
        }
    }

    rc = (argc > 3) ? after(argv[3], &chain, key) : 0;

    for (i = 0; rc == 0 && i < n; i++) {
        memset(&r, 0, sizeof(r));
        snprintf(id, sizeof(id), "req-%llu", chain.seq + 1);

        r.type = NGX_HTTP_PASSPORT_REPORT_VERDICT;
        r.request_id = (const unsigned char *) id;
        r.request_id_len = strlen(id);
        r.verdict = (chain.seq % 2) ? NGX_HTTP_PASSPORT_VERDICT_FLAG
                                    : NGX_HTTP_PASSPORT_VERDICT_BLOCK;
        r.mode = (chain.seq % 5 == 4) ? NGX_HTTP_PASSPORT_MODE_MONITOR
                                      : NGX_HTTP_PASSPORT_MODE_ENFORCE;
        r.seller = (chain.seq % 4 == 3) ? NULL
                   : (const unsigned char *) "0100109106";
        r.seller_len = r.seller ? 10 : 0;
        r.reasons = gen_both;
        r.nreasons = 2;
        r.items = gen_items;
        r.nitems = (chain.seq + 1) % 3;
        r.method = (const unsigned char *) "POST";
        r.method_len = 4;
        r.uri = (const unsigned char *) "/api/listings?draft=1";
        r.uri_len = strlen((const char *) r.uri);

        rc = put(&r, &chain, key);
    }

    EVP_PKEY_free(key);

    if (rc != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "report_gen: failed\n");
        return 2;
    }

    return 0;
}
