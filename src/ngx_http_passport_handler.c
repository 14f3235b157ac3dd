
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_report.h"


/*
 * The access-phase handler is a resumable state machine:
 *
 *     BODY    read the request body (asynchronously)
 *     CHECK   extract seller and items, run the local rules
 *     LOOKUP  registry lookups, cache first (lookup.c, registry.c)
 *     DONE    verdict known: pass, or act on it
 *
 * Each state is a function of the context; the handler may be entered any
 * number of times and resumes where the request stands.
 */


static ngx_http_passport_ctx_t *ngx_http_passport_create_ctx(
    ngx_http_request_t *r, ngx_http_passport_loc_conf_t *plcf);
static void ngx_http_passport_ctx_cleanup(void *data);
static void ngx_http_passport_body_handler(ngx_http_request_t *r);
static void ngx_http_passport_run(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);
static ngx_int_t ngx_http_passport_act(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);
static void ngx_http_passport_log(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);
static ngx_uint_t ngx_http_passport_rank(ngx_http_passport_error_t *err);
static ngx_int_t ngx_http_passport_reasons(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);
static ngx_int_t ngx_http_passport_send_problem(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);
static void ngx_http_passport_request_id(ngx_http_request_t *r,
    ngx_str_t *id);


ngx_int_t
ngx_http_passport_handler(ngx_http_request_t *r)
{
    ngx_int_t                      rc;
    ngx_http_passport_ctx_t       *ctx;
    ngx_http_passport_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_passport_module);

    if (!plcf->enable || r != r->main) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_passport_get_ctx(r);

    if (ctx) {
        if (ctx->state != NGX_HTTP_PASSPORT_STATE_DONE) {
            /* woken up while still waiting: keep waiting */
            return NGX_DONE;
        }

        return ngx_http_passport_act(r, ctx);
    }

    if (!(r->method & plcf->methods)) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_passport_create_ctx(r, plcf);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!ngx_http_passport_is_json(r)) {
        if (ngx_http_passport_add_error(r, ctx,
                                        NGX_HTTP_PASSPORT_BODY_NOT_JSON,
                                        NULL, NULL, 0)
            == NULL)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_passport_error_detail(ctx->errors.elts, (int) ctx->lang,
                       "the Content-Type is not application/json "
                       "or application/*+json",
                       "Content-Type không phải application/json "
                       "hay application/*+json");

        ctx->state = NGX_HTTP_PASSPORT_STATE_DONE;
        ngx_http_passport_run(r, ctx);

        return ngx_http_passport_act(r, ctx);
    }

    /* as the mirror module does: the body reader owns the request now */

    rc = ngx_http_read_client_request_body(r,
                                           ngx_http_passport_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    ngx_http_finalize_request(r, NGX_DONE);

    return NGX_DONE;
}


static ngx_http_passport_ctx_t *
ngx_http_passport_create_ctx(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf)
{
    ngx_table_elt_t          *h;
    ngx_pool_cleanup_t       *cln;
    ngx_http_passport_ctx_t  *ctx;

    /*
     * The context lives in a pool cleanup: it releases the JSON tree, and
     * the variables find it again after an internal redirect.
     */

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_passport_ctx_t));
    if (cln == NULL) {
        return NULL;
    }

    ctx = cln->data;
    ngx_memzero(ctx, sizeof(ngx_http_passport_ctx_t));

    cln->handler = ngx_http_passport_ctx_cleanup;

    if (ngx_array_init(&ctx->errors, r->pool, 4,
                       sizeof(ngx_http_passport_error_t))
        != NGX_OK)
    {
        return NULL;
    }

    ctx->state = NGX_HTTP_PASSPORT_STATE_BODY;
    ctx->mode = plcf->mode;
    ctx->status = plcf->status;
    ctx->type_base = plcf->type_base;

    h = r->headers_in.accept_language;

    ctx->lang = h ? ngx_http_passport_lang(h->value.data, h->value.len)
                  : NGX_HTTP_PASSPORT_LANG_EN;

    ngx_http_set_ctx(r, ctx, ngx_http_passport_module);

    return ctx;
}


static void
ngx_http_passport_ctx_cleanup(void *data)
{
    ngx_http_passport_ctx_t  *ctx = data;

    ngx_http_passport_lookups_cancel(ctx);

    if (ctx->root) {
        json_decref(ctx->root);
        ctx->root = NULL;
    }
}


ngx_http_passport_ctx_t *
ngx_http_passport_get_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t       *cln;
    ngx_http_passport_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_passport_module);

    if (ctx || !(r->internal || r->filter_finalize)) {
        return ctx;
    }

    /* module contexts are cleared on internal redirects */

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_http_passport_ctx_cleanup) {
            ctx = cln->data;
            ngx_http_set_ctx(r, ctx, ngx_http_passport_module);
            return ctx;
        }
    }

    return NULL;
}


static void
ngx_http_passport_body_handler(ngx_http_request_t *r)
{
    ngx_http_passport_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_passport_module);

    /* keep a body spilled to a temporary file for the upstream */
    r->preserve_body = 1;

    ctx->state = NGX_HTTP_PASSPORT_STATE_CHECK;

    ngx_http_passport_run(r, ctx);

    if (ctx->state != NGX_HTTP_PASSPORT_STATE_DONE) {
        /* a later stage resumes the phases when it completes */
        r->write_event_handler = ngx_http_request_empty_handler;
        return;
    }

    r->write_event_handler = ngx_http_core_run_phases;
    ngx_http_core_run_phases(r);
}


/*
 * Advances the request through the states that need no waiting.  A state
 * that has to wait returns with ctx->state unchanged and resumes the
 * phases itself when it is done.
 */

static void
ngx_http_passport_run(ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx)
{
    ngx_int_t                      rc;
    ngx_http_passport_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_passport_module);

    if (ctx->state == NGX_HTTP_PASSPORT_STATE_CHECK) {

        if (ngx_http_passport_body_collect(r, &ctx->body) != NGX_OK
            || ngx_http_passport_check(r, plcf, ctx) != NGX_OK)
        {
            ctx->failed = 1;
            ctx->state = NGX_HTTP_PASSPORT_STATE_DONE;
            return;
        }

        ctx->state = NGX_HTTP_PASSPORT_STATE_LOOKUP;

        rc = ngx_http_passport_lookups_start(r, plcf, ctx);

        if (rc == NGX_AGAIN) {
            /* ngx_http_passport_decide() runs when the answers are in */
            return;
        }

        if (rc == NGX_ERROR) {
            ctx->failed = 1;
            ctx->state = NGX_HTTP_PASSPORT_STATE_DONE;
            return;
        }
    }

    ngx_http_passport_decide(r, ctx);
}


/*
 * The verdict, once every problem is known.  Problems are ranked, keeping
 * their order within a rank: problems with the body as a whole first, the
 * ones the registry could not settle last, so that the first one decides
 * the status.
 */

void
ngx_http_passport_decide(ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx)
{
    ngx_uint_t                  i, j, n, nreg;
    ngx_http_passport_error_t  *err, tmp;

    ctx->state = NGX_HTTP_PASSPORT_STATE_DONE;

    err = ctx->errors.elts;
    n = ctx->errors.nelts;

    for (i = 1; i < n; i++) {
        tmp = err[i];

        for (j = i;
             j > 0 && ngx_http_passport_rank(&err[j - 1])
                      > ngx_http_passport_rank(&tmp);
             j--)
        {
            ngx_memcpy(&err[j], &err[j - 1],
                       sizeof(ngx_http_passport_error_t));
        }

        if (j != i) {
            err[j] = tmp;
        }
    }

    for (nreg = 0; nreg < n; nreg++) {
        if (err[n - 1 - nreg].reason
            != NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE)
        {
            break;
        }
    }

    n -= nreg;

    ctx->verdict = ngx_http_passport_verdict((int) ctx->mode, n, nreg,
                                             (int) ctx->on_registry_error);

    if (ngx_http_passport_reasons(r, ctx) != NGX_OK) {
        ctx->failed = 1;
        return;
    }

    if (ctx->verdict != NGX_HTTP_PASSPORT_VERDICT_PASS) {
        ngx_http_passport_log(r, ctx);

        /* recorded for the regulator before any response goes out */
        ngx_http_passport_report_log_append(r, ctx);
    }
}


static ngx_uint_t
ngx_http_passport_rank(ngx_http_passport_error_t *err)
{
    if (ngx_http_passport_reason_is_body(err->reason)) {
        return 0;
    }

    return err->reason == NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE ? 2 : 1;
}


static ngx_int_t
ngx_http_passport_act(ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx)
{
    ngx_int_t  rc;

    if (ctx->failed) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->verdict != NGX_HTTP_PASSPORT_VERDICT_BLOCK
        || ctx->mode != NGX_HTTP_PASSPORT_MODE_ENFORCE)
    {
        /* not NGX_OK: under "satisfy any" that would grant access */
        return NGX_DECLINED;
    }

    if (ctx->responded) {
        /* an internal redirect brought the request back here */
        return ngx_http_passport_reason_status(
                   ((ngx_http_passport_error_t *) ctx->errors.elts)->reason,
                   (int) ctx->status);
    }

    ctx->responded = 1;

    /*
     * The response is sent here rather than returned as a status, so
     * that "satisfy any" cannot override the block.
     */

    rc = ngx_http_passport_send_problem(r, ctx);

    ngx_http_finalize_request(r, rc);

    return NGX_DONE;
}


static ngx_int_t
ngx_http_passport_reasons(ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx)
{
    u_char                     *p;
    size_t                      len;
    ngx_uint_t                  i, j, seen;
    const char                 *name;
    ngx_http_passport_error_t  *err;

    err = ctx->errors.elts;
    len = 0;

    for (i = 0; i < ctx->errors.nelts; i++) {
        len += ngx_strlen(ngx_http_passport_reason_name(err[i].reason)) + 1;
    }

    if (len == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->reasons.data = p;

    /* each code once, in the order found */

    for (i = 0; i < ctx->errors.nelts; i++) {
        seen = 0;

        for (j = 0; j < i; j++) {
            if (err[j].reason == err[i].reason) {
                seen = 1;
                break;
            }
        }

        if (seen) {
            continue;
        }

        if (p != ctx->reasons.data) {
            *p++ = ',';
        }

        name = ngx_http_passport_reason_name(err[i].reason);
        p = ngx_cpymem(p, name, ngx_strlen(name));
    }

    ctx->reasons.len = p - ctx->reasons.data;

    return NGX_OK;
}


static void
ngx_http_passport_log(ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx)
{
    size_t              len;
    ngx_str_t           id, seller, esc;
    static const char  *modes[] = { "enforce", "flag", "monitor" };

    ngx_http_passport_request_id(r, &id);

    seller = ctx->seller.len ? ctx->seller : ctx->seller_raw;

    /* what the client sent is escaped: it must not forge log lines */

    len = ngx_http_passport_json_escape_size(seller.data, seller.len,
                                             NGX_HTTP_PASSPORT_SELLER_MAX);
    esc.data = ngx_pnalloc(r->pool, len);

    if (esc.data == NULL) {
        ngx_str_set(&esc, "-");

    } else {
        esc.len = ngx_http_passport_json_escape(esc.data, seller.data,
                                                seller.len,
                                                NGX_HTTP_PASSPORT_SELLER_MAX)
                  - esc.data;
    }

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "passport: %s (mode %s) request_id:%V seller:\"%V\" "
                  "reasons:%V",
                  ngx_http_passport_verdict_name((int) ctx->verdict),
                  modes[ctx->mode], &id, &esc, &ctx->reasons);
}


static void
ngx_http_passport_request_id(ngx_http_request_t *r, ngx_str_t *id)
{
    ngx_http_variable_value_t      *vv;
    ngx_http_passport_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_passport_module);

    vv = ngx_http_get_indexed_variable(r, pmcf->request_id_index);

    if (vv == NULL || vv->not_found) {
        ngx_str_set(id, "-");
        return;
    }

    id->data = vv->data;
    id->len = vv->len;
}


static ngx_int_t
ngx_http_passport_send_problem(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx)
{
    size_t                        len;
    ngx_int_t                     rc;
    ngx_buf_t                    *b;
    ngx_str_t                     id;
    ngx_chain_t                   out;
    ngx_table_elt_t              *h;
    ngx_http_passport_problem_t   pr;

    if (r->request_body == NULL) {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }
    }

    ngx_http_passport_request_id(r, &id);

    ngx_memzero(&pr, sizeof(ngx_http_passport_problem_t));

    pr.errors = ctx->errors.elts;
    pr.nerrors = ctx->errors.nelts;
    pr.status = ngx_http_passport_reason_status(pr.errors[0].reason,
                                                (int) ctx->status);
    pr.lang = (int) ctx->lang;
    pr.type_base = ctx->type_base.data;
    pr.type_base_len = ctx->type_base.len;
    pr.instance = id.data;
    pr.instance_len = id.len;
    pr.seller_kind = ctx->seller_kind;
    pr.seller_verdict = ctx->seller_verdict;

    if (ctx->seller.len) {
        pr.seller = ctx->seller.data;
        pr.seller_len = ctx->seller.len;

    } else if (ctx->seller_raw.len) {
        pr.seller = ctx->seller_raw.data;
        pr.seller_len = ctx->seller_raw.len;
    }

    len = ngx_http_passport_problem_size(&pr);

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_http_passport_problem_write(b->pos, &pr);
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Content-Language");

    if (ctx->lang == NGX_HTTP_PASSPORT_LANG_VI) {
        ngx_str_set(&h->value, "vi");

    } else {
        ngx_str_set(&h->value, "en");
    }

    if (pr.errors[0].reason == NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->value.data = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
        if (h->value.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Retry-After");
        h->value.len = ngx_sprintf(h->value.data, "%T",
                                   ngx_max(ctx->retry_after, 1))
                       - h->value.data;
    }

    r->headers_out.status = pr.status;
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
