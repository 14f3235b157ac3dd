
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_pointer.h"


/*
 * Where the module finds things in a listing: the directives that take a
 * JSON Pointer compile it here once, and the checks resolve it against
 * each request's document (src/core/passport_pointer.c).
 */


static char *ngx_http_passport_pointer_compile(ngx_conf_t *cf,
    ngx_command_t *cmd, ngx_str_t *text, ngx_http_passport_pointer_t **ptr);


char *
ngx_http_passport_set_seller(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_str_t                         *value;
    ngx_http_compile_complex_value_t   ccv;

    if (plcf->seller != NGX_CONF_UNSET_PTR || plcf->seller_value != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    /*
     * A pointer, or a value with variables: a constant such as "seller_id"
     * is a pointer without its "/", which would block every listing.
     */

    if (value[1].len == 0 || value[1].data[0] == '/'
        || ngx_http_script_variables_count(&value[1]) == 0)
    {
        return ngx_http_passport_pointer_compile(cf, cmd, &value[1],
                                                 &plcf->seller);
    }

    plcf->seller_value = ngx_palloc(cf->pool,
                                    sizeof(ngx_http_complex_value_t));
    if (plcf->seller_value == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &value[1];
    ccv.complex_value = plcf->seller_value;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    plcf->seller = NULL;

    return NGX_CONF_OK;
}


char *
ngx_http_passport_set_pointer_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char  *p = conf;

    ngx_str_t                     *value;
    ngx_http_passport_pointer_t  **ptr;

    ptr = (ngx_http_passport_pointer_t **) (p + cmd->offset);

    if (*ptr != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    return ngx_http_passport_pointer_compile(cf, cmd, &value[1], ptr);
}


static char *
ngx_http_passport_pointer_compile(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_str_t *text, ngx_http_passport_pointer_t **ptr)
{
    u_char                       *buf;
    ngx_http_passport_pointer_t  *jp;

    jp = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_pointer_t));
    if (jp == NULL) {
        return NGX_CONF_ERROR;
    }

    jp->text = *text;
    jp->ntokens = ngx_http_passport_pointer_ntokens(text->data, text->len);
    buf = NULL;

    if (jp->ntokens) {
        jp->tokens = ngx_palloc(cf->pool,
                                jp->ntokens * sizeof(ngx_http_passport_ref_t));
        buf = ngx_pnalloc(cf->pool, text->len);

        if (jp->tokens == NULL || buf == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    switch (ngx_http_passport_pointer_parse(text->data, text->len,
                                            jp->tokens, buf))
    {
    case NGX_HTTP_PASSPORT_POINTER_OK:
        *ptr = jp;
        return NGX_CONF_OK;

    case NGX_HTTP_PASSPORT_POINTER_NO_SLASH:
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid JSON Pointer \"%V\": it must be "
                           "empty or start with \"/\"%s, did you mean "
                           "\"/%V\"?", &cmd->name, text,
                           cmd->set == ngx_http_passport_set_seller
                               ? " (or hold variables)" : "",
                           text);
        return NGX_CONF_ERROR;

    default: /* NGX_HTTP_PASSPORT_POINTER_ESCAPE */
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid JSON Pointer \"%V\": \"~\" must "
                           "be followed by \"0\" or \"1\" (\"~0\" is \"~\", "
                           "\"~1\" is \"/\")", &cmd->name, text);
        return NGX_CONF_ERROR;
    }
}


size_t
ngx_http_passport_pointer_get(ngx_http_passport_jtok_doc_t *doc, size_t v,
    ngx_http_passport_pointer_t *ptr)
{
    return ngx_http_passport_jtok_resolve(doc, v, ptr->tokens, ptr->ntokens);
}


ngx_int_t
ngx_http_passport_pointer_join(ngx_pool_t *pool, ngx_str_t *out,
    ngx_http_passport_pointer_t *base, ngx_int_t index,
    ngx_http_passport_pointer_t *sub)
{
    size_t   len;
    u_char  *p;

    len = (base ? base->text.len : 0) + NGX_INT_T_LEN + 1
          + (sub ? sub->text.len : 0);

    p = ngx_pnalloc(pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;

    if (base) {
        p = ngx_cpymem(p, base->text.data, base->text.len);
    }

    if (index >= 0) {
        p = ngx_sprintf(p, "/%i", index);
    }

    if (sub) {
        p = ngx_cpymem(p, sub->text.data, sub->text.len);
    }

    out->len = p - out->data;

    return NGX_OK;
}
