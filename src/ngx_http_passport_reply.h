
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPLY_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPLY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/*
 * An answer the module writes itself (a JSON document, a problem
 * document, an ndjson listing).  Zero it, then fill what applies.
 */
typedef struct {
    ngx_uint_t                  status;         /* NGX_HTTP_OK, ... */
    ngx_str_t                   type;           /* Content-Type */
    ngx_str_t                   language;       /* Content-Language, chosen
                                                   by Accept-Language (with
                                                   Vary), or empty: none */
    time_t                      retry_after;    /* seconds, 0: none */
    ngx_chain_t                *body;           /* NULL: empty */
    off_t                       length;         /* of body, in bytes */
} ngx_http_passport_reply_t;


/*
 * Sends rp: discards a request body not read, sets the status and the
 * headers (those a caller added to r->headers_out.headers before, e.g.
 * with ngx_http_passport_reply_header(), go out too), sends the header,
 * then the body unless the request is HEAD.  The last buffer of the body
 * is marked here.  Returns what the caller passes to
 * ngx_http_finalize_request() (or returns from a content handler).
 */
ngx_int_t ngx_http_passport_reply(ngx_http_request_t *r,
    ngx_http_passport_reply_t *rp);

/* rp's body and length: the one buffer b, from b->pos to b->last */
ngx_int_t ngx_http_passport_reply_buf(ngx_http_request_t *r,
    ngx_http_passport_reply_t *rp, ngx_buf_t *b);

/* adds "name: value" to the response headers; neither is copied */
ngx_int_t ngx_http_passport_reply_header(ngx_http_request_t *r,
    ngx_str_t *name, ngx_str_t *value);


#endif /* _NGX_HTTP_PASSPORT_REPLY_H_INCLUDED_ */
