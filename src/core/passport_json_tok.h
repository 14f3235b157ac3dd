
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_JSON_TOK_H_INCLUDED_
#define _PASSPORT_JSON_TOK_H_INCLUDED_


/*
 * A listing body read in one pass into a flat array of tokens: strict
 * RFC 8259 (UTF-8, escapes and surrogate pairs, numbers that fit a
 * double, at most 2048 levels as jansson allows), duplicate keys and keys
 * holding "\u0000" refused as jansson refuses them with
 * JSON_REJECT_DUPLICATES, at most max values (counted as
 * ngx_http_passport_json_values() counts a valid text).  A text jansson
 * reads with the flags of extract.c is read here, and only such a text,
 * but for one: jansson skips a NUL byte that follows a number or a
 * literal ("1\0"), which is refused here.  fuzz/fuzz_json_tok.c compares
 * the two.
 *
 * Strings point into the text until they are asked for, and are unescaped
 * then, into memory of the caller's allocator.  Nothing is ever freed but
 * with that memory.
 *
 * Pure C, no nginx dependency (unit-tested in t/unit/test_json_tok.c).
 */


#include <stddef.h>
#include <stdint.h>

#include "passport_pointer.h"


#define NGX_HTTP_PASSPORT_JT_OBJECT  1
#define NGX_HTTP_PASSPORT_JT_ARRAY   2
#define NGX_HTTP_PASSPORT_JT_STRING  3
#define NGX_HTTP_PASSPORT_JT_NUMBER  4
#define NGX_HTTP_PASSPORT_JT_TRUE    5
#define NGX_HTTP_PASSPORT_JT_FALSE   6
#define NGX_HTTP_PASSPORT_JT_NULL    7

/* no such token */
#define NGX_HTTP_PASSPORT_JT_NONE    ((size_t) -1)

/* what ngx_http_passport_jtok_parse() returns */
#define NGX_HTTP_PASSPORT_JT_OK           0
#define NGX_HTTP_PASSPORT_JT_INVALID      1   /* not JSON we accept */
#define NGX_HTTP_PASSPORT_JT_TOO_COMPLEX  2   /* more than max values */
#define NGX_HTTP_PASSPORT_JT_NOMEM        3

/* jansson's JSON_PARSER_MAX_DEPTH: the root is at depth 1 */
#define NGX_HTTP_PASSPORT_JT_MAX_DEPTH    2048


/* a text longer than this is too complex: offsets fit in 32 bits */
#define NGX_HTTP_PASSPORT_JT_MAX_LEN      0xFFFFFFF0u


/*
 * A value, or an object's member name (a STRING before its value).  An
 * object's or array's children follow it; next is the token after its
 * last descendant, so that the children are token + 1, then each one's
 * next, size times (an object's: name, value, name, value...).  24 bytes:
 * a body of a million values takes some 30 MB of tokens.
 */
typedef struct {
    const unsigned char  *data;    /* a string's bytes (escaped while
                                      escaped is set), a number's or a
                                      literal's text, a container's "{" */
    uint32_t              len;     /* of data; a container's: its text */
    uint32_t              size;    /* an array's elements, an object's
                                      members */
    uint32_t              next;
    uint32_t              type:4;
    uint32_t              escaped:1;
} ngx_http_passport_jtok_t;


typedef void *(*ngx_http_passport_jtok_alloc_pt)(void *data, size_t size);

/* gives back the token array outgrown (may be NULL: nothing given back) */
typedef void (*ngx_http_passport_jtok_free_pt)(void *data, void *p);


typedef struct {
    ngx_http_passport_jtok_t         *tok;
    size_t                            ntok;
    size_t                            nalloc;
    size_t                            values;
    size_t                            error;   /* JT_INVALID: where */
    ngx_http_passport_jtok_alloc_pt   alloc;
    ngx_http_passport_jtok_free_pt    free;
    void                             *alloc_data;
} ngx_http_passport_jtok_doc_t;


/*
 * Parses p into doc (alloc, free and alloc_data set by the caller, the
 * rest is set here); the root, when JT_OK, is token 0.  A text of
 * JT_MAX_LEN bytes or more is JT_TOO_COMPLEX.
 */
int ngx_http_passport_jtok_parse(ngx_http_passport_jtok_doc_t *doc,
    const unsigned char *p, size_t len, size_t max);

/* the value of the member name of object i, or JT_NONE */
size_t ngx_http_passport_jtok_member(ngx_http_passport_jtok_doc_t *doc,
    size_t i, const unsigned char *name, size_t len);

/* element n of array i, or JT_NONE */
size_t ngx_http_passport_jtok_element(ngx_http_passport_jtok_doc_t *doc,
    size_t i, size_t n);

/* the string i unescaped (once: then kept); -1 when out of memory */
int ngx_http_passport_jtok_string(ngx_http_passport_jtok_doc_t *doc,
    size_t i, const unsigned char **data, size_t *len);

/* the number i as strtod() reads it (it fits: the parser checked) */
double ngx_http_passport_jtok_number(ngx_http_passport_jtok_doc_t *doc,
    size_t i);

/*
 * The value the pointer's tokens point to from value i, or JT_NONE; as
 * ngx_http_passport_pointer_resolve() does over a jansson tree.
 */
size_t ngx_http_passport_jtok_resolve(ngx_http_passport_jtok_doc_t *doc,
    size_t i, const ngx_http_passport_ref_t *tokens, size_t ntokens);


#endif /* _PASSPORT_JSON_TOK_H_INCLUDED_ */
