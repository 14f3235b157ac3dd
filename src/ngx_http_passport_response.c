
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_problems.h"
#include "ngx_http_passport_response.h"


/*
 * The response to a blocked request: an RFC 9457 problem document in the
 * request's language, listing every problem, with Retry-After when the
 * first problem is that the registry could not answer.
 */


static ngx_buf_t *ngx_http_passport_problem_document(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t status);
static ngx_int_t ngx_http_passport_problem_headers(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);


ngx_int_t
ngx_http_passport_send_problem(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx)
{
    ngx_int_t                   rc;
    ngx_buf_t                  *b;
    ngx_uint_t                  status;
    ngx_chain_t                 out;
    ngx_http_passport_error_t  *err;

    if (r->request_body == NULL) {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }
    }

    /* the first problem decides the status */

    err = ctx->errors.elts;
    status = ngx_http_passport_reason_status(err[0].reason, (int) ctx->status);

    b = ngx_http_passport_problem_document(r, ctx, status);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_passport_problem_headers(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = status;
    r->headers_out.content_length_n = b->last - b->pos;
    ngx_str_set(&r->headers_out.content_type, "application/problem+json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


static ngx_buf_t *
ngx_http_passport_problem_document(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t status)
{
    ngx_buf_t                    *b;
    ngx_str_t                     id, seller;
    ngx_http_passport_problem_t   pr;

    ngx_http_passport_request_id(r, &id);
    ngx_http_passport_seller_shown(ctx, &seller);

    ngx_memzero(&pr, sizeof(ngx_http_passport_problem_t));

    pr.errors = ctx->errors.elts;
    pr.nerrors = ctx->errors.nelts;
    pr.status = (int) status;
    pr.lang = (int) ctx->lang;
    pr.type_base = ctx->type_base.data;
    pr.type_base_len = ctx->type_base.len;
    pr.instance = id.data;
    pr.instance_len = id.len;
    pr.seller_kind = ctx->seller_kind;
    pr.seller_verdict = ctx->seller_verdict;

    if (seller.len) {
        pr.seller = seller.data;
        pr.seller_len = seller.len;
    }

    b = ngx_create_temp_buf(r->pool, ngx_http_passport_problem_size(&pr));
    if (b == NULL) {
        return NULL;
    }

    b->last = ngx_http_passport_problem_write(b->pos, &pr);
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    return b;
}


static ngx_int_t
ngx_http_passport_problem_headers(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx)
{
    ngx_table_elt_t            *h;
    ngx_http_passport_error_t  *err;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Content-Language");

    if (ctx->lang == NGX_HTTP_PASSPORT_LANG_VI) {
        ngx_str_set(&h->value, "vi");

    } else {
        ngx_str_set(&h->value, "en");
    }

    err = ctx->errors.elts;

    if (err[0].reason != NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE) {
        return NGX_OK;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->value.data = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
    if (h->value.data == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Retry-After");
    h->value.len = ngx_sprintf(h->value.data, "%T",
                               ngx_max(ctx->retry_after, 1))
                   - h->value.data;

    return NGX_OK;
}
