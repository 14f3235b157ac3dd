
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_PROBLEMS_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_PROBLEMS_H_INCLUDED_


#include "ngx_http_passport.h"
#include "passport_json_tok.h"


/*
 * The problems of one request (ctx->errors), and how the request is named
 * where they are shown: its request id and its seller.
 */

ngx_int_t ngx_http_passport_problems_init(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);

/* a problem at pointer (NULL: none) with the value as sent, no detail */
ngx_http_passport_error_t *ngx_http_passport_add_error(
    ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx, ngx_uint_t reason,
    ngx_str_t *pointer, u_char *value, size_t value_len);

/* the same with its detail in the request's language, printf-style */
ngx_int_t ngx_http_passport_problem(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t reason, ngx_str_t *pointer,
    u_char *value, size_t value_len, const char *en, const char *vi, ...)
    NGX_HTTP_PASSPORT_FORMAT2(7, 8, 9);

/*
 * BODY_MALFORMED for a body jansson could not parse: line, column and what
 * is wrong in the request's language; jansson's own text is logged only
 */
ngx_int_t ngx_http_passport_json_syntax(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_str_t *pointer, json_error_t *jerr);

/* a problem a core rule found: its reason and detail are in e */
ngx_int_t ngx_http_passport_add_rule_error(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_http_passport_error_t *e,
    ngx_str_t *pointer, u_char *value, size_t value_len);

/* ctx->reasons: each reason code once, in the order of the problems */
ngx_int_t ngx_http_passport_problems_reasons(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);

/*
 * A value of the body (token i of doc) as errors[].value shows it, and its
 * type as a detail does
 */
ngx_int_t ngx_http_passport_value_text(ngx_http_request_t *r,
    ngx_http_passport_jtok_doc_t *doc, size_t i, u_char **data,
    size_t *len);
const char *ngx_http_passport_json_type(ngx_http_passport_jtok_doc_t *doc,
    size_t i, ngx_uint_t lang);

/* $request_id, or "-" */
void ngx_http_passport_request_id(ngx_http_request_t *r, ngx_str_t *id);

/* the seller as shown: normalised, else as sent, else empty */
void ngx_http_passport_seller_shown(ngx_http_passport_ctx_t *ctx,
    ngx_str_t *seller);


#endif /* _NGX_HTTP_PASSPORT_PROBLEMS_H_INCLUDED_ */
