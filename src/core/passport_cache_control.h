
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_CACHE_CONTROL_H_INCLUDED_
#define _PASSPORT_CACHE_CONTROL_H_INCLUDED_


/*
 * The registry's Cache-Control (RFC 9111, section 5.2): how long an
 * answer may be kept.  Only max-age, no-store and no-cache are read; any
 * other directive is skipped.
 *
 * Pure C, no nginx dependency (unit-tested in t/unit/test_cache_control.c).
 */


#include <stddef.h>


/*
 * the greatest max-age kept: a greater one counts as this (RFC 9111,
 * 1.2.2: 2^31, or the greatest integer conveniently represented)
 */
#define NGX_HTTP_PASSPORT_CC_MAX_AGE_MAX  2147483647L

/* parse results */
#define NGX_HTTP_PASSPORT_CC_OK           0
#define NGX_HTTP_PASSPORT_CC_INVALID      1   /* something was skipped */


typedef struct {
    long           max_age;     /* seconds, -1: none was given */
    int            no_store;    /* no-store or no-cache: do not keep */
} ngx_http_passport_cache_control_t;


/* no max-age, no no-store: the state before the first header */
void ngx_http_passport_cache_control_init(
    ngx_http_passport_cache_control_t *cc);

/*
 * Reads one Cache-Control field value (what follows the colon) into cc;
 * several header lines are read one after the other into the same cc.
 * Directive names are case-insensitive; max-age takes digits, as a token
 * or quoted.  A max-age that is not a number makes the answer stale
 * (max_age 0), a greater one than MAX_AGE_MAX counts as MAX_AGE_MAX, and
 * of several max-age the smallest is kept.  no-cache, with or without
 * field names, counts as no-store: answers are never revalidated.
 * Returns CC_OK, or CC_INVALID when a directive was malformed.
 */
int ngx_http_passport_cache_control_parse(const unsigned char *value,
    size_t len, ngx_http_passport_cache_control_t *cc);

/*
 * A whole header line ("Name: value", CRLF or not): when its name is
 * Cache-Control (any case) the value is read into cc and 1 is returned;
 * 0 for any other line.
 */
int ngx_http_passport_cache_control_header(const unsigned char *line,
    size_t len, ngx_http_passport_cache_control_t *cc);


#endif /* _PASSPORT_CACHE_CONTROL_H_INCLUDED_ */
