
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_extract.h"
#include "ngx_http_passport_pointer.h"
#include "ngx_http_passport_problems.h"
#include "passport_json.h"


/*
 * The document as a whole: it parses, it has the expected shape, and it
 * holds a list of items of a size allowed.  The seller's rules are in
 * extract_seller.c, the code's and the origin's in extract_code.c.
 */


/* hours east of UTC of the day used for expiry dates: Vietnam, no DST */
#define NGX_HTTP_PASSPORT_TZ_OFFSET  (7 * 3600)


static ngx_int_t ngx_http_passport_check_body(ngx_http_passport_check_t *ck);
static ngx_int_t ngx_http_passport_release(ngx_http_passport_check_t *ck);
static ngx_int_t ngx_http_passport_keep(ngx_pool_t *pool, u_char **data,
    size_t len);
static ngx_int_t ngx_http_passport_parse(ngx_http_passport_check_t *ck);
static ngx_int_t ngx_http_passport_too_complex(ngx_http_passport_check_t *ck);
static ngx_uint_t ngx_http_passport_shape_ok(json_t *root,
    ngx_http_passport_pointer_t *items);
static ngx_int_t ngx_http_passport_shape_problem(
    ngx_http_passport_check_t *ck);
static ngx_int_t ngx_http_passport_check_items(ngx_http_passport_check_t *ck);
static ngx_int_t ngx_http_passport_check_list(ngx_http_passport_check_t *ck,
    json_t *items);
static ngx_int_t ngx_http_passport_check_item(ngx_http_passport_check_t *ck,
    json_t *item, ngx_int_t index);
static ngx_int_t ngx_http_passport_keep_item(ngx_http_passport_check_t *ck,
    ngx_http_passport_item_t *it, ngx_array_t *items);


static char *ngx_http_passport_check_limit(ngx_conf_t *cf, void *post,
    void *data);


static ngx_str_t  ngx_http_passport_root = ngx_null_string;


/*
 * Each item is checked and may need two lookups: 10000 keeps the work of
 * one request within what a worker does between two events without notice.
 */
ngx_http_passport_limit_t  ngx_http_passport_max_items_limit = {
    ngx_http_passport_check_limit, 10000,
    "split larger listings into several requests"
};

/* a value costs the parser about a hundred bytes while it is checked */
ngx_http_passport_limit_t  ngx_http_passport_max_json_values_limit = {
    ngx_http_passport_check_limit, 1000000,
    "a body is parsed whole before it is checked"
};


static char *
ngx_http_passport_check_limit(ngx_conf_t *cf, void *post, void *data)
{
    ngx_http_passport_limit_t *limit = post;
    ngx_uint_t                *np = data;

    ngx_str_t  *value;

    value = cf->args->elts;

    if (*np < 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" value \"%V\" is too small: use at "
                           "least 1", &value[0], &value[1]);
        return NGX_CONF_ERROR;
    }

    if (*np > limit->max) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" value \"%V\" is too large: use at "
                           "most %ui (%s)", &value[0], &value[1],
                           limit->max, limit->why);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_passport_check(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_ctx_t *ctx)
{
    ngx_int_t                  rc;
    ngx_http_passport_check_t  ck;

    ck.r = r;
    ck.plcf = plcf;
    ck.ctx = ctx;
    ck.today = ngx_http_passport_today();
    ck.seller = NGX_HTTP_PASSPORT_SELLER_NONE;

    rc = ngx_http_passport_check_body(&ck);

    if (rc != NGX_OK) {
        /* the context's pool cleanup releases the tree */
        return rc;
    }

    return ngx_http_passport_release(&ck);
}


static ngx_int_t
ngx_http_passport_check_body(ngx_http_passport_check_t *ck)
{
    ngx_int_t  rc;

    rc = ngx_http_passport_parse(ck);
    if (rc != NGX_OK) {
        return rc == NGX_DECLINED ? NGX_OK : NGX_ERROR;
    }

    /* a document of the wrong shape is one problem, not one per field */

    if (!ngx_http_passport_shape_ok(ck->ctx->root, ck->plcf->items)) {
        return ngx_http_passport_shape_problem(ck);
    }

    if (ngx_http_passport_check_listing_seller(ck) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_passport_check_items(ck);
}


/*
 * The check is over: what the rest of the request uses of the document
 * (the values of its problems, its items, their keys and claimed origins,
 * the listing seller as sent) is copied into the request pool, and the
 * JSON tree and the body's copy are freed at once rather than when the
 * request ends, which a slow upstream or client can put off for long.
 * A problem's value is shown cut to NGX_HTTP_PASSPORT_VALUE_MAX bytes,
 * so no more is kept of it.
 */

static ngx_int_t
ngx_http_passport_release(ngx_http_passport_check_t *ck)
{
    u_char                     *seller;
    ngx_uint_t                  i;
    ngx_pool_t                 *pool;
    ngx_http_passport_ctx_t    *ctx;
    ngx_http_passport_item_t   *it;
    ngx_http_passport_error_t  *err;

    ctx = ck->ctx;
    pool = ck->r->pool;
    seller = ctx->seller_raw.data;

    if (ngx_http_passport_keep(pool, &ctx->seller_raw.data,
                               ctx->seller_raw.len)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    err = ctx->errors.elts;

    for (i = 0; i < ctx->errors.nelts; i++) {

        if (seller && err[i].value == seller) {
            err[i].value = ctx->seller_raw.data;
            continue;
        }

        err[i].value_len = ngx_min(err[i].value_len,
                                   NGX_HTTP_PASSPORT_VALUE_MAX);

        if (ngx_http_passport_keep(pool, (u_char **) &err[i].value,
                                   err[i].value_len)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    it = ctx->items.elts;

    for (i = 0; i < ctx->items.nelts; i++) {
        /* an opaque code's key is the code as sent, less white space */

        if (ngx_http_passport_keep(pool, &it[i].code.data, it[i].code.len)
            != NGX_OK
            || ngx_http_passport_keep(pool, &it[i].value, it[i].value_len)
               != NGX_OK
            || ngx_http_passport_keep(pool, &it[i].seller_value,
                                      it[i].seller_value_len)
               != NGX_OK
            || ngx_http_passport_keep(pool, &it[i].origin_value,
                                      it[i].origin_value_len)
               != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    /* the report reads an unchecked item's pointers and seller only */

    it = ctx->others.elts;

    for (i = 0; i < ctx->others.nelts; i++) {
        it[i].seller_value_len = ngx_min(it[i].seller_value_len,
                                         NGX_HTTP_PASSPORT_VALUE_MAX);
        it[i].value = NULL;
        it[i].origin_value = NULL;
        ngx_str_null(&it[i].code);

        if (ngx_http_passport_keep(pool, &it[i].seller_value,
                                   it[i].seller_value_len)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (ctx->root) {
        json_decref(ctx->root);
        ctx->root = NULL;
    }

    if (ctx->body.len) {
        /* a large allocation: given back to the system now */
        (void) ngx_pfree(pool, ctx->body.data);
        ngx_str_null(&ctx->body);
    }

    return NGX_OK;
}


/* *data becomes a copy in the pool; NULL stays NULL */

static ngx_int_t
ngx_http_passport_keep(ngx_pool_t *pool, u_char **data, size_t len)
{
    u_char  *p;

    if (*data == NULL) {
        return NGX_OK;
    }

    if (len == 0) {
        *data = (u_char *) "";
        return NGX_OK;
    }

    p = ngx_pnalloc(pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, *data, len);
    *data = p;

    return NGX_OK;
}


/* today as YYYYMMDD, in Vietnam (UTC+7), for expiry dates */

long
ngx_http_passport_today(void)
{
    ngx_tm_t  tm;

    ngx_gmtime(ngx_time() + NGX_HTTP_PASSPORT_TZ_OFFSET, &tm);

    return (long) tm.ngx_tm_year * 10000 + tm.ngx_tm_mon * 100
           + tm.ngx_tm_mday;
}


/* NGX_DECLINED: the body is no JSON, which is the request's problem */

static ngx_int_t
ngx_http_passport_parse(ngx_http_passport_check_t *ck)
{
    json_error_t                jerr;
    ngx_http_passport_ctx_t    *ctx;

    ctx = ck->ctx;

    if (ctx->body.len == 0) {
        if (ngx_http_passport_problem(ck->r, ctx,
                                      NGX_HTTP_PASSPORT_BODY_MALFORMED,
                                      &ngx_http_passport_root, NULL, 0,
                                      NGX_HTTP_PASSPORT_MSG(REQ_BODY_EMPTY))
            != NGX_OK)
        {
            return NGX_ERROR;
        }
        return NGX_DECLINED;
    }

    /* counted before parsing: a tree takes many times the bytes it came from */

    if (ngx_http_passport_json_values(ctx->body.data, ctx->body.len,
                                      ck->plcf->max_json_values)
        > ck->plcf->max_json_values)
    {
        return ngx_http_passport_too_complex(ck);
    }

    /*
     * Duplicate keys are refused: the backend might read the other one.
     * Integers are read as reals so that a huge number in a field we do
     * not check is not an error.
     */

    ctx->root = json_loadb((const char *) ctx->body.data, ctx->body.len,
                           JSON_DECODE_ANY|JSON_REJECT_DUPLICATES
                           |JSON_ALLOW_NUL|JSON_DECODE_INT_AS_REAL, &jerr);

    if (ctx->root != NULL) {
        return NGX_OK;
    }

    if (ngx_http_passport_json_syntax(ck->r, ctx, &ngx_http_passport_root,
                                      &jerr)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_passport_too_complex(ngx_http_passport_check_t *ck)
{
    if (ngx_http_passport_problem(ck->r, ck->ctx,
                                  NGX_HTTP_PASSPORT_BODY_TOO_COMPLEX,
                                  &ngx_http_passport_root, NULL, 0,
                                  NGX_HTTP_PASSPORT_MSG(REQ_BODY_TOO_COMPLEX),
                                  (size_t) ck->plcf->max_json_values)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_DECLINED;
}


/*
 * The root is an object (the only item, or holding the items), or, when
 * the items pointer starts with an index, an array.
 */

static ngx_uint_t
ngx_http_passport_shape_ok(json_t *root, ngx_http_passport_pointer_t *items)
{
    if (json_is_object(root)) {
        return 1;
    }

    if (items == NULL || !json_is_array(root)) {
        return 0;
    }

    return items->ntokens == 0
           || (items->tokens[0].len
               && items->tokens[0].data[0] >= '0'
               && items->tokens[0].data[0] <= '9');
}


static ngx_int_t
ngx_http_passport_shape_problem(ngx_http_passport_check_t *ck)
{
    const char               *type;
    ngx_http_passport_ctx_t  *ctx;

    ctx = ck->ctx;
    type = ngx_http_passport_json_type(ctx->root, ctx->lang);

    if (ck->plcf->items && ck->plcf->items->ntokens == 0) {
        return ngx_http_passport_problem(ck->r, ctx,
                                         NGX_HTTP_PASSPORT_BODY_MALFORMED,
                                         &ngx_http_passport_root, NULL, 0,
                                         NGX_HTTP_PASSPORT_MSG(REQ_NOT_ARRAY),
                                         type);
    }

    return ngx_http_passport_problem(ck->r, ctx,
                                     NGX_HTTP_PASSPORT_BODY_MALFORMED,
                                     &ngx_http_passport_root, NULL, 0,
                                     NGX_HTTP_PASSPORT_MSG(REQ_NOT_OBJECT),
                                     type);
}


/* the items, or the root object as the only item */

static ngx_int_t
ngx_http_passport_check_items(ngx_http_passport_check_t *ck)
{
    size_t     i, n;
    json_t    *items;
    ngx_int_t  rc;

    if (ck->plcf->items == NULL) {
        return ngx_http_passport_check_item(ck, ck->ctx->root, -1);
    }

    items = ngx_http_passport_pointer_get(ck->ctx->root, ck->plcf->items);

    rc = ngx_http_passport_check_list(ck, items);
    if (rc != NGX_OK) {
        return rc == NGX_DECLINED ? NGX_OK : NGX_ERROR;
    }

    n = json_array_size(items);

    for (i = 0; i < n; i++) {
        if (ngx_http_passport_check_item(ck, json_array_get(items, i),
                                         (ngx_int_t) i)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* NGX_DECLINED: the list has a problem, and its items are not checked */

static ngx_int_t
ngx_http_passport_check_list(ngx_http_passport_check_t *ck, json_t *items)
{
    ngx_int_t                 rc;
    ngx_str_t                *ptr;
    ngx_http_request_t       *r;
    ngx_http_passport_ctx_t  *ctx;

    r = ck->r;
    ctx = ck->ctx;
    ptr = &ck->plcf->items->text;

    if (items == NULL || json_is_null(items)) {
        rc = ngx_http_passport_problem(r, ctx, NGX_HTTP_PASSPORT_CODE_MISSING,
                                       ptr, NULL, 0,
                                       NGX_HTTP_PASSPORT_MSG(REQ_NO_ITEMS));

    } else if (!json_is_array(items)) {
        rc = ngx_http_passport_problem(r, ctx,
                                       NGX_HTTP_PASSPORT_BODY_MALFORMED,
                                       ptr, NULL, 0,
                                     NGX_HTTP_PASSPORT_MSG(REQ_ITEMS_NOT_ARRAY),
                                       ngx_http_passport_json_type(items,
                                                                   ctx->lang));

    } else if (json_array_size(items) > ck->plcf->max_items) {
        rc = ngx_http_passport_problem(r, ctx,
                                       NGX_HTTP_PASSPORT_TOO_MANY_ITEMS,
                                       ptr, NULL, 0,
                                      NGX_HTTP_PASSPORT_MSG(REQ_TOO_MANY_ITEMS),
                                       json_array_size(items),
                                       (size_t) ck->plcf->max_items);

    } else if (json_array_size(items) == 0) {
        rc = ngx_http_passport_problem(r, ctx, NGX_HTTP_PASSPORT_CODE_MISSING,
                                       ptr, NULL, 0,
                                       NGX_HTTP_PASSPORT_MSG(REQ_ITEMS_EMPTY));

    } else {
        return NGX_OK;
    }

    return rc == NGX_OK ? NGX_DECLINED : NGX_ERROR;
}


static ngx_int_t
ngx_http_passport_check_item(ngx_http_passport_check_t *ck, json_t *item,
    ngx_int_t index)
{
    ngx_uint_t                     nerrors;
    ngx_http_passport_item_t       it;
    ngx_http_passport_loc_conf_t  *plcf;

    plcf = ck->plcf;
    nerrors = ck->ctx->errors.nelts;

    ngx_memzero(&it, sizeof(ngx_http_passport_item_t));

    if (ngx_http_passport_pointer_join(ck->r->pool, &it.pointer, plcf->items,
                                       index, plcf->item_code)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_passport_check_origin(ck, item, index, &it.origin)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (it.origin >= 0
        && ngx_http_passport_origin_claimed(ck, item, index, &it) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_passport_check_code(ck, item, &it) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_passport_check_item_seller(ck, item, index, &it) != NGX_OK) {
        return NGX_ERROR;
    }

    /* only items that passed the local rules go to the registry */

    if (plcf->registry == NULL || ck->ctx->errors.nelts != nerrors
        || it.code.len == 0)
    {
        /* the report names the own seller of an item with problems */
        return (it.own_seller && ck->ctx->errors.nelts != nerrors)
               ? ngx_http_passport_keep_item(ck, &it, &ck->ctx->others)
               : NGX_OK;
    }

    return ngx_http_passport_keep_item(ck, &it, &ck->ctx->items);
}


static ngx_int_t
ngx_http_passport_keep_item(ngx_http_passport_check_t *ck,
    ngx_http_passport_item_t *it, ngx_array_t *items)
{
    ngx_http_passport_item_t  *item;

    if (items->elts == NULL
        && ngx_array_init(items, ck->r->pool, 4,
                          sizeof(ngx_http_passport_item_t))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    item = ngx_array_push(items);
    if (item == NULL) {
        return NGX_ERROR;
    }

    *item = *it;

    return NGX_OK;
}
