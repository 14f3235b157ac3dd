
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_POINTER_H_INCLUDED_
#define _PASSPORT_POINTER_H_INCLUDED_


/*
 * JSON Pointers (RFC 6901): parsed once, resolved against each document.
 *
 * Pure C, no nginx dependency (unit-tested in t/unit/test_pointer.c).
 */


#include <stddef.h>

#include <jansson.h>


#define NGX_HTTP_PASSPORT_POINTER_OK        0
#define NGX_HTTP_PASSPORT_POINTER_NO_SLASH  1   /* neither "" nor "/..." */
#define NGX_HTTP_PASSPORT_POINTER_ESCAPE    2   /* "~" not before 0 or 1 */


/* a reference token, unescaped: "~1" is "/", "~0" is "~" */
typedef struct {
    const unsigned char  *data;
    size_t                len;
} ngx_http_passport_ref_t;


/* the number of reference tokens of a pointer, that is of its "/" */
size_t ngx_http_passport_pointer_ntokens(const unsigned char *text,
    size_t len);

/*
 * Splits and unescapes a pointer into tokens[] (ntokens of them) and buf
 * (len bytes), which the tokens point into.  Returns POINTER_OK or the
 * error.
 */
int ngx_http_passport_pointer_parse(const unsigned char *text, size_t len,
    ngx_http_passport_ref_t *tokens, unsigned char *buf);

/*
 * The value the tokens point to in v, or NULL.  An array index is decimal
 * without a leading zero; "-" (past the end) is never there.
 */
json_t *ngx_http_passport_pointer_resolve(json_t *v,
    const ngx_http_passport_ref_t *tokens, size_t ntokens);


#endif /* _PASSPORT_POINTER_H_INCLUDED_ */
