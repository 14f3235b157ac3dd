
/*
 * Copyright (C) passport developers
 */


/*
 * A trace code as a whole, once its values are read: the AIs that require
 * or exclude others, the primary key, and the canonical form, the Digital
 * Link path of the key and its qualifiers.  Part of the trace code parser
 * (passport_gs1_int.h).  Pure C, no nginx dependency.
 */


#include <stdio.h>
#include <string.h>

#include "passport_gs1_int.h"


#define ngx_http_passport_unreserved(c)                                       \
    (ngx_http_passport_alnum(c) || (c) == '-' || (c) == '.' || (c) == '_'     \
     || (c) == '~')


/* req=: one of these AIs must be present too (row 0: no rule) */
static const char  ngx_http_passport_reqs[][5][5] = {
    { "" },
    { "01", "02", "03", "8006", "8026" },      /* 1: trade item data */
    { "01", "03", "8006" },                    /* 2: serial number */
    { "01" },                                  /* 3: TPX */
    { "02", "8026" },                          /* 4: count of items */
    { "414" },                                 /* 5: GLN extension */
};

/* ex=: AIs that cannot appear together */
static const char  ngx_http_passport_excl[][2][5] = {
    { "01", "02" }, { "01", "03" }, { "02", "03" }, { "21", "235" },
    { "422", "426" },
};

/* primary keys, in the order one is chosen when several are present */
static const char  ngx_http_passport_keys[][5] = {
    "01", "00", "8006", "8003", "8004", "414", "417", "8010", "8017", "8018"
};

/*
 * Digital Link key qualifiers in path order; the last two share a place
 * (21 or 235, as in docs/identifiers.md).
 */
static const char  ngx_http_passport_quals[][5][5] = {
    { "01", "22", "10", "21", "235" },
    { "8006", "22", "10", "21", "" },
    { "414", "254", "", "", "" },
};


int
ngx_http_passport_gs1_qual(const char *key, const unsigned char *p, size_t len)
{
    size_t       i, j;
    const char  *q;

    for (i = 0; i < ngx_http_passport_nelts(ngx_http_passport_quals); i++) {
        for (j = 1; strcmp(ngx_http_passport_quals[i][0], key) == 0 && j < 5;
             j++)
        {
            q = ngx_http_passport_quals[i][j];

            if (q[0] != '\0' && strlen(q) == len && memcmp(q, p, len) == 0) {
                return (int) (j < 4 ? j : 3);
            }
        }
    }

    return -1;
}


static ngx_http_passport_elem_t *
ngx_http_passport_elem(ngx_http_passport_ctx_t *ctx, const char *ai)
{
    size_t  i;

    for (i = 0; ai[0] != '\0' && i < ctx->n; i++) {
        if (strcmp(ctx->elem[i].ai, ai) == 0) {
            return &ctx->elem[i];
        }
    }

    return NULL;
}


/* appends "[/]ai/value", percent-encoding the value */
static int
ngx_http_passport_canon(ngx_http_passport_code_t *out,
    const ngx_http_passport_elem_t *e)
{
    size_t          i, need;
    char           *p;
    unsigned char   c;

    need = (out->len ? 1 : 0) + strlen(e->ai) + 1;

    for (i = 0; i < e->len; i++) {
        need += ngx_http_passport_unreserved(e->v[i]) ? 1 : 3;
    }

    if (out->len + need >= NGX_HTTP_PASSPORT_CANON_MAX) {
        return NGX_HTTP_PASSPORT_ID_TOO_LONG;
    }

    p = out->canon + out->len;
    p += sprintf(p, "%s%s/", out->len ? "/" : "", e->ai);

    for (i = 0; i < e->len; i++) {
        c = e->v[i];

        if (ngx_http_passport_unreserved(c)) {
            *p++ = (char) c;

        } else {
            *p++ = '%';
            *p++ = "0123456789ABCDEF"[c >> 4];
            *p++ = "0123456789ABCDEF"[c & 0x0f];
        }
    }

    *p = '\0';
    out->len = p - out->canon;

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* each AI that requires another (req=) has one of them */
static int
ngx_http_passport_requires(ngx_http_passport_ctx_t *ctx)
{
    size_t                     i, j;
    const char               (*r)[5];
    ngx_http_passport_elem_t  *e;

    for (i = 0; i < ctx->n; i++) {
        e = &ctx->elem[i];
        r = ngx_http_passport_reqs[e->def->req];

        for (j = 0; r[0][0] != '\0' && j < 5; j++) {
            if (ngx_http_passport_elem(ctx, r[j]) != NULL) {
                break;
            }
        }

        if (j == 5) {
            strcpy(ctx->out->ai2, r[0]);
            return ngx_http_passport_gs1_fail(ctx,
                                              NGX_HTTP_PASSPORT_ID_AI_REQUIRES,
                                              e->ai, e->at);
        }
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* no two AIs that exclude each other (ex=) */
static int
ngx_http_passport_excludes(ngx_http_passport_ctx_t *ctx)
{
    size_t                     i;
    ngx_http_passport_elem_t  *e, *other;

    for (i = 0; i < ngx_http_passport_nelts(ngx_http_passport_excl); i++) {
        e = ngx_http_passport_elem(ctx, ngx_http_passport_excl[i][0]);
        other = ngx_http_passport_elem(ctx, ngx_http_passport_excl[i][1]);

        if (e != NULL && other != NULL) {
            strcpy(ctx->out->ai2, other->ai);
            return ngx_http_passport_gs1_fail(ctx,
                                              NGX_HTTP_PASSPORT_ID_AI_EXCLUDES,
                                              e->ai, other->at);
        }
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* the primary key, NULL if there is none */
static ngx_http_passport_elem_t *
ngx_http_passport_key(ngx_http_passport_ctx_t *ctx)
{
    size_t                     i;
    ngx_http_passport_elem_t  *key;

    for (key = NULL, i = 0;
         key == NULL && i < ngx_http_passport_nelts(ngx_http_passport_keys);
         i++)
    {
        key = ngx_http_passport_elem(ctx, ngx_http_passport_keys[i]);
    }

    return key;
}


/* out->canon: the key, then its qualifiers in their order */
static int
ngx_http_passport_canonical(ngx_http_passport_ctx_t *ctx,
    const ngx_http_passport_elem_t *key)
{
    int                        rc;
    size_t                     i, j;
    ngx_http_passport_elem_t  *e;

    rc = ngx_http_passport_canon(ctx->out, key);

    for (i = 0; i < ngx_http_passport_nelts(ngx_http_passport_quals); i++) {
        for (j = 1; strcmp(ngx_http_passport_quals[i][0], key->ai) == 0
                    && rc == NGX_HTTP_PASSPORT_ID_OK && j < 5; j++)
        {
            e = ngx_http_passport_elem(ctx, ngx_http_passport_quals[i][j]);
            rc = e ? ngx_http_passport_canon(ctx->out, e) : rc;
        }
    }

    return rc;
}


/* pairing rules, primary key and canonical form */
int
ngx_http_passport_gs1_finish(ngx_http_passport_ctx_t *ctx)
{
    int                        rc;
    ngx_http_passport_elem_t  *key;
    ngx_http_passport_code_t  *out;

    out = ctx->out;

    rc = ngx_http_passport_requires(ctx);
    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        return rc;
    }

    rc = ngx_http_passport_excludes(ctx);
    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        return rc;
    }

    key = ngx_http_passport_key(ctx);

    if (key == NULL) {
        return ngx_http_passport_gs1_fail(ctx, NGX_HTTP_PASSPORT_ID_NO_KEY,
                                          NULL, NULL);
    }

    rc = ngx_http_passport_canonical(ctx, key);

    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        out->len = 0;
        out->canon[0] = '\0';
        return ngx_http_passport_gs1_fail(ctx, rc, NULL, NULL);
    }

    if (strcmp(key->ai, "01") == 0) {
        memcpy(out->gtin, key->v, 14);
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}
