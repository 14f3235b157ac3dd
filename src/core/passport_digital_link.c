
/*
 * Copyright (C) passport developers
 */


/*
 * GS1 Digital Link URIs, read in steps: the host, the characters, the
 * path segments, the key and its qualifiers, the query.  Part of the
 * trace code parser (passport_gs1_int.h).  Pure C, no nginx dependency.
 */


#include <string.h>

#include "passport_gs1_int.h"


#define NGX_HTTP_PASSPORT_MAX_SEGS    64


/* the segments of a Digital Link path */
typedef struct {
    size_t                          n;
    const unsigned char            *sp[NGX_HTTP_PASSPORT_MAX_SEGS];
    size_t                          sl[NGX_HTTP_PASSPORT_MAX_SEGS];
} ngx_http_passport_dl_path_t;


/* allowed in a URI host (with port), or in its path and query */
static int
ngx_http_passport_uri_char(unsigned char c, int host)
{
    return ngx_http_passport_alnum(c)
           || (c != '\0'
               && strchr(host ? "-._~:[]" : "-._~!$&'()*+,;=:@/?", c));
}


/* the host, with its port: *path is set to what follows it */
static int
ngx_http_passport_dl_host(ngx_http_passport_ctx_t *ctx,
    const unsigned char *p, const unsigned char *end,
    const unsigned char **path)
{
    const unsigned char  *q;

    for (q = p; q < end && *q != '/' && *q != '?' && *q != '#'; q++) {
        if (!ngx_http_passport_uri_char(*q, 1)) {
            break;
        }
    }

    if (q == p || (q < end && *q != '/' && *q != '?' && *q != '#')) {
        return ngx_http_passport_gs1_fail(ctx, NGX_HTTP_PASSPORT_ID_DL_SYNTAX,
                                          NULL, q);
    }

    *path = q;

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* the characters of the path and query, and their %XX escapes */
static int
ngx_http_passport_dl_chars(ngx_http_passport_ctx_t *ctx,
    const unsigned char *p, const unsigned char *end)
{
    const unsigned char  *q;

    for (q = p; q < end; q++) {
        if (*q == '%' && (end - q < 3 || ngx_http_passport_gs1_hex(q[1]) < 0
                          || ngx_http_passport_gs1_hex(q[2]) < 0))
        {
            return ngx_http_passport_gs1_fail(ctx, NGX_HTTP_PASSPORT_ID_PERCENT,
                                              NULL, q);
        }

        if (*q != '%' && !ngx_http_passport_uri_char(*q, 0)) {
            return ngx_http_passport_gs1_fail(ctx,
                                              NGX_HTTP_PASSPORT_ID_DL_SYNTAX,
                                              NULL, q);
        }
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* the path segments, split before any decoding */
static int
ngx_http_passport_dl_split(ngx_http_passport_ctx_t *ctx,
    const unsigned char *p, const unsigned char *end,
    ngx_http_passport_dl_path_t *path)
{
    size_t  n;

    path->n = 0;

    while (p < end) {
        n = path->n;

        if (n == NGX_HTTP_PASSPORT_MAX_SEGS) {
            return ngx_http_passport_gs1_fail(ctx,
                                              NGX_HTTP_PASSPORT_ID_TOO_LONG,
                                              NULL, p);
        }

        for (path->sp[n] = ++p; p < end && *p != '/'; p++) {
            /* void */
        }

        path->sl[n] = p - path->sp[n];
        path->n++;
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* the rightmost key followed only by "/AI/value" pairs, -1 if none */
static int
ngx_http_passport_dl_key(const ngx_http_passport_dl_path_t *path)
{
    int                            k;
    const ngx_http_passport_ai_t  *def;

    for (k = (int) path->n - 2; k >= 0; k -= 2) {
        def = ngx_http_passport_gs1_ai_find(path->sp[k], path->sl[k], 1);

        if (def != NULL && def->flags == 'k') {
            return k;
        }

        if (path->sl[k] == 0
            || !ngx_http_passport_digits(path->sp[k], path->sl[k]))
        {
            return -1;
        }
    }

    return -1;
}


/* a primary key, or a convenience alpha ("gtin") that stands for one */
static int
ngx_http_passport_dl_is_key(const unsigned char *p, size_t len)
{
    size_t                         i;
    const ngx_http_passport_ai_t  *def;

    static const char  alphas[][6] = {
        "gtin", "sscc", "gln", "party", "grai", "giai", "itip", "cpid",
        "gsrnp", "gsrn"
    };

    for (i = 0; i < ngx_http_passport_nelts(alphas); i++) {
        if (len == strlen(alphas[i]) && memcmp(p, alphas[i], len) == 0) {
            return 1;
        }
    }

    def = ngx_http_passport_gs1_ai_find(p, len, 1);

    return def != NULL && def->flags == 'k';
}


/*
 * A path that is not a Digital Link (k < 0) must not look like one: no
 * key, nor convenience alpha, followed by something else than pairs.  In
 * one (k >= 0), no segment is empty: no "//", no trailing slash.
 */
static int
ngx_http_passport_dl_check(ngx_http_passport_ctx_t *ctx,
    const ngx_http_passport_dl_path_t *path, int k)
{
    size_t  i;

    for (i = 0; i < path->n; i++) {
        if (k >= 0 ? path->sl[i] == 0
                   : (i + 1 < path->n
                      && ngx_http_passport_dl_is_key(path->sp[i],
                                                     path->sl[i])))
        {
            return ngx_http_passport_gs1_fail(ctx,
                                              NGX_HTTP_PASSPORT_ID_DL_SYNTAX,
                                              NULL, path->sp[i]);
        }
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* the key at k and its qualifiers, in their order */
static int
ngx_http_passport_dl_pairs(ngx_http_passport_ctx_t *ctx,
    const ngx_http_passport_dl_path_t *path, int k)
{
    int                            rc, i, last, idx;
    char                           ai[5], key[5];
    size_t                         len;
    const unsigned char           *p;
    const ngx_http_passport_ai_t  *def;

    ngx_http_passport_gs1_set_ai(key, path->sp[k], path->sl[k]);

    for (last = -1, i = k; i < (int) path->n; i += 2) {
        p = path->sp[i];
        len = path->sl[i];
        idx = (i == k) ? -1 : ngx_http_passport_gs1_qual(key, p, len);

        if (i > k && idx <= last) {
            return ngx_http_passport_gs1_fail(ctx,
                                              NGX_HTTP_PASSPORT_ID_DL_SYNTAX,
                                              NULL, p);
        }

        last = idx;
        ngx_http_passport_gs1_set_ai(ai, p, len);

        def = ngx_http_passport_gs1_ai_find(p, len, 1);

        rc = ngx_http_passport_gs1_value(ctx, def, ai, path->sp[i + 1],
                                         path->sl[i + 1]);
        if (rc != NGX_HTTP_PASSPORT_ID_OK) {
            return rc;
        }
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* query: numeric keys are AIs, others (linkType, ...) are ignored */
static int
ngx_http_passport_dl_query(ngx_http_passport_ctx_t *ctx,
    const unsigned char *p, const unsigned char *end)
{
    int                            rc;
    char                           ai[5];
    size_t                         n;
    const unsigned char           *q, *eq;
    const ngx_http_passport_ai_t  *def;

    for ( /* void */ ; p < end; p = q) {
        p++;
        q = memchr(p, '&', end - p);
        q = q ? q : end;
        eq = memchr(p, '=', q - p);
        n = (eq ? eq : q) - p;

        if (n == 0 || !ngx_http_passport_digits(p, n)) {
            continue;
        }

        ngx_http_passport_gs1_set_ai(ai, p, n);
        def = ngx_http_passport_gs1_ai_find(p, n, 1);

        if (def == NULL) {
            return ngx_http_passport_gs1_fail(ctx,
                                              NGX_HTTP_PASSPORT_ID_UNKNOWN_AI,
                                              ai, p);
        }

        if (def->flags == 'k' || def->flags == 'q' || eq == NULL
            || eq + 1 == q)
        {
            return ngx_http_passport_gs1_fail(ctx,
                                              NGX_HTTP_PASSPORT_ID_DL_SYNTAX,
                                              ai, p);
        }

        rc = ngx_http_passport_gs1_value(ctx, def, ai, eq + 1, q - eq - 1);
        if (rc != NGX_HTTP_PASSPORT_ID_OK) {
            return rc;
        }
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


/*
 * GS1 Digital Link URI: any host, an optional path stem, the rightmost
 * primary key with its qualifiers, and data attributes in the query.
 */
int
ngx_http_passport_digital_link(ngx_http_passport_ctx_t *ctx,
    const unsigned char *p, const unsigned char *end)
{
    int                           rc, k;
    const unsigned char          *q, *pe;
    ngx_http_passport_dl_path_t   path;

    rc = ngx_http_passport_dl_host(ctx, p, end, &p);
    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        return rc;
    }

    /* the fragment is ignored */

    q = memchr(p, '#', end - p);
    end = q ? q : end;

    rc = ngx_http_passport_dl_chars(ctx, p, end);
    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        return rc;
    }

    pe = memchr(p, '?', end - p);
    pe = pe ? pe : end;

    rc = ngx_http_passport_dl_split(ctx, p, pe, &path);
    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        return rc;
    }

    k = ngx_http_passport_dl_key(&path);

    rc = ngx_http_passport_dl_check(ctx, &path, k);
    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        return rc;
    }

    if (k < 0) {
        /* a plain URL, not a Digital Link */
        return NGX_HTTP_PASSPORT_ID_SHAPE;
    }

    rc = ngx_http_passport_dl_pairs(ctx, &path, k);
    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        return rc;
    }

    rc = ngx_http_passport_dl_query(ctx, pe, end);
    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        return rc;
    }

    return ngx_http_passport_gs1_finish(ctx);
}
