
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_VERDICT_H_INCLUDED_
#define _PASSPORT_VERDICT_H_INCLUDED_


/*
 * Reasons, local verdict rules and RFC 9457 problem documents.
 *
 * Pure C, no nginx dependency (unit-tested in t/unit/test_verdict.c).
 */


#include <stdarg.h>
#include <stddef.h>

#include "passport_ids.h"
#include "passport_catalog.h"


/*
 * reason codes: a number is never reused, a new one comes last; not an
 * order of severity
 */
#define NGX_HTTP_PASSPORT_BODY_NOT_JSON          0
#define NGX_HTTP_PASSPORT_BODY_MALFORMED         1
#define NGX_HTTP_PASSPORT_TOO_MANY_ITEMS         2
#define NGX_HTTP_PASSPORT_SELLER_MISSING         3
#define NGX_HTTP_PASSPORT_SELLER_ID_INVALID      4
#define NGX_HTTP_PASSPORT_CODE_MISSING           5
#define NGX_HTTP_PASSPORT_CODE_INVALID           6
#define NGX_HTTP_PASSPORT_CODE_EXPIRED           7
#define NGX_HTTP_PASSPORT_ORIGIN_MISMATCH        8
#define NGX_HTTP_PASSPORT_SELLER_NOT_REGISTERED  9
#define NGX_HTTP_PASSPORT_SELLER_INACTIVE        10
#define NGX_HTTP_PASSPORT_CODE_NOT_REGISTERED    11
#define NGX_HTTP_PASSPORT_CODE_RECALLED          12
#define NGX_HTTP_PASSPORT_CODE_REVOKED           13
#define NGX_HTTP_PASSPORT_CODE_OWNER_MISMATCH    14
#define NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE   15
#define NGX_HTTP_PASSPORT_REGISTRY_BUSY          16
#define NGX_HTTP_PASSPORT_BODY_TOO_COMPLEX       17
#define NGX_HTTP_PASSPORT_ORIGIN_INVALID         18
#define NGX_HTTP_PASSPORT_NREASONS               19


/* modes and verdicts */
#define NGX_HTTP_PASSPORT_MODE_ENFORCE           0
#define NGX_HTTP_PASSPORT_MODE_FLAG              1
#define NGX_HTTP_PASSPORT_MODE_MONITOR           2

#define NGX_HTTP_PASSPORT_ON_ERROR_BLOCK         0
#define NGX_HTTP_PASSPORT_ON_ERROR_FLAG          1
#define NGX_HTTP_PASSPORT_ON_ERROR_PASS          2

#define NGX_HTTP_PASSPORT_VERDICT_NONE           0
#define NGX_HTTP_PASSPORT_VERDICT_PASS           1
#define NGX_HTTP_PASSPORT_VERDICT_FLAG           2
#define NGX_HTTP_PASSPORT_VERDICT_BLOCK          3


#define NGX_HTTP_PASSPORT_VALUE_MAX              256
#define NGX_HTTP_PASSPORT_DETAIL_MAX             320


typedef struct {
    int                   reason;
    const unsigned char  *pointer;     /* RFC 6901, already escaped */
    size_t                pointer_len;
    const unsigned char  *value;       /* offending value, may be NULL */
    size_t                value_len;
    const char           *cause;       /* REGISTRY_UNAVAILABLE: why, for
                                          the log, never shown to a seller */
    char                  detail[NGX_HTTP_PASSPORT_DETAIL_MAX];
} ngx_http_passport_error_t;


typedef struct {
    int                         status;
    int                         lang;
    const unsigned char        *type_base;
    size_t                      type_base_len;
    const unsigned char        *instance;
    size_t                      instance_len;

    const unsigned char        *seller;       /* normalised or as sent */
    size_t                      seller_len;
    const char                 *seller_kind;  /* NULL: no seller field */
    const char                 *seller_verdict;

    const ngx_http_passport_error_t  *errors;
    size_t                      nerrors;
} ngx_http_passport_problem_t;


/* reason table */
const char *ngx_http_passport_reason_name(int reason);
const char *ngx_http_passport_reason_slug(int reason);
const char *ngx_http_passport_reason_title(int reason, int lang);
int ngx_http_passport_reason_is_body(int reason);
int ngx_http_passport_errors_whole_body(const ngx_http_passport_error_t *errors,
    size_t n);
int ngx_http_passport_reason_status(int reason, int block_status);

/* "pass", "flag", "block" or "" */
const char *ngx_http_passport_verdict_name(int verdict);

/*
 * The verdict of a checked request with nproblems problems and
 * nunavailable lookups the registry could not answer, which count as
 * on_error (passport_on_registry_error) says.
 */
int ngx_http_passport_verdict(int mode, size_t nproblems,
    size_t nunavailable, int on_error);

/* language from an Accept-Language header value (vi or en) */
int ngx_http_passport_lang(const unsigned char *s, size_t len);

/*
 * Local rules for one item: fills "err" with the first problem of the
 * parsed code (reason and detail) and returns 1, or returns 0 when the code
 * passes.  "origin" is the claimed ISO numeric country or -1 when none was
 * claimed.
 */
int ngx_http_passport_code_rules(const ngx_http_passport_code_t *code,
    int origin, long today, int lang, ngx_http_passport_error_t *err);

/* detail of a seller ID error */
void ngx_http_passport_seller_rules(const ngx_http_passport_seller_t *sl,
    int lang, ngx_http_passport_error_t *err);

/*
 * Writes a detail sentence from a printf format chosen by language; used
 * by the callers for the problems they find themselves.  en and vi are a
 * catalog entry, NGX_HTTP_PASSPORT_MSG(NAME): both are checked against the
 * arguments.
 */
void ngx_http_passport_error_detail(ngx_http_passport_error_t *err,
    int lang, const char *en, const char *vi, ...)
    NGX_HTTP_PASSPORT_FORMAT2(3, 4, 5);
void ngx_http_passport_error_vdetail(ngx_http_passport_error_t *err,
    int lang, const char *en, const char *vi, va_list args)
    NGX_HTTP_PASSPORT_FORMAT2(3, 4, 0);

/* appends sep and a sentence to err->detail, cut to fit */
void ngx_http_passport_error_append(ngx_http_passport_error_t *err,
    int lang, const char *sep, const char *en, const char *vi, ...)
    NGX_HTTP_PASSPORT_FORMAT2(4, 5, 6);

/* a registry status ("suspended", ...) in the language, for a detail */
const char *ngx_http_passport_status_text(const char *status, int lang);

/*
 * REGISTRY_UNAVAILABLE for a seller (seller = 1) or a code the registry
 * could not answer: the detail says whether it could not be reached or
 * gave an unusable answer, and when to retry (seconds); the cause is only
 * kept in err->cause.  ngx_http_passport_cause_is_answer() tells the two
 * apart.
 */
void ngx_http_passport_registry_rules(ngx_http_passport_error_t *err,
    int lang, int seller, const char *cause, unsigned retry);
int ngx_http_passport_cause_is_answer(const char *cause);

/*
 * Problem document: the exact size of the JSON, then the writer, which
 * returns the end of what it wrote.
 */
size_t ngx_http_passport_problem_size(const ngx_http_passport_problem_t *pr);
unsigned char *ngx_http_passport_problem_write(unsigned char *p,
    const ngx_http_passport_problem_t *pr);

/* JSON string escaping (invalid UTF-8 becomes U+FFFD), cut at max bytes */
size_t ngx_http_passport_json_escape_size(const unsigned char *s,
    size_t len, size_t max);
unsigned char *ngx_http_passport_json_escape(unsigned char *p,
    const unsigned char *s, size_t len, size_t max);


#endif /* _PASSPORT_VERDICT_H_INCLUDED_ */
