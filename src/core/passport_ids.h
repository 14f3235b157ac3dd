
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_IDS_H_INCLUDED_
#define _PASSPORT_IDS_H_INCLUDED_


/*
 * Identifier rules: seller IDs (Vietnamese tax code, citizen ID, LEI) and
 * product trace codes (GTIN, GS1 element strings, GS1 Digital Link URIs).
 *
 * Pure C, no nginx dependency, unit-tested on its own (t/unit/test_id.c).
 * Seller IDs are in passport_seller.c, trace codes in passport_code.c and
 * the files passport_gs1_int.h lists, countries in passport_country.c,
 * explanations in passport_explain.c, shared helpers in passport_ids.c.
 */


#include <stddef.h>


/* languages for human-readable explanations */
#define NGX_HTTP_PASSPORT_LANG_EN         0
#define NGX_HTTP_PASSPORT_LANG_VI         1


/* seller kinds */
#define NGX_HTTP_PASSPORT_SELLER_UNKNOWN  0
#define NGX_HTTP_PASSPORT_SELLER_TAX_CODE 1
#define NGX_HTTP_PASSPORT_SELLER_CITIZEN  2
#define NGX_HTTP_PASSPORT_SELLER_LEI      3


/* trace code forms */
#define NGX_HTTP_PASSPORT_CODE_NONE       0
#define NGX_HTTP_PASSPORT_CODE_GTIN       1
#define NGX_HTTP_PASSPORT_CODE_ELEMENTS   2
#define NGX_HTTP_PASSPORT_CODE_DL         3
#define NGX_HTTP_PASSPORT_CODE_OPAQUE     4


/* parse results (err fields); 0 is success */
#define NGX_HTTP_PASSPORT_ID_OK              0
#define NGX_HTTP_PASSPORT_ID_EMPTY           1   /* nothing after trim */
#define NGX_HTTP_PASSPORT_ID_SHAPE           2   /* no recognised form */
#define NGX_HTTP_PASSPORT_ID_CHECK_DIGIT     3   /* expected/found set */
#define NGX_HTTP_PASSPORT_ID_BRANCH          4   /* bad -NNN suffix */
#define NGX_HTTP_PASSPORT_ID_PROVINCE        5   /* citizen ID province */
#define NGX_HTTP_PASSPORT_ID_CENTURY         6   /* citizen ID 4th digit */
#define NGX_HTTP_PASSPORT_ID_NO_VALID_CODE   7   /* tax code prefix has no
                                                  valid check digit */
#define NGX_HTTP_PASSPORT_ID_UNKNOWN_AI      8   /* ai set */
#define NGX_HTTP_PASSPORT_ID_AI_LENGTH       9   /* ai set */
#define NGX_HTTP_PASSPORT_ID_AI_CHARSET     10   /* ai, pos set */
#define NGX_HTTP_PASSPORT_ID_AI_DATE        11   /* ai set */
#define NGX_HTTP_PASSPORT_ID_AI_COUNTRY     12   /* ai set */
#define NGX_HTTP_PASSPORT_ID_AI_DUPLICATE   13   /* ai set */
#define NGX_HTTP_PASSPORT_ID_AI_REQUIRES    14   /* ai needs a key it lacks */
#define NGX_HTTP_PASSPORT_ID_AI_EXCLUDES    15   /* ai, ai2 set */
#define NGX_HTTP_PASSPORT_ID_NO_KEY         16   /* no GS1 primary key */
#define NGX_HTTP_PASSPORT_ID_DL_SYNTAX      17   /* malformed DL URI */
#define NGX_HTTP_PASSPORT_ID_PERCENT        18   /* bad %XX escape */
#define NGX_HTTP_PASSPORT_ID_TOO_LONG       19
#define NGX_HTTP_PASSPORT_ID_OVERSIZE       20   /* longer than INPUT_MAX,
                                                  not looked at */
#define NGX_HTTP_PASSPORT_ID_AI_REPEATED    21   /* ai set: twice in a
                                                  Digital Link */


/*
 * No code or seller ID is looked at, matched or looked up when it is
 * longer than this, white space included.
 */
#define NGX_HTTP_PASSPORT_INPUT_MAX       512


#define NGX_HTTP_PASSPORT_SELLER_MAX      32


/* helpers shared by the identifier files */
#define ngx_http_passport_digit(c)    ((c) >= '0' && (c) <= '9')
#define ngx_http_passport_upper(c)    ((c) >= 'A' && (c) <= 'Z')
#define ngx_http_passport_lower(c)    ((c) >= 'a' && (c) <= 'z')
#define NGX_HTTP_PASSPORT_CANON_MAX       512


typedef struct {
    int            kind;        /* NGX_HTTP_PASSPORT_SELLER_* */
    int            err;         /* NGX_HTTP_PASSPORT_ID_* */
    int            expected;    /* check digit(s) for ID_CHECK_DIGIT */
    int            found;
    size_t         len;
    char           id[NGX_HTTP_PASSPORT_SELLER_MAX];   /* normalised, NUL
                                                          terminated */
} ngx_http_passport_seller_t;


typedef struct {
    int            form;        /* NGX_HTTP_PASSPORT_CODE_* */
    int            err;         /* NGX_HTTP_PASSPORT_ID_* */
    char           ai[5];       /* AI concerned by err, NUL terminated */
    char           ai2[5];
    int            expected;    /* check digit for ID_CHECK_DIGIT */
    int            found;
    size_t         pos;         /* offset in the input where err was found */

    char           gtin[15];    /* GTIN-14 when the key is AI 01 */

    int            has_expiry;  /* AI 17 present */
    long           expiry;      /* YYYYMMDD, day 00 resolved to last day */
    int            has_origin;  /* AI 422 present */
    int            origin;      /* ISO 3166-1 numeric */

    size_t         len;
    char           canon[NGX_HTTP_PASSPORT_CANON_MAX];   /* NUL terminated */
} ngx_http_passport_code_t;


/*
 * Parses a seller ID: trims ASCII white space, upper-cases, recognises
 * the form by shape and validates it.  Returns out->err.
 */
int ngx_http_passport_seller_parse(const unsigned char *s, size_t len,
    ngx_http_passport_seller_t *out);

/*
 * Parses a trace code in any GS1 form (bare GTIN, bracketed or scanned
 * element string, Digital Link URI) into its canonical form.  "today" is
 * the current date as YYYYMMDD; it resolves two-digit years with the GS1
 * sliding window.  Returns out->err; on NGX_HTTP_PASSPORT_ID_SHAPE the
 * caller may still accept the code as an opaque registry code.
 */
int ngx_http_passport_code_parse(const unsigned char *s, size_t len,
    long today, ngx_http_passport_code_t *out);

/*
 * ISO 3166-1: returns the numeric code for an alpha-2 ("VN") or numeric
 * ("704") country written in s, or -1 when it is not an assigned code.
 */
int ngx_http_passport_country(const unsigned char *s, size_t len);

/* alpha-2 code for an assigned numeric code, NULL otherwise */
const char *ngx_http_passport_country_alpha2(int numeric);

/* GS1 mod-10 check digit of the first len digits of s, -1 on non-digit */
int ngx_http_passport_gs1_check_digit(const unsigned char *s, size_t len);

/*
 * Writes a one-sentence human-readable explanation of a failed parse in
 * the given language (UTF-8, no trailing period), NUL terminated and cut
 * to fit; returns its length.
 */
size_t ngx_http_passport_seller_explain(const ngx_http_passport_seller_t *sl,
    int lang, char *buf, size_t size);
size_t ngx_http_passport_code_explain(const ngx_http_passport_code_t *code,
    int lang, char *buf, size_t size);

/* trims ASCII white space (and, if vf, VT and FF); *len is updated */
const unsigned char *ngx_http_passport_trim(const unsigned char *s,
    size_t *len, int vf);
/* all of the n bytes are digits */
int ngx_http_passport_digits(const unsigned char *p, size_t n);
/* the value of n <= 9 digits */
int ngx_http_passport_num(const unsigned char *p, size_t n);

/* "tax_code", "citizen_id", "lei" or "unknown" */
const char *ngx_http_passport_seller_kind_name(int kind);


#endif /* _PASSPORT_IDS_H_INCLUDED_ */
