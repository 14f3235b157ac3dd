
/*
 * Copyright (C) passport developers
 */


/*
 * Trace codes: ngx_http_passport_code_parse() finds which form a code is
 * written in and reads the element strings, bracketed or as scanners send
 * them.  The rest of the parser is described in passport_gs1_int.h.  Pure
 * C, no nginx dependency.
 */


#include <string.h>

#include "passport_gs1_int.h"


/*
 * AI length by its first two digits (the character modulo 16); a letter
 * marks a predefined length: no FNC1 separator is needed after the value.
 */
static const char  ngx_http_passport_prefix[] =
    "BBBBB22222" "2BBBBBBBBB" "B223333333" "2DDDDDD244" "3C34444444"
    "4444444444" "4444444444" "4344444444" "4444444444" "2222222222";


/* FNC1-separated element string, as scanners send it */
static int
ngx_http_passport_unbracketed(ngx_http_passport_ctx_t *ctx,
    const unsigned char *p, const unsigned char *end, int *first_key)
{
    int                            rc;
    char                           ai[5];
    size_t                         w, n;
    const unsigned char           *q;
    const ngx_http_passport_ai_t  *def;

    while (p < end) {
        def = ngx_http_passport_gs1_ai_find(p, end - p, 0);

        if (def == NULL) {
            /* name the 2 to 4 digits that were not understood */

            for (n = 0; n < 4 && p + n < end && ngx_http_passport_digit(p[n]);
                 n++)
            {
                /* void */
            }

            w = (n < 2) ? (n ? n : 1)
                : (size_t) ngx_http_passport_prefix[(p[0] - '0') * 10 + p[1]
                                                    - '0'] % 16;
            ngx_http_passport_gs1_set_ai(ai, p, (w > n && n >= 2) ? n : w);

            return ngx_http_passport_gs1_fail(ctx,
                                              NGX_HTTP_PASSPORT_ID_UNKNOWN_AI,
                                              ai, p);
        }

        w = strlen(def->ai) + (def->flags == 'm' ? 2 : 0);
        ngx_http_passport_gs1_set_ai(ai, p, w);
        p += w;
        n = ngx_http_passport_prefix[(ai[0] - '0') * 10 + ai[1] - '0'] >= 'A'
            ? ngx_http_passport_gs1_ai_max(def)
            : (size_t) -1;

        for (q = p; q < end && (size_t) (q - p) < n
                    && *q != NGX_HTTP_PASSPORT_GS; q++)
        {
            /* void */
        }

        rc = ngx_http_passport_gs1_add(ctx, def, ai, p, q - p, p);

        if (first_key != NULL) {
            *first_key = def->flags == 'k' && ctx->struct_ok;
            first_key = NULL;
        }

        if (rc != NGX_HTTP_PASSPORT_ID_OK) {
            return rc;
        }

        /* a GS ends a variable-length value, and is tolerated after others */

        p = (q < end && *q == NGX_HTTP_PASSPORT_GS) ? q + 1 : q;
    }

    return ngx_http_passport_gs1_finish(ctx);
}


/* "(01)09506000134352(10)ABC"; a '(' inside a value is written "\(" */
static int
ngx_http_passport_bracketed(ngx_http_passport_ctx_t *ctx,
    const unsigned char *p, const unsigned char *end)
{
    int                            rc;
    char                           ai[5];
    const unsigned char           *q, *v;
    const ngx_http_passport_ai_t  *def;

    while (p < end) {
        /* here *p is '(' */

        for (q = p + 1; q < end && *q != ')' && *q != '('; q++) {
            /* void */
        }

        ngx_http_passport_gs1_set_ai(ai, p + 1, q - p - 1);
        def = (q < end && *q == ')')
              ? ngx_http_passport_gs1_ai_find(p + 1, q - p - 1, 1) : NULL;

        if (def == NULL) {
            return ngx_http_passport_gs1_fail(ctx,
                                              NGX_HTTP_PASSPORT_ID_UNKNOWN_AI,
                                              ai, p);
        }

        for (v = ++q; q < end && *q != '('; q++) {
            q += (*q == '\\' && q + 1 < end && q[1] == '(');
        }

        rc = ngx_http_passport_gs1_value(ctx, def, ai, v, q - v);
        if (rc != NGX_HTTP_PASSPORT_ID_OK) {
            return rc;
        }

        p = q;
    }

    return ngx_http_passport_gs1_finish(ctx);
}


/*
 * An AIM symbology identifier ("]C1", "]d2", "]Q3", "]e0", "]E0", ...):
 * skips it and returns its letter, or 0 when there is none.
 */
static int
ngx_http_passport_symbology(const unsigned char **p, size_t *len)
{
    const unsigned char  *s;

    s = *p;

    if (*len >= 3 && s[0] == ']'
        && (ngx_http_passport_upper(s[1]) || ngx_http_passport_lower(s[1]))
        && ngx_http_passport_alnum(s[2]))
    {
        *p += 3;
        *len -= 3;
        return s[1];
    }

    return 0;
}


/* the length of "http://" or "https://", in any case, 0 for neither */
static size_t
ngx_http_passport_scheme(const unsigned char *p, size_t len)
{
    size_t  n;

    for (n = 0; n < 5 && n < len && (p[n] | 0x20) == "https"[n]; n++) {
        /* void */
    }

    if (n >= 4 && len - n >= 3 && memcmp(p + n, "://", 3) == 0) {
        return n + 3;
    }

    return 0;
}


/* a bare GTIN, also as EAN/UPC or ITF-14 scan data */
static int
ngx_http_passport_gtin(ngx_http_passport_ctx_t *ctx, const unsigned char *p,
    size_t len)
{
    int  rc;

    memset(ctx->buf, '0', 14 - len);
    memcpy(ctx->buf + 14 - len, p, len);

    rc = ngx_http_passport_gs1_add(ctx, ngx_http_passport_gs1_gtin, "01",
                                   ctx->buf, 14, p);
    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        return rc;
    }

    return ngx_http_passport_gs1_finish(ctx);
}


/*
 * An unbracketed element string.  Without a symbology identifier or a GS
 * it is taken as one only when it starts with a primary key of the right
 * length and charset, or parses fully; otherwise the caller may try it as
 * an opaque code (ID_SHAPE).
 */
static int
ngx_http_passport_scanned(ngx_http_passport_ctx_t *ctx,
    const unsigned char *p, size_t len, int sym)
{
    int  rc, evidence, first_key;

    evidence = (sym != 0 || memchr(p, NGX_HTTP_PASSPORT_GS, len) != NULL);
    p += (len > 0 && p[0] == NGX_HTTP_PASSPORT_GS);

    first_key = 0;

    rc = ngx_http_passport_unbracketed(ctx, p, ctx->end, &first_key);

    if (rc != NGX_HTTP_PASSPORT_ID_OK && !evidence && !first_key) {
        rc = NGX_HTTP_PASSPORT_ID_SHAPE;
    }

    return rc;
}


int
ngx_http_passport_code_parse(const unsigned char *s, size_t len, long today,
    ngx_http_passport_code_t *out)
{
    int                       rc, sym;
    size_t                    n;
    const unsigned char      *p;
    ngx_http_passport_ctx_t   ctx;

    memset(out, 0, sizeof(ngx_http_passport_code_t));
    memset(&ctx, 0, sizeof(ngx_http_passport_ctx_t));

    ctx.out = out;
    ctx.base = s ? s : (const unsigned char *) "";
    ctx.today = today;
    len = s ? len : 0;

    /* before anything else: an over-long code is not even trimmed */

    if (len > NGX_HTTP_PASSPORT_INPUT_MAX) {
        out->form = NGX_HTTP_PASSPORT_CODE_NONE;
        return out->err = NGX_HTTP_PASSPORT_ID_OVERSIZE;
    }

    /* spaces, tabs, CR and LF, but not GS */
    p = ngx_http_passport_trim(ctx.base, &len, 0);

    if (len == 0) {
        return out->err = NGX_HTTP_PASSPORT_ID_EMPTY;
    }

    ctx.end = p + len;
    sym = ngx_http_passport_symbology(&p, &len);
    n = ngx_http_passport_scheme(p, len);

    if (n) {
        out->form = NGX_HTTP_PASSPORT_CODE_DL;
        ctx.mode = NGX_HTTP_PASSPORT_PCT;
        rc = ngx_http_passport_digital_link(&ctx, p + n, ctx.end);

    } else if (len > 0 && p[0] == '(') {
        out->form = NGX_HTTP_PASSPORT_CODE_ELEMENTS;
        ctx.mode = NGX_HTTP_PASSPORT_BRACKET;
        rc = ngx_http_passport_bracketed(&ctx, p, ctx.end);

    } else if ((len == 8 || len == 12 || len == 13 || len == 14)
               && ngx_http_passport_digits(p, len)
               && (sym == 0 || strchr("CdQeJ", sym) == NULL))
    {
        out->form = NGX_HTTP_PASSPORT_CODE_GTIN;
        ctx.mode = NGX_HTTP_PASSPORT_RAW;
        rc = ngx_http_passport_gtin(&ctx, p, len);

    } else {
        out->form = NGX_HTTP_PASSPORT_CODE_ELEMENTS;
        ctx.mode = NGX_HTTP_PASSPORT_RAW;
        rc = ngx_http_passport_scanned(&ctx, p, len, sym);
    }

    if (rc == NGX_HTTP_PASSPORT_ID_SHAPE) {
        memset(out, 0, sizeof(ngx_http_passport_code_t));

    } else if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        /* data attributes of an invalid code are not to be used */
        out->has_expiry = 0;
        out->expiry = 0;
        out->has_origin = 0;
        out->origin = 0;
    }

    return out->err = rc;
}
