
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_extract.h"
#include "ngx_http_passport_pointer.h"
#include "ngx_http_passport_problems.h"


/*
 * The seller: the listing's, from the body or from variables, and an
 * item's own, which stands in for it.  The ID rules are the core's
 * (ngx_http_passport_seller_parse).
 */


static ngx_int_t ngx_http_passport_check_seller(ngx_http_passport_check_t *ck,
    size_t v, ngx_str_t *raw, ngx_str_t *pointer, ngx_uint_t listing,
    ngx_str_t *norm);
static ngx_int_t ngx_http_passport_seller_not_string(
    ngx_http_passport_check_t *ck, size_t v, ngx_str_t *pointer,
    ngx_uint_t listing);
static ngx_int_t ngx_http_passport_blank(ngx_http_passport_check_t *ck,
    size_t v);
static ngx_uint_t ngx_http_passport_is(ngx_http_passport_check_t *ck,
    size_t v, ngx_uint_t type);


ngx_int_t
ngx_http_passport_check_listing_seller(ngx_http_passport_check_t *ck)
{
    size_t                         v;
    ngx_str_t                      raw;
    ngx_http_passport_ctx_t       *ctx;
    ngx_http_passport_loc_conf_t  *plcf;

    ctx = ck->ctx;
    plcf = ck->plcf;

    if (plcf->seller) {
        ctx->seller_pointer = plcf->seller->text;
        v = ngx_http_passport_pointer_get(&ck->doc, 0, plcf->seller);

        if (ngx_http_passport_check_seller(ck, v, NULL, &plcf->seller->text,
                                           1, &ctx->seller)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else if (plcf->seller_value) {
        if (ngx_http_complex_value(ck->r, plcf->seller_value, &raw)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (ngx_http_passport_check_seller(ck, NGX_HTTP_PASSPORT_JT_NONE,
                                           &raw, NULL, 1,
                                           &ctx->seller)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    /* without per-item sellers every item relies on the listing's */

    if (ck->seller != NGX_HTTP_PASSPORT_SELLER_ABSENT
        || plcf->item_seller != NULL)
    {
        return NGX_OK;
    }

    return ngx_http_passport_problem(ck->r, ctx,
                                     NGX_HTTP_PASSPORT_SELLER_MISSING,
                                     plcf->seller ? &plcf->seller->text
                                                  : NULL,
                                 NULL, 0, NGX_HTTP_PASSPORT_MSG(REQ_NO_SELLER));
}


/*
 * The item's seller in it->seller: its own, else the listing's.  An item
 * with a seller of its own has it looked up too.
 */

ngx_int_t
ngx_http_passport_check_item_seller(ngx_http_passport_check_t *ck,
    size_t item, ngx_int_t index, ngx_http_passport_item_t *it)
{
    size_t                         v;
    ngx_int_t                      blank;
    ngx_http_passport_loc_conf_t  *plcf;

    plcf = ck->plcf;
    it->seller = ck->ctx->seller;

    if (plcf->item_seller == NULL) {
        return NGX_OK;
    }

    v = ngx_http_passport_pointer_get(&ck->doc, item, plcf->item_seller);

    blank = ngx_http_passport_blank(ck, v);
    if (blank == NGX_ERROR) {
        return NGX_ERROR;
    }

    if ((v == NGX_HTTP_PASSPORT_JT_NONE
         || ngx_http_passport_is(ck, v, NGX_HTTP_PASSPORT_JT_NULL) || blank)
        && (ck->seller == NGX_HTTP_PASSPORT_SELLER_GOOD
            || ck->seller == NGX_HTTP_PASSPORT_SELLER_BAD))
    {
        return NGX_OK;
    }

    if (ngx_http_passport_pointer_join(ck->r->pool, &it->seller_pointer,
                                       plcf->items, index, plcf->item_seller)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_str_null(&it->seller);

    if (ngx_http_passport_check_seller(ck, v, NULL, &it->seller_pointer, 0,
                                       &it->seller)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_passport_is(ck, v, NGX_HTTP_PASSPORT_JT_STRING)) {
        it->own_seller = 1;
        (void) ngx_http_passport_jtok_string(&ck->doc, v,
                                        (const u_char **) &it->seller_value,
                                        &it->seller_value_len);
    }

    return NGX_OK;
}


/*
 * A seller from the body (v) or from variables (raw), normalised in norm
 * when it is valid.  An empty or absent seller is "missing"; whether that
 * is a problem for the listing depends on the items, so the caller reports
 * it.  An item's missing seller is reported here.
 */

static ngx_int_t
ngx_http_passport_check_seller(ngx_http_passport_check_t *ck, size_t v,
    ngx_str_t *raw, ngx_str_t *pointer, ngx_uint_t listing, ngx_str_t *norm)
{
    u_char                      *data;
    size_t                       len;
    ngx_http_passport_ctx_t     *ctx;
    ngx_http_passport_error_t   *err;
    ngx_http_passport_seller_t   sl;

    ctx = ck->ctx;

    if (listing) {
        ctx->seller_kind = "unknown";
        ctx->seller_verdict = "missing";
        ck->seller = NGX_HTTP_PASSPORT_SELLER_ABSENT;
    }

    data = NULL;
    len = 0;
    sl.err = NGX_HTTP_PASSPORT_ID_EMPTY;

    if (raw) {
        data = raw->data;
        len = raw->len;

    } else if (ngx_http_passport_is(ck, v, NGX_HTTP_PASSPORT_JT_STRING)) {
        if (ngx_http_passport_jtok_string(&ck->doc, v,
                                          (const u_char **) &data, &len)
            != 0)
        {
            return NGX_ERROR;
        }

    } else if (v != NGX_HTTP_PASSPORT_JT_NONE
               && !ngx_http_passport_is(ck, v, NGX_HTTP_PASSPORT_JT_NULL))
    {
        return ngx_http_passport_seller_not_string(ck, v, pointer, listing);
    }

    if (len) {
        (void) ngx_http_passport_seller_parse(data, len, &sl);
    }

    if (sl.err == NGX_HTTP_PASSPORT_ID_EMPTY) {

        if (listing) {
            return NGX_OK;
        }

        return ngx_http_passport_problem(ck->r, ctx,
                                         NGX_HTTP_PASSPORT_SELLER_MISSING,
                                         pointer, NULL, 0,
                                     NGX_HTTP_PASSPORT_MSG(REQ_ITEM_NO_SELLER));
    }

    if (listing) {
        ctx->seller_raw.data = data;
        ctx->seller_raw.len = len;
        ctx->seller_kind = ngx_http_passport_seller_kind_name(sl.kind);
        ctx->seller_verdict = sl.err ? "invalid" : "valid";
        ck->seller = sl.err ? NGX_HTTP_PASSPORT_SELLER_BAD
                            : NGX_HTTP_PASSPORT_SELLER_GOOD;
    }

    if (sl.err == NGX_HTTP_PASSPORT_ID_OK) {
        norm->data = ngx_pnalloc(ck->r->pool, sl.len);
        if (norm->data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(norm->data, sl.id, sl.len);
        norm->len = sl.len;

        return NGX_OK;
    }

    err = ngx_http_passport_add_error(ck->r, ctx,
                                      NGX_HTTP_PASSPORT_SELLER_ID_INVALID,
                                      pointer, data, len);
    if (err == NULL) {
        return NGX_ERROR;
    }

    ngx_http_passport_seller_rules(&sl, (int) ctx->lang, err);

    return NGX_OK;
}


static ngx_int_t
ngx_http_passport_seller_not_string(ngx_http_passport_check_t *ck,
    size_t v, ngx_str_t *pointer, ngx_uint_t listing)
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

    if (ngx_http_passport_problem(ck->r, ctx,
                                  NGX_HTTP_PASSPORT_SELLER_ID_INVALID,
                                  pointer, data, len,
                                  NGX_HTTP_PASSPORT_MSG(REQ_SELLER_NOT_STRING),
                                  ngx_http_passport_json_type(&ck->doc, v,
                                                              ctx->lang))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (listing) {
        ctx->seller_verdict = "invalid";
        ck->seller = NGX_HTTP_PASSPORT_SELLER_BAD;
    }

    return NGX_OK;
}


/* a string of white space only, as good as absent: 1, else 0 */

static ngx_int_t
ngx_http_passport_blank(ngx_http_passport_check_t *ck, size_t v)
{
    size_t         len;
    const u_char  *data;

    if (!ngx_http_passport_is(ck, v, NGX_HTTP_PASSPORT_JT_STRING)) {
        return 0;
    }

    if (ngx_http_passport_jtok_string(&ck->doc, v, &data, &len) != 0) {
        return NGX_ERROR;
    }

    (void) ngx_http_passport_trim(data, &len, 1);

    return len == 0;
}


/* the value v (JT_NONE: none) is of that type */

static ngx_uint_t
ngx_http_passport_is(ngx_http_passport_check_t *ck, size_t v,
    ngx_uint_t type)
{
    return v != NGX_HTTP_PASSPORT_JT_NONE && ck->doc.tok[v].type == type;
}
