
/*
 * Copyright (C) passport developers
 */


#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "passport_ids.h"


#define NGX_HTTP_PASSPORT_GS          0x1d
#define NGX_HTTP_PASSPORT_MAX_ELEMS   32
#define NGX_HTTP_PASSPORT_MAX_VALUE   96     /* > longest AI value (90) */
#define NGX_HTTP_PASSPORT_MAX_SEGS    64

/* how values are written: as is, with %XX (Digital Link), with \( */
#define NGX_HTTP_PASSPORT_RAW         0
#define NGX_HTTP_PASSPORT_PCT         1
#define NGX_HTTP_PASSPORT_BRACKET     2

#define ngx_http_passport_alnum(c)                                            \
    (ngx_http_passport_digit(c) || ngx_http_passport_upper(c)                 \
     || ngx_http_passport_lower(c))
#define ngx_http_passport_unreserved(c)                                       \
    (ngx_http_passport_alnum(c) || (c) == '-' || (c) == '.' || (c) == '_'     \
     || (c) == '~')
#define ngx_http_passport_nelts(a)    (sizeof(a) / sizeof(a[0]))


/*
 * A GS1 Application Identifier.  flags: 'k' Digital Link primary key,
 * 'q' key qualifier, 'm' measure (two more digits, 31nn-36nn).  lint: 0
 * for GS1 CSET 82, else digits: 'n' plain, 'c' GS1 check digit, 'd'
 * yymmdd, '0' yymmd0 (day 00 allowed), 't' yymmddhhmm, 'i' ISO 3166-1
 * numeric, 'l' one to five of them, 'g' a zero then a 13-digit check
 * digit.  part: a second part of the value, after a fixed first part.
 */

typedef struct {
    char                            ai[5];
    char                            flags;
    unsigned char                   req;    /* ngx_http_passport_reqs[] */
    char                            lint;
    unsigned char                   min;
    unsigned char                   max;
    unsigned char                   part;   /* ngx_http_passport_parts[] */
} ngx_http_passport_ai_t;


typedef struct {
    char                            cs;
    unsigned char                   min;
    unsigned char                   max;
} ngx_http_passport_part_t;


typedef struct {
    const ngx_http_passport_ai_t   *def;
    char                            ai[5];
    const unsigned char            *v;
    size_t                          len;
    const unsigned char            *at;     /* in the input */
} ngx_http_passport_elem_t;


typedef struct {
    ngx_http_passport_code_t       *out;
    const unsigned char            *base;
    const unsigned char            *end;
    long                            today;
    long                            date;
    int                             mode;
    int                             struct_ok;
    size_t                          n;
    size_t                          used;
    ngx_http_passport_elem_t        elem[NGX_HTTP_PASSPORT_MAX_ELEMS];
    unsigned char                   buf[(NGX_HTTP_PASSPORT_MAX_ELEMS + 1)
                                        * NGX_HTTP_PASSPORT_MAX_VALUE];
} ngx_http_passport_ctx_t;


/* the segments of a Digital Link path */
typedef struct {
    size_t                          n;
    const unsigned char            *sp[NGX_HTTP_PASSPORT_MAX_SEGS];
    size_t                          sl[NGX_HTTP_PASSPORT_MAX_SEGS];
} ngx_http_passport_dl_path_t;


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

/*
 * AI length by its first two digits (the character modulo 16); a letter
 * marks a predefined length: no FNC1 separator is needed after the value.
 */
static const char  ngx_http_passport_prefix[] =
    "BBBBB22222" "2BBBBBBBBB" "B223333333" "2DDDDDD244" "3C34444444"
    "4444444444" "4444444444" "4344444444" "4444444444" "2222222222";

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


static int
ngx_http_passport_hex(unsigned char c)
{
    if (ngx_http_passport_digit(c)) {
        return c - '0';
    }

    c |= 0x20;

    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}


/* up to 4 characters; those that cannot be shown become '?' */
static void
ngx_http_passport_set_ai(char *dst, const unsigned char *p, size_t n)
{
    size_t  i;

    for (i = 0; i < n && i < 4; i++) {
        dst[i] = (p[i] > 0x20 && p[i] < 0x7f) ? (char) p[i] : '?';
    }

    dst[i] = '\0';
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


/* trace codes */

static int
ngx_http_passport_fail(ngx_http_passport_ctx_t *ctx, int err, const char *ai,
    const unsigned char *at)
{
    if (ai != NULL) {
        ngx_http_passport_set_ai(ctx->out->ai, (const unsigned char *) ai,
                                 strlen(ai));
    }

    ctx->out->pos = at ? (size_t) (at - ctx->base) : 0;

    return ctx->out->err = err;
}


/* the AI at p: exactly len characters, or a prefix of them */
static const ngx_http_passport_ai_t *
ngx_http_passport_ai_find(const unsigned char *p, size_t len, int exact)
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
        && ngx_http_passport_hex(p[1]) >= 0
        && ngx_http_passport_hex(p[2]) >= 0)
    {
        *c = (unsigned char) (ngx_http_passport_hex(p[1]) * 16
                              + ngx_http_passport_hex(p[2]));
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
        return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_AI_LENGTH, ai,
                                      raw);
    }

    /* p follows v in the input, to tell where a bad character is */

    for (i = 0, p = raw; i < len; i++) {
        if (!ngx_http_passport_cset(i < def->max ? def->lint : part->cs, v[i]))
        {
            return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_AI_CHARSET,
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


/* validates an AI value and stores it; identical repeats are dropped */
static int
ngx_http_passport_add(ngx_http_passport_ctx_t *ctx,
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
            return NGX_HTTP_PASSPORT_ID_OK;
        case -1:
            err = NGX_HTTP_PASSPORT_ID_AI_DUPLICATE;
        }
    }

    if (err == NGX_HTTP_PASSPORT_ID_OK && ctx->n == NGX_HTTP_PASSPORT_MAX_ELEMS)
    {
        err = NGX_HTTP_PASSPORT_ID_TOO_LONG;
    }

    if (err != NGX_HTTP_PASSPORT_ID_OK) {
        return ngx_http_passport_fail(ctx, err, ai, raw);
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
static int
ngx_http_passport_value(ngx_http_passport_ctx_t *ctx,
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
        return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_TOO_LONG, NULL,
                                      raw);
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

    rc = ngx_http_passport_add(ctx, def, ai, d, len, raw);

    if (ctx->n == n) {
        ctx->used = used;
    }

    return rc;
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


/* pairing rules, primary key and canonical form */
static int
ngx_http_passport_finish(ngx_http_passport_ctx_t *ctx)
{
    int                        rc;
    size_t                     i, j;
    const char               (*r)[5];
    ngx_http_passport_elem_t  *e, *key;
    ngx_http_passport_code_t  *out;

    out = ctx->out;

    for (i = 0; i < ctx->n; i++) {
        e = &ctx->elem[i];
        r = ngx_http_passport_reqs[e->def->req];

        for (j = 0; r[0][0] != '\0' && j < 5; j++) {
            if (ngx_http_passport_elem(ctx, r[j]) != NULL) {
                break;
            }
        }

        if (j == 5) {
            strcpy(out->ai2, r[0]);
            return ngx_http_passport_fail(ctx,
                                          NGX_HTTP_PASSPORT_ID_AI_REQUIRES,
                                          e->ai, e->at);
        }
    }

    for (i = 0; i < ngx_http_passport_nelts(ngx_http_passport_excl); i++) {
        e = ngx_http_passport_elem(ctx, ngx_http_passport_excl[i][0]);
        key = ngx_http_passport_elem(ctx, ngx_http_passport_excl[i][1]);

        if (e != NULL && key != NULL) {
            strcpy(out->ai2, key->ai);
            return ngx_http_passport_fail(ctx,
                                          NGX_HTTP_PASSPORT_ID_AI_EXCLUDES,
                                          e->ai, key->at);
        }
    }

    for (key = NULL, i = 0;
         key == NULL && i < ngx_http_passport_nelts(ngx_http_passport_keys);
         i++)
    {
        key = ngx_http_passport_elem(ctx, ngx_http_passport_keys[i]);
    }

    if (key == NULL) {
        return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_NO_KEY, NULL,
                                      NULL);
    }

    rc = ngx_http_passport_canon(out, key);

    for (i = 0; i < ngx_http_passport_nelts(ngx_http_passport_quals); i++) {
        for (j = 1; strcmp(ngx_http_passport_quals[i][0], key->ai) == 0
                    && rc == NGX_HTTP_PASSPORT_ID_OK && j < 5; j++)
        {
            e = ngx_http_passport_elem(ctx, ngx_http_passport_quals[i][j]);
            rc = e ? ngx_http_passport_canon(out, e) : rc;
        }
    }

    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        out->len = 0;
        out->canon[0] = '\0';
        return ngx_http_passport_fail(ctx, rc, NULL, NULL);
    }

    if (strcmp(key->ai, "01") == 0) {
        memcpy(out->gtin, key->v, 14);
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


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
        def = ngx_http_passport_ai_find(p, end - p, 0);

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
            ngx_http_passport_set_ai(ai, p, (w > n && n >= 2) ? n : w);

            return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_UNKNOWN_AI,
                                          ai, p);
        }

        w = strlen(def->ai) + (def->flags == 'm' ? 2 : 0);
        ngx_http_passport_set_ai(ai, p, w);
        p += w;
        n = ngx_http_passport_prefix[(ai[0] - '0') * 10 + ai[1] - '0'] >= 'A'
            ? (size_t) def->max + ngx_http_passport_parts[def->part].max
            : (size_t) -1;

        for (q = p; q < end && (size_t) (q - p) < n
                    && *q != NGX_HTTP_PASSPORT_GS; q++)
        {
            /* void */
        }

        rc = ngx_http_passport_add(ctx, def, ai, p, q - p, p);

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

    return ngx_http_passport_finish(ctx);
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

        ngx_http_passport_set_ai(ai, p + 1, q - p - 1);
        def = (q < end && *q == ')')
              ? ngx_http_passport_ai_find(p + 1, q - p - 1, 1) : NULL;

        if (def == NULL) {
            return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_UNKNOWN_AI,
                                          ai, p);
        }

        for (v = ++q; q < end && *q != '('; q++) {
            q += (*q == '\\' && q + 1 < end && q[1] == '(');
        }

        rc = ngx_http_passport_value(ctx, def, ai, v, q - v);
        if (rc != NGX_HTTP_PASSPORT_ID_OK) {
            return rc;
        }

        p = q;
    }

    return ngx_http_passport_finish(ctx);
}


/* allowed in a URI host (with port), or in its path and query */
static int
ngx_http_passport_uri_char(unsigned char c, int host)
{
    return ngx_http_passport_alnum(c)
           || (c != '\0'
               && strchr(host ? "-._~:[]" : "-._~!$&'()*+,;=:@/?", c));
}


/* place of a qualifier of the key in the path, -1 if none */
static int
ngx_http_passport_qual(const char *key, const unsigned char *p, size_t len)
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
        return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_DL_SYNTAX,
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
        if (*q == '%' && (end - q < 3 || ngx_http_passport_hex(q[1]) < 0
                          || ngx_http_passport_hex(q[2]) < 0))
        {
            return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_PERCENT,
                                          NULL, q);
        }

        if (*q != '%' && !ngx_http_passport_uri_char(*q, 0)) {
            return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_DL_SYNTAX,
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

    for (n = 0; p < end; n++) {
        if (n == NGX_HTTP_PASSPORT_MAX_SEGS) {
            return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_TOO_LONG,
                                          NULL, p);
        }

        for (path->sp[n] = ++p; p < end && *p != '/'; p++) {
            /* void */
        }

        path->sl[n] = p - path->sp[n];
    }

    path->n = n;

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* the rightmost key followed only by "/AI/value" pairs, -1 if none */
static int
ngx_http_passport_dl_key(const ngx_http_passport_dl_path_t *path)
{
    int                            k;
    const ngx_http_passport_ai_t  *def;

    for (k = (int) path->n - 2; k >= 0; k -= 2) {
        def = ngx_http_passport_ai_find(path->sp[k], path->sl[k], 1);

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

    def = ngx_http_passport_ai_find(p, len, 1);

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
            return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_DL_SYNTAX,
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
    int                    rc, i, last, idx;
    char                   ai[5], key[5];
    size_t                 len;
    const unsigned char   *p;

    ngx_http_passport_set_ai(key, path->sp[k], path->sl[k]);

    for (last = -1, i = k; i < (int) path->n; i += 2) {
        p = path->sp[i];
        len = path->sl[i];
        idx = (i == k) ? -1 : ngx_http_passport_qual(key, p, len);

        if (i > k && idx <= last) {
            return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_DL_SYNTAX,
                                          NULL, p);
        }

        last = idx;
        ngx_http_passport_set_ai(ai, p, len);

        rc = ngx_http_passport_value(ctx,
                                     ngx_http_passport_ai_find(p, len, 1),
                                     ai, path->sp[i + 1], path->sl[i + 1]);
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

        ngx_http_passport_set_ai(ai, p, n);
        def = ngx_http_passport_ai_find(p, n, 1);

        if (def == NULL) {
            return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_UNKNOWN_AI,
                                          ai, p);
        }

        if (def->flags == 'k' || def->flags == 'q' || eq == NULL
            || eq + 1 == q)
        {
            return ngx_http_passport_fail(ctx, NGX_HTTP_PASSPORT_ID_DL_SYNTAX,
                                          ai, p);
        }

        rc = ngx_http_passport_value(ctx, def, ai, eq + 1, q - eq - 1);
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
static int
ngx_http_passport_dl(ngx_http_passport_ctx_t *ctx, const unsigned char *p,
    const unsigned char *end)
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

    return ngx_http_passport_finish(ctx);
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

    rc = ngx_http_passport_add(ctx, &ngx_http_passport_ais[1] /* 01 */, "01",
                               ctx->buf, 14, p);
    if (rc != NGX_HTTP_PASSPORT_ID_OK) {
        return rc;
    }

    return ngx_http_passport_finish(ctx);
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
        rc = ngx_http_passport_dl(&ctx, p + n, ctx.end);

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
