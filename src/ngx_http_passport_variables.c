
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_handler.h"
#include "ngx_http_passport_variables.h"


static ngx_int_t ngx_http_passport_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


#define NGX_HTTP_PASSPORT_VAR_VERDICT  0
#define NGX_HTTP_PASSPORT_VAR_REASONS  1
#define NGX_HTTP_PASSPORT_VAR_SELLER   2
#define NGX_HTTP_PASSPORT_VAR_CACHE    3


static ngx_http_variable_t  ngx_http_passport_vars[] = {

    { ngx_string("passport_verdict"), NULL, ngx_http_passport_variable,
      NGX_HTTP_PASSPORT_VAR_VERDICT, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("passport_reasons"), NULL, ngx_http_passport_variable,
      NGX_HTTP_PASSPORT_VAR_REASONS, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("passport_seller"), NULL, ngx_http_passport_variable,
      NGX_HTTP_PASSPORT_VAR_SELLER, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("passport_cache_status"), NULL, ngx_http_passport_variable,
      NGX_HTTP_PASSPORT_VAR_CACHE, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_http_passport_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_passport_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


/* empty until the request has been checked */

static ngx_int_t
ngx_http_passport_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    const char               *verdict;
    ngx_http_passport_ctx_t  *ctx;
    static const char        *cache[] = { "BYPASS", "HIT", "STALE", "MISS" };

    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->len = 0;
    v->data = (u_char *) "";

    ctx = ngx_http_passport_get_ctx(r->main);

    if (ctx == NULL || ctx->state != NGX_HTTP_PASSPORT_STATE_DONE) {
        return NGX_OK;
    }

    switch (data) {

    case NGX_HTTP_PASSPORT_VAR_VERDICT:
        verdict = ngx_http_passport_verdict_name((int) ctx->verdict);
        v->data = (u_char *) verdict;
        v->len = ngx_strlen(verdict);
        break;

    case NGX_HTTP_PASSPORT_VAR_REASONS:
        v->data = ctx->reasons.data;
        v->len = ctx->reasons.len;
        break;

    case NGX_HTTP_PASSPORT_VAR_CACHE:
        v->data = (u_char *) cache[ctx->cache_status];
        v->len = ngx_strlen(v->data);
        break;

    default: /* NGX_HTTP_PASSPORT_VAR_SELLER */
        v->data = ctx->seller.data;
        v->len = ctx->seller.len;
        break;
    }

    if (v->data == NULL) {
        v->data = (u_char *) "";
    }

    return NGX_OK;
}
