
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_GS1_INT_H_INCLUDED_
#define _PASSPORT_GS1_INT_H_INCLUDED_


/*
 * Private to the trace code parser, ngx_http_passport_code_parse(), which
 * is four files:
 *
 *   passport_code.c          the entry point: which form a code is written
 *                            in; element strings, bracketed or as
 *                            scanners send them (FNC1 as GS);
 *   passport_digital_link.c  GS1 Digital Link URIs;
 *   passport_gs1.c           the Application Identifier table and the
 *                            rules of each value;
 *   passport_canonical.c     the rules of the values together, the primary
 *                            key and the canonical form.
 *
 * The reader of a form finds each AI and its value in the input and hands
 * them to ngx_http_passport_gs1_add() (or to _value(), which decodes the
 * escapes of the form first), then calls ngx_http_passport_gs1_finish().
 * The first error found is recorded in ctx->out by
 * ngx_http_passport_gs1_fail() and returned all the way up.
 */


#include <stddef.h>

#include "passport_ids.h"


#define NGX_HTTP_PASSPORT_GS          0x1d
#define NGX_HTTP_PASSPORT_MAX_ELEMS   32
#define NGX_HTTP_PASSPORT_MAX_VALUE   96     /* > longest AI value (90) */

/* how values are written: as is, with %XX (Digital Link), with \( */
#define NGX_HTTP_PASSPORT_RAW         0
#define NGX_HTTP_PASSPORT_PCT         1
#define NGX_HTTP_PASSPORT_BRACKET     2

#define ngx_http_passport_alnum(c)                                            \
    (ngx_http_passport_digit(c) || ngx_http_passport_upper(c)                 \
     || ngx_http_passport_lower(c))
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
    unsigned char                   req;    /* ngx_http_passport_reqs[],
                                               passport_canonical.c */
    char                            lint;
    unsigned char                   min;
    unsigned char                   max;
    unsigned char                   part;   /* ngx_http_passport_parts[] */
} ngx_http_passport_ai_t;


/* an AI of the code and its value */
typedef struct {
    const ngx_http_passport_ai_t   *def;
    char                            ai[5];
    const unsigned char            *v;
    size_t                          len;
    const unsigned char            *at;     /* in the input */
} ngx_http_passport_elem_t;


/*
 * One parse.  The values that need no decoding point into the input, the
 * others into buf.  struct_ok: the last value added had a valid length
 * and characters (its check digit, date or countries aside).
 */
typedef struct {
    ngx_http_passport_code_t       *out;
    const unsigned char            *base;   /* the input: out->pos is from
                                               there */
    const unsigned char            *end;    /* the end of the trimmed input */
    long                            today;  /* YYYYMMDD */
    long                            date;   /* the last date validated */
    int                             mode;   /* NGX_HTTP_PASSPORT_RAW, ... */
    int                             struct_ok;
    size_t                          n;      /* elements in elem[] */
    size_t                          used;   /* bytes in buf */
    ngx_http_passport_elem_t        elem[NGX_HTTP_PASSPORT_MAX_ELEMS];
    unsigned char                   buf[(NGX_HTTP_PASSPORT_MAX_ELEMS + 1)
                                        * NGX_HTTP_PASSPORT_MAX_VALUE];
} ngx_http_passport_ctx_t;


/* passport_gs1.c */

/* AI 01, the GTIN */
extern const ngx_http_passport_ai_t *const  ngx_http_passport_gs1_gtin;

/* the AI at p: exactly len characters, or a prefix of them; NULL if none */
const ngx_http_passport_ai_t *ngx_http_passport_gs1_ai_find(
    const unsigned char *p, size_t len, int exact);

/* the longest value of an AI, its second part included */
size_t ngx_http_passport_gs1_ai_max(const ngx_http_passport_ai_t *def);

/* the value of a hexadecimal digit, -1 if c is not one */
int ngx_http_passport_gs1_hex(unsigned char c);

/* up to 4 characters; those that cannot be shown become '?' */
void ngx_http_passport_gs1_set_ai(char *dst, const unsigned char *p,
    size_t n);

/* sets out->err, ->ai (unless NULL) and ->pos (at, or 0); returns err */
int ngx_http_passport_gs1_fail(ngx_http_passport_ctx_t *ctx, int err,
    const char *ai, const unsigned char *at);

/*
 * Validates the value of an AI and stores it; identical repeats are
 * dropped.  add() takes the value v, and raw, where it is in the input;
 * value() takes the value as written and decodes it first.
 */
int ngx_http_passport_gs1_add(ngx_http_passport_ctx_t *ctx,
    const ngx_http_passport_ai_t *def, const char *ai, const unsigned char *v,
    size_t len, const unsigned char *raw);
int ngx_http_passport_gs1_value(ngx_http_passport_ctx_t *ctx,
    const ngx_http_passport_ai_t *def, const char *ai,
    const unsigned char *raw, size_t rawlen);


/* passport_canonical.c */

/* once all the values are in: pairing rules, primary key, canonical form */
int ngx_http_passport_gs1_finish(ngx_http_passport_ctx_t *ctx);

/* place of a qualifier of the key in a Digital Link path, -1 if none */
int ngx_http_passport_gs1_qual(const char *key, const unsigned char *p,
    size_t len);


/* passport_digital_link.c */

/* the URI after "http://" or "https://"; ID_SHAPE for a plain URL */
int ngx_http_passport_digital_link(ngx_http_passport_ctx_t *ctx,
    const unsigned char *p, const unsigned char *end);


#endif /* _PASSPORT_GS1_INT_H_INCLUDED_ */
