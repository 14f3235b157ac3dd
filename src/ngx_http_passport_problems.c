
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_problems.h"
#include "passport_json.h"


/*
 * The request's problem list.  Extraction, the local rules and the
 * registry's cross-checks add to it; the handler ranks it into a verdict;
 * the response, the log line, the variables and the regulator's record
 * show it.
 */


ngx_int_t
ngx_http_passport_problems_init(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx)
{
    return ngx_array_init(&ctx->errors, r->pool, 4,
                          sizeof(ngx_http_passport_error_t));
}


ngx_http_passport_error_t *
ngx_http_passport_add_error(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t reason, ngx_str_t *pointer,
    u_char *value, size_t value_len)
{
    ngx_http_passport_error_t  *err;

    err = ngx_array_push(&ctx->errors);
    if (err == NULL) {
        return NULL;
    }

    ngx_memzero(err, sizeof(ngx_http_passport_error_t));

    err->reason = (int) reason;

    if (pointer) {
        err->pointer = pointer->data ? pointer->data : (u_char *) "";
        err->pointer_len = pointer->len;
    }

    err->value = value;
    err->value_len = value_len;

    return err;
}


ngx_int_t
ngx_http_passport_problem(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t reason, ngx_str_t *pointer,
    u_char *value, size_t value_len, const char *en, const char *vi, ...)
{
    va_list                     args;
    ngx_http_passport_error_t  *err;

    err = ngx_http_passport_add_error(r, ctx, reason, pointer, value,
                                      value_len);
    if (err == NULL) {
        return NGX_ERROR;
    }

    va_start(args, vi);
    ngx_http_passport_error_vdetail(err, (int) ctx->lang, en, vi, args);
    va_end(args);

    return NGX_OK;
}


ngx_int_t
ngx_http_passport_json_syntax(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_str_t *pointer, json_error_t *jerr)
{
    ngx_uint_t          k, vi;
    static const char  *what[][2] = {
        { NGX_HTTP_PASSPORT_MSG(JSON_ERR_SYNTAX) },
        { NGX_HTTP_PASSPORT_MSG(JSON_ERR_UTF8) },
        { NGX_HTTP_PASSPORT_MSG(JSON_ERR_DUPLICATE) },
        { NGX_HTTP_PASSPORT_MSG(JSON_ERR_DEPTH) },
        { NGX_HTTP_PASSPORT_MSG(JSON_ERR_END) },
        { NGX_HTTP_PASSPORT_MSG(JSON_ERR_TRAILING) },
        { NGX_HTTP_PASSPORT_MSG(JSON_ERR_NUMBER) },
        { NGX_HTTP_PASSPORT_MSG(JSON_ERR_OTHER) }
    };

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "passport: request body is not JSON: %s at line %d, "
                  "column %d", jerr->text, jerr->line, jerr->column);

    switch (json_error_code(jerr)) {
    case json_error_invalid_syntax:
    case json_error_invalid_format:
        k = 0;
        break;
    case json_error_invalid_utf8:
        k = 1;
        break;
    case json_error_duplicate_key:
        k = 2;
        break;
    case json_error_stack_overflow:
        k = 3;
        break;
    case json_error_premature_end_of_input:
        k = 4;
        break;
    case json_error_end_of_input_expected:
        k = 5;
        break;
    case json_error_numeric_overflow:
        k = 6;
        break;
    default:
        k = 7;
    }

    vi = (ctx->lang == NGX_HTTP_PASSPORT_LANG_VI);

    return ngx_http_passport_problem(r, ctx, NGX_HTTP_PASSPORT_BODY_MALFORMED,
                                     pointer, NULL, 0,
                                     NGX_HTTP_PASSPORT_MSG(REQ_JSON_SYNTAX),
                                     jerr->line, jerr->column, what[k][vi]);
}


ngx_int_t
ngx_http_passport_add_rule_error(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_http_passport_error_t *e,
    ngx_str_t *pointer, u_char *value, size_t value_len)
{
    ngx_http_passport_error_t  *err;

    err = ngx_http_passport_add_error(r, ctx, e->reason, pointer, value,
                                      value_len);
    if (err == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(err->detail, e->detail, sizeof(e->detail));

    if (e->reason == NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE) {
        err->cause = e->cause;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_passport_problems_reasons(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx)
{
    u_char                     *p;
    size_t                      len;
    ngx_uint_t                  i, j;
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

    for (i = 0; i < ctx->errors.nelts; i++) {

        for (j = 0; j < i && err[j].reason != err[i].reason; j++) {
            /* void */
        }

        if (j < i) {
            /* reported already */
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


ngx_int_t
ngx_http_passport_value_text(ngx_http_request_t *r,
    ngx_http_passport_jtok_doc_t *doc, size_t i, u_char **data, size_t *len)
{
    size_t                     n;
    u_char                     buf[64];
    ngx_http_passport_jtok_t  *t;

    t = &doc->tok[i];

    switch (t->type) {

    case NGX_HTTP_PASSPORT_JT_STRING:
        if (ngx_http_passport_jtok_string(doc, i, (const u_char **) data,
                                          len)
            != 0)
        {
            return NGX_ERROR;
        }
        return NGX_OK;

    case NGX_HTTP_PASSPORT_JT_OBJECT:
    case NGX_HTTP_PASSPORT_JT_ARRAY:
        *data = (u_char *) (t->type == NGX_HTTP_PASSPORT_JT_OBJECT ? "{...}"
                                                                   : "[...]");
        *len = 5;
        return NGX_OK;

    case NGX_HTTP_PASSPORT_JT_NUMBER:
        break;

    default:
        /* true, false, null: as sent */
        *data = (u_char *) t->data;
        *len = t->len;
        return NGX_OK;
    }

    /* numbers are read as reals: show whole ones as the client wrote */

    n = ngx_http_passport_json_number(ngx_http_passport_jtok_number(doc, i),
                                      (char *) buf, sizeof(buf));

    *data = ngx_pnalloc(r->pool, n);
    if (*data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(*data, buf, n);
    *len = n;

    return NGX_OK;
}


const char *
ngx_http_passport_json_type(ngx_http_passport_jtok_doc_t *doc, size_t i,
    ngx_uint_t lang)
{
    ngx_uint_t          t;
    static const char  *names[][2] = {
        { NGX_HTTP_PASSPORT_MSG(TYPE_OBJECT) },
        { NGX_HTTP_PASSPORT_MSG(TYPE_ARRAY) },
        { NGX_HTTP_PASSPORT_MSG(TYPE_STRING) },
        { NGX_HTTP_PASSPORT_MSG(TYPE_NUMBER) },
        { NGX_HTTP_PASSPORT_MSG(TYPE_BOOLEAN) },
        { NGX_HTTP_PASSPORT_MSG(TYPE_NULL) }
    };

    switch (doc->tok[i].type) {
    case NGX_HTTP_PASSPORT_JT_OBJECT:
        t = 0;
        break;
    case NGX_HTTP_PASSPORT_JT_ARRAY:
        t = 1;
        break;
    case NGX_HTTP_PASSPORT_JT_STRING:
        t = 2;
        break;
    case NGX_HTTP_PASSPORT_JT_NUMBER:
        t = 3;
        break;
    case NGX_HTTP_PASSPORT_JT_TRUE:
    case NGX_HTTP_PASSPORT_JT_FALSE:
        t = 4;
        break;
    default:
        t = 5;
    }

    return names[t][lang == NGX_HTTP_PASSPORT_LANG_VI];
}


void
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


void
ngx_http_passport_seller_shown(ngx_http_passport_ctx_t *ctx,
    ngx_str_t *seller)
{
    *seller = ctx->seller.len ? ctx->seller : ctx->seller_raw;
}
