
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_check.h"
#include "ngx_http_passport_problems.h"
#include "ngx_http_passport_reply.h"


/*
 * The self-check's answer.  The access phase has run the whole check on
 * the body (handler.c, in check mode: nothing logged, nothing recorded,
 * no block); here the content phase writes what it found:
 *
 *     {"verdict":"block","mode":"enforce",
 *      "seller":{"value":"...","kind":"...","verdict":"..."},
 *      "errors":[{"pointer":"/items/0/code","code":"CODE_INVALID",
 *                 "detail":"...","value":"..."}]}
 *
 * "seller" is null where no seller is configured; errors[] are those of
 * the problem document a guarded location would send, in its order and
 * its language.
 */


static ngx_int_t ngx_http_passport_check_handler(ngx_http_request_t *r);
static size_t ngx_http_passport_check_size(ngx_http_passport_ctx_t *ctx,
    ngx_str_t *seller);
static u_char *ngx_http_passport_check_write(u_char *p,
    ngx_http_passport_ctx_t *ctx, ngx_str_t *seller);
static u_char *ngx_http_passport_check_error(u_char *p,
    ngx_http_passport_error_t *err);


#define ngx_http_passport_check_str(p, s)                                     \
    ngx_cpymem(p, s, sizeof(s) - 1)


static const char  *ngx_http_passport_check_modes[] = {
    "enforce", "flag", "monitor"
};


char *
ngx_http_passport_set_check(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_check\": the location already has "
                           "a content handler (proxy_pass, ...): give the "
                           "self-check a location of its own");
        return NGX_CONF_ERROR;
    }

    plcf->check = 1;
    clcf->handler = ngx_http_passport_check_handler;

    return NGX_CONF_OK;
}


/*
 * proxy_pass (or any content handler) after passport_check would take the
 * location over and forward the seller's self-checks: refused.
 */

char *
ngx_http_passport_check_merge(ngx_conf_t *cf,
    ngx_http_passport_loc_conf_t *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    if (!conf->check) {
        return NGX_CONF_OK;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler != ngx_http_passport_check_handler) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_check\": another content handler "
                           "(proxy_pass, ...) took the location over: give "
                           "the self-check a location of its own");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_passport_check_handler(ngx_http_request_t *r)
{
    ngx_buf_t                  *b;
    ngx_str_t                   seller;
    ngx_http_passport_ctx_t    *ctx;
    ngx_http_passport_reply_t   rp;

    ctx = ngx_http_get_module_ctx(r, ngx_http_passport_module);

    if (ctx == NULL || !ctx->check
        || ctx->state != NGX_HTTP_PASSPORT_STATE_DONE)
    {
        /* not checked: a method passport_methods does not name */
        return NGX_HTTP_NOT_ALLOWED;
    }

    ngx_http_passport_seller_shown(ctx, &seller);

    b = ngx_create_temp_buf(r->pool,
                            ngx_http_passport_check_size(ctx, &seller));
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_http_passport_check_write(b->pos, ctx, &seller);

    ngx_memzero(&rp, sizeof(ngx_http_passport_reply_t));

    rp.status = NGX_HTTP_OK;
    ngx_str_set(&rp.type, "application/json");

    if (ctx->lang == NGX_HTTP_PASSPORT_LANG_VI) {
        ngx_str_set(&rp.language, "vi");

    } else {
        ngx_str_set(&rp.language, "en");
    }

    if (ngx_http_passport_reply_buf(r, &rp, b) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_passport_reply(r, &rp);
}


static size_t
ngx_http_passport_check_size(ngx_http_passport_ctx_t *ctx, ngx_str_t *seller)
{
    size_t                      size;
    ngx_uint_t                  i;
    ngx_http_passport_error_t  *err;

    size = sizeof("{\"verdict\":\"block\",\"mode\":\"monitor\","
                  "\"seller\":null,\"errors\":[]}\n");

    if (ctx->seller_kind) {
        size += sizeof("{\"value\":\"\",\"kind\":\"\",\"verdict\":\"\"}")
                + ngx_http_passport_json_escape_size(seller->data,
                                              seller->len,
                                              NGX_HTTP_PASSPORT_VALUE_MAX)
                + ngx_strlen(ctx->seller_kind)
                + (ctx->seller_verdict ? ngx_strlen(ctx->seller_verdict)
                                       : 0);
    }

    err = ctx->errors.elts;

    for (i = 0; i < ctx->errors.nelts; i++) {
        size += sizeof("{\"pointer\":\"\",\"code\":\"\",\"detail\":\"\","
                       "\"value\":\"\"},")
                + ngx_strlen(ngx_http_passport_reason_name(err[i].reason))
                + ngx_http_passport_json_escape_size(err[i].pointer,
                                                     err[i].pointer_len,
                                                     (size_t) -1)
                + ngx_http_passport_json_escape_size(
                      (u_char *) err[i].detail, ngx_strlen(err[i].detail),
                      (size_t) -1)
                + ngx_http_passport_json_escape_size(err[i].value,
                                              err[i].value_len,
                                              NGX_HTTP_PASSPORT_VALUE_MAX);
    }

    return size;
}


static u_char *
ngx_http_passport_check_write(u_char *p, ngx_http_passport_ctx_t *ctx,
    ngx_str_t *seller)
{
    ngx_uint_t                  i;
    ngx_http_passport_error_t  *err;

    p = ngx_sprintf(p, "{\"verdict\":\"%s\",\"mode\":\"%s\",\"seller\":",
                    ngx_http_passport_verdict_name((int) ctx->verdict),
                    ngx_http_passport_check_modes[ctx->mode]);

    if (ctx->seller_kind == NULL) {
        p = ngx_http_passport_check_str(p, "null");

    } else {
        p = ngx_http_passport_check_str(p, "{\"value\":");

        if (seller->len) {
            *p++ = '"';
            p = ngx_http_passport_json_escape(p, seller->data, seller->len,
                                              NGX_HTTP_PASSPORT_VALUE_MAX);
            *p++ = '"';

        } else {
            p = ngx_http_passport_check_str(p, "null");
        }

        p = ngx_sprintf(p, ",\"kind\":\"%s\",\"verdict\":\"%s\"}",
                        ctx->seller_kind,
                        ctx->seller_verdict ? ctx->seller_verdict : "");
    }

    p = ngx_http_passport_check_str(p, ",\"errors\":[");

    err = ctx->errors.elts;

    for (i = 0; i < ctx->errors.nelts; i++) {
        if (i) {
            *p++ = ',';
        }

        p = ngx_http_passport_check_error(p, &err[i]);
    }

    return ngx_http_passport_check_str(p, "]}\n");
}


/* as in the problem document: no pointer for what is not in the body */

static u_char *
ngx_http_passport_check_error(u_char *p, ngx_http_passport_error_t *err)
{
    *p++ = '{';

    if (err->pointer) {
        p = ngx_http_passport_check_str(p, "\"pointer\":\"");
        p = ngx_http_passport_json_escape(p, err->pointer, err->pointer_len,
                                          (size_t) -1);
        p = ngx_http_passport_check_str(p, "\",");
    }

    p = ngx_sprintf(p, "\"code\":\"%s\",\"detail\":\"",
                    ngx_http_passport_reason_name(err->reason));
    p = ngx_http_passport_json_escape(p, (u_char *) err->detail,
                                      ngx_strlen(err->detail), (size_t) -1);
    *p++ = '"';

    if (err->value) {
        p = ngx_http_passport_check_str(p, ",\"value\":\"");
        p = ngx_http_passport_json_escape(p, err->value, err->value_len,
                                          NGX_HTTP_PASSPORT_VALUE_MAX);
        *p++ = '"';
    }

    *p++ = '}';

    return p;
}
