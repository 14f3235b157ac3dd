
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_extract.h"
#include "ngx_http_passport_pattern.h"
#include "ngx_http_passport_pointer.h"
#include "ngx_http_passport_problems.h"


/*
 * An item's trace code and the origin it claims.  The GS1 rules are the
 * core's (ngx_http_passport_code_rules); a code of no GS1 shape passes
 * when it matches a passport_code_pattern.
 */


/* the type of token v, 0 for none */
#define ngx_http_passport_type(ck, v)                                         \
    ((v) == NGX_HTTP_PASSPORT_JT_NONE ? 0 : (ck)->doc.tok[v].type)


static ngx_int_t ngx_http_passport_code_missing(ngx_http_passport_check_t *ck,
    size_t item, ngx_str_t *pointer);
static ngx_int_t ngx_http_passport_code_not_string(
    ngx_http_passport_check_t *ck, size_t v, ngx_str_t *pointer);


/*
 * The item's claimed origin as an ISO 3166-1 numeric code in *origin, -1
 * when none is claimed.  One that is no country is a problem of its own,
 * reported at its own pointer whatever the code.
 */

ngx_int_t
ngx_http_passport_check_origin(ngx_http_passport_check_t *ck, size_t item,
    ngx_int_t index, int *origin)
{
    u_char        *data, buf[4];
    size_t         len, v;
    double         d;
    ngx_str_t      ptr;
    const u_char  *s;

    *origin = -1;

    if (ck->plcf->item_origin == NULL) {
        return NGX_OK;
    }

    v = ngx_http_passport_pointer_get(&ck->doc, item, ck->plcf->item_origin);

    switch (ngx_http_passport_type(ck, v)) {

    case 0:
    case NGX_HTTP_PASSPORT_JT_NULL:
        return NGX_OK;

    case NGX_HTTP_PASSPORT_JT_STRING:
        if (ngx_http_passport_jtok_string(&ck->doc, v, &s, &len) != 0) {
            return NGX_ERROR;
        }

        *origin = ngx_http_passport_country((u_char *) s, len);
        break;

    case NGX_HTTP_PASSPORT_JT_NUMBER:
        d = ngx_http_passport_jtok_number(&ck->doc, v);

        if (d >= 1 && d <= 999 && d == (int) d) {
            ngx_sprintf(buf, "%03d", (int) d);
            *origin = ngx_http_passport_country(buf, 3);
        }

        break;

    default:
        break;
    }

    if (*origin >= 0) {
        return NGX_OK;
    }

    if (ngx_http_passport_value_text(ck->r, &ck->doc, v, &data, &len)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_passport_pointer_join(ck->r->pool, &ptr, ck->plcf->items,
                                       index, ck->plcf->item_origin)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_passport_problem(ck->r, ck->ctx,
                                     NGX_HTTP_PASSPORT_ORIGIN_INVALID,
                                     &ptr, data, len,
                                 NGX_HTTP_PASSPORT_MSG(REQ_ORIGIN_NOT_COUNTRY));
}


/*
 * Where a valid claimed origin is and what it was, for a registry that
 * disagrees with it: its problem points there.
 */

ngx_int_t
ngx_http_passport_origin_claimed(ngx_http_passport_check_t *ck, size_t item,
    ngx_int_t index, ngx_http_passport_item_t *it)
{
    size_t  v;

    v = ngx_http_passport_pointer_get(&ck->doc, item, ck->plcf->item_origin);

    if (v == NGX_HTTP_PASSPORT_JT_NONE
        || ngx_http_passport_value_text(ck->r, &ck->doc, v, &it->origin_value,
                                        &it->origin_value_len)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_passport_pointer_join(ck->r->pool, &it->origin_pointer,
                                          ck->plcf->items, index,
                                          ck->plcf->item_origin);
}


/*
 * The code's first problem, if any, at it->pointer, given the origin in
 * it->origin.  A code that passes gets its lookup key in it->code: the
 * canonical form, or an opaque code as sent less white space.
 */

ngx_int_t
ngx_http_passport_check_code(ngx_http_passport_check_t *ck, size_t item,
    ngx_http_passport_item_t *it)
{
    u_char                     *data;
    size_t                      len, v;
    ngx_http_passport_error_t   e;
    ngx_http_passport_code_t    code;

    v = ngx_http_passport_pointer_get(&ck->doc, item, ck->plcf->item_code);

    switch (ngx_http_passport_type(ck, v)) {

    case 0:
    case NGX_HTTP_PASSPORT_JT_NULL:
        return ngx_http_passport_code_missing(ck, item, &it->pointer);

    case NGX_HTTP_PASSPORT_JT_STRING:
        break;

    default:
        return ngx_http_passport_code_not_string(ck, v, &it->pointer);
    }

    if (ngx_http_passport_jtok_string(&ck->doc, v, (const u_char **) &data,
                                      &len)
        != 0)
    {
        return NGX_ERROR;
    }

    it->value = data;
    it->value_len = len;

    (void) ngx_http_passport_code_parse(data, len, ck->today, &code);

    if (code.err == NGX_HTTP_PASSPORT_ID_SHAPE) {
        it->code.len = len;
        it->code.data = (u_char *) ngx_http_passport_trim(data, &it->code.len,
                                                          1);

        if (ngx_http_passport_pattern_match(ck->plcf, it->code.data,
                                            it->code.len))
        {
            return NGX_OK;
        }

        ngx_str_null(&it->code);
    }

    if (ngx_http_passport_code_rules(&code, it->origin, ck->today,
                                     (int) ck->ctx->lang, &e))
    {
        if (code.err == NGX_HTTP_PASSPORT_ID_SHAPE) {
            /* the detail lists the accepted forms: the patterns too */
            ngx_http_passport_pattern_forms(ck->plcf, (int) ck->ctx->lang,
                                            &e);
        }

        return ngx_http_passport_add_rule_error(ck->r, ck->ctx, &e,
                                                &it->pointer, data, len);
    }

    it->code.data = ngx_pnalloc(ck->r->pool, code.len);
    if (it->code.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(it->code.data, code.canon, code.len);
    it->code.len = code.len;

    return NGX_OK;
}


static ngx_int_t
ngx_http_passport_code_missing(ngx_http_passport_check_t *ck, size_t item,
    ngx_str_t *pointer)
{
    ngx_http_passport_ctx_t  *ctx;

    ctx = ck->ctx;

    if (ngx_http_passport_type(ck, item) == NGX_HTTP_PASSPORT_JT_OBJECT
        || ck->plcf->item_code->ntokens == 0)
    {
        return ngx_http_passport_problem(ck->r, ctx,
                                         NGX_HTTP_PASSPORT_CODE_MISSING,
                                         pointer, NULL, 0,
                                       NGX_HTTP_PASSPORT_MSG(REQ_ITEM_NO_CODE));
    }

    return ngx_http_passport_problem(ck->r, ctx,
                                     NGX_HTTP_PASSPORT_CODE_MISSING,
                                     pointer, NULL, 0,
                                     NGX_HTTP_PASSPORT_MSG(REQ_ITEM_NOT_OBJECT),
                                     ngx_http_passport_json_type(&ck->doc,
                                                                 item,
                                                                 ctx->lang));
}


static ngx_int_t
ngx_http_passport_code_not_string(ngx_http_passport_check_t *ck, size_t v,
    ngx_str_t *pointer)
{
    u_char                   *data;
    size_t                    len;
    ngx_http_passport_ctx_t  *ctx;

    ctx = ck->ctx;

    if (ngx_http_passport_value_text(ck->r, &ck->doc, v, &data, &len)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_passport_problem(ck->r, ctx,
                                     NGX_HTTP_PASSPORT_CODE_INVALID,
                                     pointer, data, len,
                                     NGX_HTTP_PASSPORT_MSG(REQ_CODE_NOT_STRING),
                                     ngx_http_passport_json_type(&ck->doc, v,
                                                                 ctx->lang));
}
