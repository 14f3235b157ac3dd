
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_body.h"
#include "ngx_http_passport_extract.h"
#include "ngx_http_passport_handler.h"
#include "ngx_http_passport_lookup.h"
#include "ngx_http_passport_problems.h"
#include "ngx_http_passport_response.h"
#include "passport_decide.h"
#include "ngx_http_passport_report.h"
#include "ngx_http_passport_metrics.h"


/*
 * The access-phase handler is a resumable state machine:
 *
 *     BODY    read the request body (asynchronously, body.c)
 *     CHECK   extract seller and items, run the local rules (extract.c),
 *             plan the lookups (lookup.c)
 *     LOOKUP  registry lookups, cache first (lookup.c, registry.c)
 *     DONE    verdict known (src/core/passport_decide.c): pass, or act on
 *             it (response.c); a self-check (passport_check) only counts
 *             it and leaves the answer to its content handler (check.c)
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
static void ngx_http_passport_lookups_done(ngx_http_passport_ctx_t *ctx);
static void ngx_http_passport_wake_handler(ngx_event_t *ev);
static void ngx_http_passport_finish(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);
static ngx_int_t ngx_http_passport_act(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);
static ngx_uint_t ngx_http_passport_refused_busy(
    ngx_http_passport_ctx_t *ctx);
static void ngx_http_passport_log(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);


static ngx_conf_bitmask_t  ngx_http_passport_method_names[] = {
    { ngx_string("GET"), NGX_HTTP_GET },
    { ngx_string("HEAD"), NGX_HTTP_HEAD },
    { ngx_string("POST"), NGX_HTTP_POST },
    { ngx_string("PUT"), NGX_HTTP_PUT },
    { ngx_string("PATCH"), NGX_HTTP_PATCH },
    { ngx_string("DELETE"), NGX_HTTP_DELETE },
    { ngx_string("OPTIONS"), NGX_HTTP_OPTIONS },
    { ngx_null_string, 0 }
};


ngx_int_t
ngx_http_passport_handler(ngx_http_request_t *r)
{
    ngx_int_t                      rc;
    ngx_http_passport_ctx_t       *ctx;
    ngx_http_passport_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_passport_module);

    if (!(plcf->enable || plcf->check) || r != r->main) {
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
        if (ngx_http_passport_problem(r, ctx, NGX_HTTP_PASSPORT_BODY_NOT_JSON,
                                      NULL, NULL, 0,
                                      NGX_HTTP_PASSPORT_MSG(REQ_NOT_JSON))
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_passport_finish(r, ctx);

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


/* passport_methods: the methods whose requests are checked */

char *
ngx_http_passport_set_methods(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_str_t           *value;
    ngx_uint_t           i;
    ngx_conf_bitmask_t  *m;

    if (plcf->methods) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        for (m = ngx_http_passport_method_names; m->name.len; m++) {
            if (m->name.len == value[i].len
                && ngx_strcasecmp(m->name.data, value[i].data) == 0)
            {
                break;
            }
        }

        if (m->name.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid method \"%V\"", &value[i]);
            return NGX_CONF_ERROR;
        }

        plcf->methods |= m->mask;
    }

    plcf->methods |= NGX_CONF_BITMASK_SET;

    return NGX_CONF_OK;
}


static ngx_http_passport_ctx_t *
ngx_http_passport_create_ctx(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf)
{
    ngx_table_elt_t          *h;
    ngx_pool_cleanup_t       *cln;
    ngx_http_passport_ctx_t  *ctx;

    /*
     * The context lives in a pool cleanup: it cancels the lookups still in
     * flight, and the variables find it again after an internal redirect.
     */

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_passport_ctx_t));
    if (cln == NULL) {
        return NULL;
    }

    ctx = cln->data;
    ngx_memzero(ctx, sizeof(ngx_http_passport_ctx_t));

    cln->handler = ngx_http_passport_ctx_cleanup;

    ctx->wake.handler = ngx_http_passport_wake_handler;
    ctx->wake.data = r;
    ctx->wake.log = r->connection->log;

    if (ngx_http_passport_problems_init(r, ctx) != NGX_OK) {
        return NULL;
    }

    ctx->state = NGX_HTTP_PASSPORT_STATE_BODY;
    ctx->check = plcf->check ? 1 : 0;
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

    if (ctx->wake.posted) {
        ngx_delete_posted_event(&ctx->wake);
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
 * The check, then the lookups.  When the lookups have to wait, the request
 * stays in LOOKUP and the wake-up event decides it; otherwise it is decided
 * here.
 */

static void
ngx_http_passport_run(ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx)
{
    ngx_int_t                      rc;
    ngx_http_passport_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_passport_module);

    if (ngx_http_passport_check(r, plcf, ctx) != NGX_OK
        || ngx_http_passport_lookups_plan(r, plcf, ctx) != NGX_OK)
    {
        ctx->failed = 1;
        ctx->state = NGX_HTTP_PASSPORT_STATE_DONE;
        return;
    }

    ctx->state = NGX_HTTP_PASSPORT_STATE_LOOKUP;

    rc = ngx_http_passport_lookups_start(r, plcf, ctx,
                                         ngx_http_passport_lookups_done);

    if (rc == NGX_AGAIN) {
        /* a client that goes away meanwhile ends the request */
        r->read_event_handler = ngx_http_test_reading;
        return;
    }

    if (rc == NGX_ERROR) {
        ctx->failed = 1;
        ctx->state = NGX_HTTP_PASSPORT_STATE_DONE;
        return;
    }

    ngx_http_passport_lookups_apply(r, ctx);
    ngx_http_passport_finish(r, ctx);
}


/*
 * The last answer is in.  It may have come from inside libcurl's
 * callbacks: the request resumes from a posted event instead.
 */

static void
ngx_http_passport_lookups_done(ngx_http_passport_ctx_t *ctx)
{
    ngx_post_event(&ctx->wake, &ngx_posted_events);
}


static void
ngx_http_passport_wake_handler(ngx_event_t *ev)
{
    ngx_connection_t         *c;
    ngx_http_request_t       *r;
    ngx_http_passport_ctx_t  *ctx;

    r = ev->data;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    ctx = ngx_http_passport_get_ctx(r);

    ngx_http_passport_lookups_apply(r, ctx);
    ngx_http_passport_finish(r, ctx);

    r->read_event_handler = ngx_http_block_reading;
    r->write_event_handler = ngx_http_core_run_phases;
    ngx_http_core_run_phases(r);

    ngx_http_run_posted_requests(c);
}


/* the verdict, once every problem is known */

static void
ngx_http_passport_finish(ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx)
{
    ctx->state = NGX_HTTP_PASSPORT_STATE_DONE;

    ctx->verdict = ngx_http_passport_decide(ctx->errors.elts,
                                            ctx->errors.nelts,
                                            (int) ctx->mode,
                                            (int) ctx->on_registry_error);

    if (ngx_http_passport_problems_reasons(r, ctx) != NGX_OK) {
        ctx->failed = 1;
        return;
    }

    ngx_http_passport_metrics_verdict(ctx->check, ctx->verdict, ctx->mode,
                                      ctx->errors.elts, ctx->errors.nelts);

    /* a self-check is neither logged nor recorded */

    if (ctx->verdict != NGX_HTTP_PASSPORT_VERDICT_PASS && !ctx->check) {
        ngx_http_passport_log(r, ctx);

        /*
         * recorded for the regulator before any response goes out; a
         * listing refused unchecked (REGISTRY_BUSY) was not judged
         */

        if (!ngx_http_passport_refused_busy(ctx)) {
            ngx_http_passport_report_log_append(r, ctx);
        }
    }
}


/*
 * A listing whose lookups could not all be made here, and that has no
 * known problem: refused with 503 (REGISTRY_BUSY) in enforce and flag
 * modes, never passed nor flagged; monitor mode only logs it.
 */

static ngx_uint_t
ngx_http_passport_refused_busy(ngx_http_passport_ctx_t *ctx)
{
    ngx_http_passport_error_t  *err;

    if (ctx->errors.nelts == 0) {
        return 0;
    }

    err = ctx->errors.elts;

    return err[0].reason == NGX_HTTP_PASSPORT_REGISTRY_BUSY;
}


static ngx_int_t
ngx_http_passport_act(ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx)
{
    ngx_int_t  rc;

    if (ctx->failed) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->check) {
        /* the self-check's content handler answers with the verdict */
        return NGX_DECLINED;
    }

    if (ctx->verdict != NGX_HTTP_PASSPORT_VERDICT_BLOCK
        || (ctx->mode != NGX_HTTP_PASSPORT_MODE_ENFORCE
            && !(ctx->mode == NGX_HTTP_PASSPORT_MODE_FLAG
                 && ngx_http_passport_refused_busy(ctx))))
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


static void
ngx_http_passport_log(ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx)
{
    size_t                         len;
    ngx_str_t                      id, seller, esc;
    ngx_http_passport_loc_conf_t  *plcf;
    static const char             *modes[] = { "enforce", "flag", "monitor" };

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_passport_module);

    if (r->connection->log->log_level < plcf->log_level) {
        return;
    }

    ngx_http_passport_request_id(r, &id);

    ngx_http_passport_seller_shown(ctx, &seller);

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

    ngx_log_error(plcf->log_level, r->connection->log, 0,
                  "passport: %s (mode %s) request_id:%V seller:\"%V\" "
                  "reasons:%V",
                  ngx_http_passport_verdict_name((int) ctx->verdict),
                  modes[ctx->mode], &id, &esc, &ctx->reasons);
}
