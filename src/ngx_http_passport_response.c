
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_problems.h"
#include "ngx_http_passport_response.h"
#include "ngx_http_passport_reply.h"


/*
 * The response to a blocked request: an RFC 9457 problem document in the
 * request's language, listing every problem, with Retry-After when the
 * first problem is that the registry could not answer.
 */


static ngx_buf_t *ngx_http_passport_problem_document(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t status);


ngx_int_t
ngx_http_passport_send_problem(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx)
{
    ngx_buf_t                  *b;
    ngx_http_passport_reply_t   rp;
    ngx_http_passport_error_t  *err;

    /* the first problem decides the status */

    err = ctx->errors.elts;

    ngx_memzero(&rp, sizeof(ngx_http_passport_reply_t));

    rp.status = ngx_http_passport_reason_status(err[0].reason,
                                                (int) ctx->status);
    ngx_str_set(&rp.type, "application/problem+json");

    if (ctx->lang == NGX_HTTP_PASSPORT_LANG_VI) {
        ngx_str_set(&rp.language, "vi");

    } else {
        ngx_str_set(&rp.language, "en");
    }

    if (err[0].reason == NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE) {
        rp.retry_after = ngx_max(ctx->retry_after, 1);

    } else if (err[0].reason == NGX_HTTP_PASSPORT_REGISTRY_BUSY) {
        rp.retry_after = ngx_max(ctx->busy_retry_after, 1);
    }

    b = ngx_http_passport_problem_document(r, ctx, rp.status);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_passport_reply_buf(r, &rp, b) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_passport_reply(r, &rp);
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

    return b;
}
