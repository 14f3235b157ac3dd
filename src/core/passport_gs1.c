
/*
 * Copyright (C) passport developers
 */


/*
 * GS1 Application Identifiers: the table, and the rules of each value:
 * length, characters, check digit, date, countries.  Part of the trace
 * code parser (passport_gs1_int.h).  Pure C, no nginx dependency.
 */


#include <string.h>

#include "passport_gs1_int.h"


typedef struct {
    char                            cs;
    unsigned char                   min;
    unsigned char                   max;
} ngx_http_passport_part_t;


/* GS1 Barcode Syntax Dictionary, in part; no AI is a prefix of another */
static const ngx_http_passport_ai_t  ngx_http_passport_ais[] = {
    { "00", 'k', 0, 'c', 18, 18, 0 },   { "01", 'k', 0, 'c', 14, 14, 0 },
    { "02", 0, 0, 'c', 14, 14, 0 },     { "03", 0, 0, 'c', 14, 14, 0 },
    { "10", 'q', 1, 0, 1, 20, 0 },      { "11", 0, 1, '0', 6, 6, 0 },
    { "12", 0, 1, '0', 6, 6, 0 },       { "13", 0, 1, '0', 6, 6, 0 },
    { "15", 0, 1, '0', 6, 6, 0 },       { "16", 0, 1, '0', 6, 6, 0 },
    { "17", 0, 1, '0', 6, 6, 0 },       { "20", 0, 1, 'n', 2, 2, 0 },
    { "21", 'q', 2, 0, 1, 20, 0 },      { "22", 'q', 1, 0, 1, 20, 0 },
    { "235", 'q', 3, 0, 1, 28, 0 },     { "240", 0, 1, 0, 1, 30, 0 },
    { "241", 0, 1, 0, 1, 30, 0 },       { "242", 0, 1, 'n', 1, 6, 0 },
    { "243", 0, 1, 0, 1, 20, 0 },       { "250", 0, 1, 0, 1, 30, 0 },
    { "251", 0, 1, 0, 1, 30, 0 },       { "254", 'q', 5, 0, 1, 20, 0 },
    { "253", 0, 0, 'c', 13, 13, 1 },    { "255", 0, 0, 'c', 13, 13, 2 },
    { "30", 0, 1, 'n', 1, 8, 0 },       { "31", 'm', 1, 'n', 6, 6, 0 },
    { "32", 'm', 1, 'n', 6, 6, 0 },     { "33", 'm', 1, 'n', 6, 6, 0 },
    { "34", 'm', 1, 'n', 6, 6, 0 },     { "35", 'm', 1, 'n', 6, 6, 0 },
    { "36", 'm', 1, 'n', 6, 6, 0 },     { "37", 0, 4, 'n', 1, 8, 0 },
    { "400", 0, 0, 0, 1, 30, 0 },       { "401", 0, 0, 0, 1, 30, 0 },
    { "402", 0, 0, 'c', 17, 17, 0 },    { "403", 0, 0, 0, 1, 30, 0 },
    { "410", 0, 0, 'c', 13, 13, 0 },    { "411", 0, 0, 'c', 13, 13, 0 },
    { "412", 0, 0, 'c', 13, 13, 0 },    { "413", 0, 0, 'c', 13, 13, 0 },
    { "414", 'k', 0, 'c', 13, 13, 0 },  { "415", 0, 0, 'c', 13, 13, 0 },
    { "416", 0, 0, 'c', 13, 13, 0 },    { "417", 'k', 0, 'c', 13, 13, 0 },
    { "420", 0, 0, 0, 1, 20, 0 },       { "422", 0, 1, 'i', 3, 3, 0 },
    { "421", 0, 0, 'i', 3, 3, 3 },      { "423", 0, 1, 'l', 3, 15, 0 },
    { "424", 0, 1, 'i', 3, 3, 0 },      { "425", 0, 1, 'l', 3, 15, 0 },
    { "426", 0, 1, 'i', 3, 3, 0 },      { "427", 0, 1, 0, 1, 3, 0 },
    { "7001", 0, 1, 'n', 13, 13, 0 },   { "7002", 0, 1, 0, 1, 30, 0 },
    { "7003", 0, 1, 't', 10, 10, 0 },   { "7004", 0, 1, 'n', 1, 4, 0 },
    { "7006", 0, 1, 'd', 6, 6, 0 },     { "8001", 0, 1, 'n', 14, 14, 0 },
    { "8002", 0, 0, 0, 1, 20, 0 },      { "8003", 'k', 0, 'g', 14, 14, 4 },
    { "8004", 'k', 0, 0, 1, 30, 0 },    { "8005", 0, 1, 'n', 6, 6, 0 },
    { "8006", 'k', 0, 'c', 14, 14, 5 }, { "8026", 0, 0, 'c', 14, 14, 5 },
    { "8007", 0, 0, 0, 1, 34, 0 },      { "8010", 'k', 0, 0, 1, 30, 0 },
    { "8012", 0, 0, 0, 1, 20, 0 },      { "8017", 'k', 0, 'c', 18, 18, 0 },
    { "8018", 'k', 0, 'c', 18, 18, 0 }, { "8020", 0, 0, 0, 1, 25, 0 },
    { "8200", 0, 0, 0, 1, 70, 0 },      { "90", 0, 0, 0, 1, 30, 0 },
    { "91", 0, 0, 0, 1, 90, 0 },        { "92", 0, 0, 0, 1, 90, 0 },
    { "93", 0, 0, 0, 1, 90, 0 },        { "94", 0, 0, 0, 1, 90, 0 },
    { "95", 0, 0, 0, 1, 90, 0 },        { "96", 0, 0, 0, 1, 90, 0 },
    { "97", 0, 0, 0, 1, 90, 0 },        { "98", 0, 0, 0, 1, 90, 0 },
    { "99", 0, 0, 0, 1, 90, 0 },
};

/* second parts of values: charset, min and max length */
static const ngx_http_passport_part_t  ngx_http_passport_parts[] = {
    { 0, 0, 0 }, { 'X', 0, 17 }, { 'N', 0, 12 }, { 'X', 1, 9 }, { 'X', 0, 16 },
    { 'N', 4, 4 },
};


/* the entry of AI 01 in ngx_http_passport_ais[] */
const ngx_http_passport_ai_t *const  ngx_http_passport_gs1_gtin =
    &ngx_http_passport_ais[1];


const ngx_http_passport_ai_t *
ngx_http_passport_gs1_ai_find(const unsigned char *p, size_t len, int exact)
{
    size_t                         i, l, w;
    const ngx_http_passport_ai_t  *d;

    for (i = 0; i < ngx_http_passport_nelts(ngx_http_passport_ais); i++) {
        d = &ngx_http_passport_ais[i];
        l = strlen(d->ai);
        w = l + (d->flags == 'm' ? 2 : 0);

        if (len >= w && (!exact || len == w) && memcmp(p, d->ai, l) == 0
            && ngx_http_passport_digits(p + l, w - l))
        {
            return d;
        }
    }

    return NULL;
}


size_t
ngx_http_passport_gs1_ai_max(const ngx_http_passport_ai_t *def)
{
    return (size_t) def->max + ngx_http_passport_parts[def->part].max;
}


int
ngx_http_passport_gs1_check_digit(const unsigned char *s, size_t len)
{
    int  sum, w;

    if (s == NULL && len > 0) {
        return -1;
    }

    /* weights 3, 1, 3, ... from the rightmost digit */

    for (sum = 0, w = 3; len > 0; len--, w = 4 - w) {
        if (!ngx_http_passport_digit(s[len - 1])) {
            return -1;
        }

        sum = (sum + (s[len - 1] - '0') * w) % 10;
    }

    return (10 - sum) % 10;
}


int
ngx_http_passport_gs1_hex(unsigned char c)
{
    if (ngx_http_passport_digit(c)) {
        return c - '0';
    }

    c |= 0x20;

    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}


void
ngx_http_passport_gs1_set_ai(char *dst, const unsigned char *p, size_t n)
{
    size_t  i;

    for (i = 0; i < n && i < 4; i++) {
        dst[i] = (p[i] > 0x20 && p[i] < 0x7f) ? (char) p[i] : '?';
    }

    dst[i] = '\0';
}


int
ngx_http_passport_gs1_fail(ngx_http_passport_ctx_t *ctx, int err,
    const char *ai, const unsigned char *at)
{
    if (ai != NULL) {
        ngx_http_passport_gs1_set_ai(ctx->out->ai, (const unsigned char *) ai,
                                     strlen(ai));
    }

    ctx->out->pos = at ? (size_t) (at - ctx->base) : 0;

    return ctx->out->err = err;
}


/* cs: 0 or 'X' for GS1 CSET 82, anything else for digits */
static int
ngx_http_passport_cset(int cs, unsigned char c)
{
    if (ngx_http_passport_digit(c)) {
        return 1;
    }

    return (cs == 0 || cs == 'X')
           && (ngx_http_passport_alnum(c)
               || (c != '\0' && strchr("!\"%&'()*+,-./:;<=>?_", c) != NULL));
}


/* length in the input of one value character, and the character */
static size_t
ngx_http_passport_esc(int mode, const unsigned char *p, size_t len,
    unsigned char *c)
{
    if (mode == NGX_HTTP_PASSPORT_PCT && p[0] == '%' && len > 2
        && ngx_http_passport_gs1_hex(p[1]) >= 0
        && ngx_http_passport_gs1_hex(p[2]) >= 0)
    {
        *c = (unsigned char) (ngx_http_passport_gs1_hex(p[1]) * 16
                              + ngx_http_passport_gs1_hex(p[2]));
        return 3;
    }

    if (mode == NGX_HTTP_PASSPORT_BRACKET && p[0] == '\\' && len > 1
        && p[1] == '(')
    {
        *c = '(';
        return 2;
    }

    *c = p[0];

    return 1;
}


/* YYMMDD[hhmm], the year by the GS1 sliding window around "today" */
static int
ngx_http_passport_date(ngx_http_passport_ctx_t *ctx, const unsigned char *v,
    int lint)
{
    static const int  mdays[12] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    int   yy, mm, dd, dim, cy;
    long  year;

    yy = ngx_http_passport_num(v, 2);
    mm = ngx_http_passport_num(v + 2, 2);
    dd = ngx_http_passport_num(v + 4, 2);

    if (mm < 1 || mm > 12) {
        return 0;
    }

    year = (ctx->today >= 10000101 && ctx->today <= 99991231)
           ? ctx->today / 10000 : 2000;
    cy = (int) (year % 100);
    year += yy - cy;

    if (yy - cy >= 51) {
        year -= 100;

    } else if (yy - cy <= -50) {
        year += 100;
    }

    dim = mdays[mm - 1];

    if (mm == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) {
        dim = 29;
    }

    if ((dd == 0 && lint != '0') || dd > dim
        || (lint == 't' && (ngx_http_passport_num(v + 6, 2) > 23
                            || ngx_http_passport_num(v + 8, 2) > 59)))
    {
        return 0;
    }

    ctx->date = year * 10000 + mm * 100 + (dd ? dd : dim);

    return 1;
}


/* the length and characters of a value */
static int
ngx_http_passport_syntax(ngx_http_passport_ctx_t *ctx,
    const ngx_http_passport_ai_t *def, const char *ai, const unsigned char *v,
    size_t len, const unsigned char *raw)
{
    size_t                           i;
    unsigned char                    c;
    const unsigned char             *p;
    const ngx_http_passport_part_t  *part;

    part = &ngx_http_passport_parts[def->part];

    if (len < (size_t) def->min + part->min
        || len > (size_t) def->max + part->max)
    {
        return ngx_http_passport_gs1_fail(ctx, NGX_HTTP_PASSPORT_ID_AI_LENGTH,
                                          ai, raw);
    }

    /* p follows v in the input, to tell where a bad character is */

    for (i = 0, p = raw; i < len; i++) {
        if (!ngx_http_passport_cset(i < def->max ? def->lint : part->cs, v[i]))
        {
            return ngx_http_passport_gs1_fail(ctx,
                                              NGX_HTTP_PASSPORT_ID_AI_CHARSET,
                                              ai, p);
        }

        if (p < ctx->end) {
            p += ngx_http_passport_esc(ctx->mode, p, ctx->end - p, &c);
        }
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* what def->lint asks of a value: a check digit, a date, countries */
static int
ngx_http_passport_lint(ngx_http_passport_ctx_t *ctx,
    const ngx_http_passport_ai_t *def, const unsigned char *v, size_t len)
{
    int     err, cd;
    size_t  i, n;

    err = NGX_HTTP_PASSPORT_ID_OK;
    n = def->part ? def->max : len;

    switch (def->lint) {

    case 'g':
        if (v[0] != '0') {
            return NGX_HTTP_PASSPORT_ID_AI_CHARSET;
        }

        /* fall through */

    case 'c':
        i = (def->lint == 'g');
        cd = ngx_http_passport_gs1_check_digit(v + i, n - i - 1);

        if (cd != v[n - 1] - '0') {
            ctx->out->expected = cd;
            ctx->out->found = v[n - 1] - '0';
            err = NGX_HTTP_PASSPORT_ID_CHECK_DIGIT;
        }

        break;

    case 'd':
    case '0':
    case 't':
        if (!ngx_http_passport_date(ctx, v, def->lint)) {
            err = NGX_HTTP_PASSPORT_ID_AI_DATE;
        }

        break;

    case 'i':
    case 'l':
        for (i = 0; i < n && err == NGX_HTTP_PASSPORT_ID_OK; i += 3) {
            err = (n % 3) ? NGX_HTTP_PASSPORT_ID_AI_LENGTH
                  : (ngx_http_passport_country(v + i, 3) < 0)
                  ? NGX_HTTP_PASSPORT_ID_AI_COUNTRY : err;
        }
    }

    return err;
}


/* 1: the same value was given before, 0: the AI is new, -1: it is not */
static int
ngx_http_passport_repeat(ngx_http_passport_ctx_t *ctx, const char *ai,
    const unsigned char *v, size_t len)
{
    size_t                     i;
    ngx_http_passport_elem_t  *e;

    for (i = 0; i < ctx->n; i++) {
        e = &ctx->elem[i];

        if (strcmp(e->ai, ai) == 0) {
            return (e->len == len && memcmp(e->v, v, len) == 0) ? 1 : -1;
        }
    }

    return 0;
}


/*
 * validates an AI value and stores it; identical repeats are dropped, but
 * in a Digital Link
 */
int
ngx_http_passport_gs1_add(ngx_http_passport_ctx_t *ctx,
    const ngx_http_passport_ai_t *def, const char *ai, const unsigned char *v,
    size_t len, const unsigned char *raw)
{
    int                        err;
    ngx_http_passport_elem_t  *e;
    ngx_http_passport_code_t  *out;

    out = ctx->out;
    ctx->struct_ok = 0;

    err = ngx_http_passport_syntax(ctx, def, ai, v, len, raw);
    if (err != NGX_HTTP_PASSPORT_ID_OK) {
        return err;
    }

    ctx->struct_ok = 1;
    err = ngx_http_passport_lint(ctx, def, v, len);

    if (err == NGX_HTTP_PASSPORT_ID_OK) {
        switch (ngx_http_passport_repeat(ctx, ai, v, len)) {
        case 1:
            /*
             * An element string may repeat an AI with the same value
             * (GS1 General Specifications); a Digital Link names each
             * AI once (GS1 Digital Link URI syntax), whatever the value.
             */
            if (ctx->mode != NGX_HTTP_PASSPORT_PCT) {
                return NGX_HTTP_PASSPORT_ID_OK;
            }
            err = NGX_HTTP_PASSPORT_ID_AI_REPEATED;
            break;
        case -1:
            err = NGX_HTTP_PASSPORT_ID_AI_DUPLICATE;
        }
    }

    if (err == NGX_HTTP_PASSPORT_ID_OK && ctx->n == NGX_HTTP_PASSPORT_MAX_ELEMS)
    {
        err = NGX_HTTP_PASSPORT_ID_TOO_LONG;
    }

    if (err != NGX_HTTP_PASSPORT_ID_OK) {
        return ngx_http_passport_gs1_fail(ctx, err, ai, raw);
    }

    e = &ctx->elem[ctx->n++];
    e->def = def;
    memcpy(e->ai, ai, strlen(ai) + 1);
    e->v = v;
    e->len = len;
    e->at = raw;

    if (strcmp(ai, "17") == 0) {
        out->has_expiry = 1;
        out->expiry = ctx->date;

    } else if (strcmp(ai, "422") == 0) {
        out->has_origin = 1;
        out->origin = ngx_http_passport_num(v, 3);
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* decodes an escaped value into the scratch buffer, then adds it */
int
ngx_http_passport_gs1_value(ngx_http_passport_ctx_t *ctx,
    const ngx_http_passport_ai_t *def, const char *ai,
    const unsigned char *raw, size_t rawlen)
{
    int             rc;
    size_t          used, n, len, i;
    unsigned char   c, *d;

    used = ctx->used;
    n = ctx->n;
    d = ctx->buf + used;

    if (sizeof(ctx->buf) - used < NGX_HTTP_PASSPORT_MAX_VALUE) {
        return ngx_http_passport_gs1_fail(ctx, NGX_HTTP_PASSPORT_ID_TOO_LONG,
                                          NULL, raw);
    }

    for (i = 0, len = 0; i < rawlen; len++) {
        i += ngx_http_passport_esc(ctx->mode, raw + i, rawlen - i, &c);

        if (len < NGX_HTTP_PASSPORT_MAX_VALUE) {
            d[len] = c;
        }
    }

    /*
     * The GS1 Digital Link 1.2 grammar allows zero-suppressed GTIN-8,
     * GTIN-12 and GTIN-13 in the path: they are padded to 14 digits.
     */

    if (ctx->mode == NGX_HTTP_PASSPORT_PCT && strcmp(ai, "01") == 0
        && (len == 8 || len == 12 || len == 13)
        && ngx_http_passport_digits(d, len))
    {
        memmove(d + 14 - len, d, len);
        memset(d, '0', 14 - len);
        len = 14;
    }

    ctx->used += (len < NGX_HTTP_PASSPORT_MAX_VALUE)
                 ? len : NGX_HTTP_PASSPORT_MAX_VALUE;

    rc = ngx_http_passport_gs1_add(ctx, def, ai, d, len, raw);

    if (ctx->n == n) {
        ctx->used = used;
    }

    return rc;
}
