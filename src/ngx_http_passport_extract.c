
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_pattern.h"
#include "ngx_http_passport_pointer.h"
#include "ngx_http_passport_problems.h"


/* hours east of UTC of the day used for expiry dates: Vietnam, no DST */
#define NGX_HTTP_PASSPORT_TZ_OFFSET  (7 * 3600)


typedef struct {
    ngx_http_request_t            *r;
    ngx_http_passport_loc_conf_t  *plcf;
    ngx_http_passport_ctx_t       *ctx;
    long                           today;
    ngx_uint_t                     seller;     /* listing seller state */
} ngx_http_passport_check_t;


static ngx_uint_t ngx_http_passport_shape_ok(json_t *root,
    ngx_http_passport_pointer_t *items);
static ngx_uint_t ngx_http_passport_blank(json_t *v);
static ngx_int_t ngx_http_passport_parse(ngx_http_passport_check_t *ck);
static ngx_int_t ngx_http_passport_check_seller(ngx_http_passport_check_t *ck,
    json_t *v, ngx_str_t *raw, ngx_str_t *pointer, ngx_uint_t listing,
    ngx_str_t *norm);
static ngx_int_t ngx_http_passport_check_item(ngx_http_passport_check_t *ck,
    json_t *item, ngx_int_t index);
static ngx_int_t ngx_http_passport_check_code(ngx_http_passport_check_t *ck,
    json_t *v, int origin, ngx_str_t *pointer, ngx_str_t *canon);
static ngx_int_t ngx_http_passport_code_missing(ngx_http_passport_check_t *ck,
    json_t *item, ngx_str_t *pointer);
static ngx_int_t ngx_http_passport_check_item_seller(
    ngx_http_passport_check_t *ck, json_t *item, ngx_int_t index,
    ngx_http_passport_item_t *it);
static ngx_int_t ngx_http_passport_keep_item(ngx_http_passport_check_t *ck,
    ngx_http_passport_item_t *it);
static ngx_int_t ngx_http_passport_check_origin(ngx_http_passport_check_t *ck,
    json_t *item, ngx_int_t index, int *origin);


/* listing seller states */
#define NGX_HTTP_PASSPORT_SELLER_NONE     0   /* no source configured */
#define NGX_HTTP_PASSPORT_SELLER_ABSENT   1
#define NGX_HTTP_PASSPORT_SELLER_BAD      2
#define NGX_HTTP_PASSPORT_SELLER_GOOD     3


static ngx_str_t  ngx_http_passport_root = ngx_null_string;


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


/* a string of white space only, as good as absent */

static ngx_uint_t
ngx_http_passport_blank(json_t *v)
{
    size_t  len;

    if (!json_is_string(v)) {
        return 0;
    }

    len = json_string_length(v);

    (void) ngx_http_passport_trim((const u_char *) json_string_value(v),
                                  &len, 1);

    return len == 0;
}


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
                                      "the request body is empty",
                                      "nội dung yêu cầu bị trống")
            != NGX_OK)
        {
            return NGX_ERROR;
        }
        return NGX_DECLINED;
    }

    /*
     * Duplicate keys are refused: the backend might read the other one.
     * Integers are read as reals so that a huge number in a field we do
     * not check is not an error.
     */

    ctx->root = json_loadb((const char *) ctx->body.data, ctx->body.len,
                           JSON_DECODE_ANY|JSON_REJECT_DUPLICATES
                           |JSON_ALLOW_NUL|JSON_DECODE_INT_AS_REAL, &jerr);

    /* the context's pool cleanup releases the tree */

    if (ctx->root != NULL) {
        return NGX_OK;
    }

    if (ngx_http_passport_problem(ck->r, ctx, NGX_HTTP_PASSPORT_BODY_MALFORMED,
                                  &ngx_http_passport_root, NULL, 0,
                                  "JSON syntax error at line %d, "
                                  "column %d: %s",
                                  "lỗi cú pháp JSON tại dòng %d, "
                                  "cột %d: %s", jerr.line, jerr.column,
                                  jerr.text)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_DECLINED;
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


ngx_int_t
ngx_http_passport_check(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_ctx_t *ctx)
{
    size_t                      n, i;
    json_t                     *items, *seller;
    ngx_int_t                   rc;
    ngx_str_t                   raw, *ptr;
    ngx_http_passport_error_t  *err;
    ngx_http_passport_check_t   ck;

    ck.r = r;
    ck.plcf = plcf;
    ck.ctx = ctx;
    ck.today = ngx_http_passport_today();
    ck.seller = NGX_HTTP_PASSPORT_SELLER_NONE;

    rc = ngx_http_passport_parse(&ck);
    if (rc != NGX_OK) {
        return rc == NGX_DECLINED ? NGX_OK : NGX_ERROR;
    }

    /* a document of the wrong shape is one problem, not one per field */

    if (!ngx_http_passport_shape_ok(ctx->root, plcf->items)) {
        err = ngx_http_passport_add_error(r, ctx,
                                          NGX_HTTP_PASSPORT_BODY_MALFORMED,
                                          &ngx_http_passport_root, NULL, 0);
        if (err == NULL) {
            return NGX_ERROR;
        }

        if (plcf->items && plcf->items->ntokens == 0) {
            ngx_http_passport_error_detail(err, ctx->lang,
                           "expected a JSON array, found %s",
                           "cần một mảng JSON, nhận được %s",
                           ngx_http_passport_json_type(ctx->root, ctx->lang));

        } else {
            ngx_http_passport_error_detail(err, ctx->lang,
                           "expected a JSON object, found %s",
                           "cần một đối tượng JSON, nhận được %s",
                           ngx_http_passport_json_type(ctx->root, ctx->lang));
        }
        return NGX_OK;
    }

    /* the listing's seller */

    if (plcf->seller) {
        ctx->seller_pointer = plcf->seller->text;
        seller = ngx_http_passport_pointer_get(ctx->root, plcf->seller);

        if (ngx_http_passport_check_seller(&ck, seller, NULL,
                                           &plcf->seller->text, 1,
                                           &ctx->seller)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else if (plcf->seller_value) {
        if (ngx_http_complex_value(r, plcf->seller_value, &raw) != NGX_OK) {
            return NGX_ERROR;
        }

        if (ngx_http_passport_check_seller(&ck, NULL, &raw, NULL, 1,
                                           &ctx->seller)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    /* without per-item sellers every item relies on the listing's */

    if (ck.seller == NGX_HTTP_PASSPORT_SELLER_ABSENT
        && plcf->item_seller == NULL)
    {
        if (ngx_http_passport_problem(r, ctx, NGX_HTTP_PASSPORT_SELLER_MISSING,
                                      plcf->seller ? &plcf->seller->text : NULL,
                                      NULL, 0, "the listing has no seller ID",
                                      "tin đăng không có mã người bán")
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    /* the items, or the root object as the only item */

    if (plcf->items == NULL) {
        return ngx_http_passport_check_item(&ck, ctx->root, -1);
    }

    ptr = &plcf->items->text;
    items = ngx_http_passport_pointer_get(ctx->root, plcf->items);

    if (items == NULL || json_is_null(items)) {
        if (ngx_http_passport_problem(r, ctx, NGX_HTTP_PASSPORT_CODE_MISSING,
                                      ptr, NULL, 0, "the listing has no items",
                                      "tin đăng không có sản phẩm nào")
            != NGX_OK)
        {
            return NGX_ERROR;
        }
        return NGX_OK;
    }

    if (!json_is_array(items)) {
        if (ngx_http_passport_problem(r, ctx, NGX_HTTP_PASSPORT_BODY_MALFORMED,
                                      ptr, NULL, 0,
                                      "expected an array of items, found %s",
                                      "cần một mảng sản phẩm, nhận được %s",
                                      ngx_http_passport_json_type(items,
                                                                  ctx->lang))
            != NGX_OK)
        {
            return NGX_ERROR;
        }
        return NGX_OK;
    }

    n = json_array_size(items);

    if (n > plcf->max_items) {
        if (ngx_http_passport_problem(r, ctx, NGX_HTTP_PASSPORT_TOO_MANY_ITEMS,
                                      ptr, NULL, 0,
                                      "%zu items, at most %zu are allowed",
                                      "%zu sản phẩm, tối đa cho phép %zu", n,
                                      (size_t) plcf->max_items)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
        return NGX_OK;
    }

    if (n == 0) {
        if (ngx_http_passport_problem(r, ctx, NGX_HTTP_PASSPORT_CODE_MISSING,
                                      ptr, NULL, 0,
                                      "the list of items is empty",
                                      "danh sách sản phẩm trống")
            != NGX_OK)
        {
            return NGX_ERROR;
        }
        return NGX_OK;
    }

    for (i = 0; i < n; i++) {
        if (ngx_http_passport_check_item(&ck, json_array_get(items, i),
                                         (ngx_int_t) i)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * A seller from the body (v) or from variables (raw).  An empty or absent
 * seller is "missing"; whether that is a problem depends on the items, so
 * the caller reports it.  An item's missing seller is reported here.
 */

static ngx_int_t
ngx_http_passport_check_seller(ngx_http_passport_check_t *ck, json_t *v,
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

    } else if (v && json_is_string(v)) {
        data = (u_char *) json_string_value(v);
        len = json_string_length(v);

    } else if (v && !json_is_null(v)) {
        if (ngx_http_passport_value_text(ck->r, v, &data, &len) != NGX_OK) {
            return NGX_ERROR;
        }

        if (ngx_http_passport_problem(ck->r, ctx,
                                      NGX_HTTP_PASSPORT_SELLER_ID_INVALID,
                                      pointer, data, len,
                                      "the seller ID must be a JSON string, "
                                      "found %s",
                                      "mã người bán phải là chuỗi JSON, "
                                      "nhận được %s",
                                      ngx_http_passport_json_type(v, ctx->lang))
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

    if (len) {
        (void) ngx_http_passport_seller_parse(data, len, &sl);
    }

    if (sl.err == NGX_HTTP_PASSPORT_ID_EMPTY) {

        if (!listing) {
            if (ngx_http_passport_problem(ck->r, ctx,
                                          NGX_HTTP_PASSPORT_SELLER_MISSING,
                                          pointer, NULL, 0,
                                          "the item has no seller ID and the "
                                          "listing has none either",
                                          "sản phẩm không có mã người bán "
                                          "và tin đăng cũng không có")
                != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        return NGX_OK;
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
ngx_http_passport_check_item(ngx_http_passport_check_t *ck, json_t *item,
    ngx_int_t index)
{
    json_t                        *code;
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

    code = ngx_http_passport_pointer_get(item, plcf->item_code);

    if (code == NULL || json_is_null(code)) {
        if (ngx_http_passport_code_missing(ck, item, &it.pointer) != NGX_OK) {
            return NGX_ERROR;
        }

    } else if (ngx_http_passport_check_code(ck, code, it.origin, &it.pointer,
                                            &it.code)
               != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_passport_check_item_seller(ck, item, index, &it) != NGX_OK) {
        return NGX_ERROR;
    }

    /* only items that passed the local rules go to the registry */

    if (plcf->registry == NULL || ck->ctx->errors.nelts != nerrors
        || it.code.len == 0)
    {
        return NGX_OK;
    }

    it.value = (u_char *) json_string_value(code);
    it.value_len = json_string_length(code);

    return ngx_http_passport_keep_item(ck, &it);
}


static ngx_int_t
ngx_http_passport_code_missing(ngx_http_passport_check_t *ck, json_t *item,
    ngx_str_t *pointer)
{
    ngx_http_passport_ctx_t  *ctx;

    ctx = ck->ctx;

    if (json_is_object(item) || ck->plcf->item_code->ntokens == 0) {
        return ngx_http_passport_problem(ck->r, ctx,
                                         NGX_HTTP_PASSPORT_CODE_MISSING,
                                         pointer, NULL, 0,
                                         "the item has no trace code",
                                         "sản phẩm không có mã truy xuất");
    }

    return ngx_http_passport_problem(ck->r, ctx,
                                     NGX_HTTP_PASSPORT_CODE_MISSING,
                                     pointer, NULL, 0,
                                     "the item is a JSON %s, not an object",
                                     "sản phẩm là %s JSON, "
                                     "không phải đối tượng",
                                     ngx_http_passport_json_type(item,
                                                                 ctx->lang));
}


/* the item's seller: its own, else the listing's */

static ngx_int_t
ngx_http_passport_check_item_seller(ngx_http_passport_check_t *ck,
    json_t *item, ngx_int_t index, ngx_http_passport_item_t *it)
{
    json_t                        *v;
    ngx_http_passport_loc_conf_t  *plcf;

    plcf = ck->plcf;
    it->seller = ck->ctx->seller;

    if (plcf->item_seller == NULL) {
        return NGX_OK;
    }

    v = ngx_http_passport_pointer_get(item, plcf->item_seller);

    if ((v == NULL || json_is_null(v) || ngx_http_passport_blank(v))
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

    if (json_is_string(v)) {
        it->own_seller = 1;
        it->seller_value = (u_char *) json_string_value(v);
        it->seller_value_len = json_string_length(v);
    }

    return NGX_OK;
}


/* an item that passed the local rules, kept for the registry's answers */

static ngx_int_t
ngx_http_passport_keep_item(ngx_http_passport_check_t *ck,
    ngx_http_passport_item_t *it)
{
    ngx_http_passport_ctx_t   *ctx;
    ngx_http_passport_item_t  *item;

    ctx = ck->ctx;

    if (ctx->items.elts == NULL
        && ngx_array_init(&ctx->items, ck->r->pool, 4,
                          sizeof(ngx_http_passport_item_t))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    item = ngx_array_push(&ctx->items);
    if (item == NULL) {
        return NGX_ERROR;
    }

    *item = *it;

    return NGX_OK;
}


/* the code's first problem, if any; origin is the claimed one or -1 */

static ngx_int_t
ngx_http_passport_check_code(ngx_http_passport_check_t *ck, json_t *v,
    int origin, ngx_str_t *pointer, ngx_str_t *canon)
{
    u_char                     *data;
    size_t                      len;
    ngx_http_passport_ctx_t    *ctx;
    ngx_http_passport_error_t   e;
    ngx_http_passport_code_t    code;

    ctx = ck->ctx;

    if (ngx_http_passport_value_text(ck->r, v, &data, &len) != NGX_OK) {
        return NGX_ERROR;
    }

    if (!json_is_string(v)) {
        if (ngx_http_passport_problem(ck->r, ctx,
                                      NGX_HTTP_PASSPORT_CODE_INVALID, pointer,
                                      data, len,
                                      "the trace code must be a JSON string, "
                                      "found %s",
                                      "mã truy xuất phải là chuỗi JSON, "
                                      "nhận được %s",
                                      ngx_http_passport_json_type(v, ctx->lang))
            != NGX_OK)
        {
            return NGX_ERROR;
        }
        return NGX_OK;
    }

    (void) ngx_http_passport_code_parse(data, len, ck->today, &code);

    if (code.err == NGX_HTTP_PASSPORT_ID_SHAPE) {
        canon->len = len;
        canon->data = (u_char *) ngx_http_passport_trim(data, &canon->len, 1);

        /* opaque codes are looked up as written, less white space */

        if (ngx_http_passport_pattern_match(ck->plcf, canon->data, canon->len)) {
            return NGX_OK;
        }

        ngx_str_null(canon);
    }

    if (!ngx_http_passport_code_rules(&code, origin, ck->today,
                                      (int) ctx->lang, &e))
    {
        canon->data = ngx_pnalloc(ck->r->pool, code.len);
        if (canon->data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(canon->data, code.canon, code.len);
        canon->len = code.len;

        return NGX_OK;
    }

    return ngx_http_passport_add_rule_error(ck->r, ctx, &e, pointer, data,
                                            len);
}


/*
 * The item's claimed origin as an ISO 3166-1 numeric code in *origin, -1
 * when none is claimed.  One that is no country is a problem of its own,
 * reported at its own pointer whatever the code.
 */

static ngx_int_t
ngx_http_passport_check_origin(ngx_http_passport_check_t *ck, json_t *item,
    ngx_int_t index, int *origin)
{
    u_char                     *data, buf[4];
    size_t                      len;
    double                      d;
    json_t                     *v;
    ngx_str_t                   ptr;
    ngx_http_passport_ctx_t    *ctx;

    *origin = -1;

    if (ck->plcf->item_origin == NULL) {
        return NGX_OK;
    }

    v = ngx_http_passport_pointer_get(item, ck->plcf->item_origin);

    if (v == NULL || json_is_null(v)) {
        return NGX_OK;
    }

    if (json_is_string(v)) {
        *origin = ngx_http_passport_country((u_char *) json_string_value(v),
                                            json_string_length(v));

    } else if (json_is_number(v)) {
        d = json_number_value(v);

        if (d >= 1 && d <= 999 && d == (int) d) {
            ngx_sprintf(buf, "%03d", (int) d);
            *origin = ngx_http_passport_country(buf, 3);
        }
    }

    if (*origin >= 0) {
        return NGX_OK;
    }

    ctx = ck->ctx;

    if (ngx_http_passport_value_text(ck->r, v, &data, &len) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_passport_pointer_join(ck->r->pool, &ptr, ck->plcf->items,
                                       index, ck->plcf->item_origin)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_passport_problem(ck->r, ctx, NGX_HTTP_PASSPORT_ORIGIN_MISMATCH,
                                  &ptr, data, len,
                                  "the claimed origin is not an ISO 3166-1 "
                                  "country code",
                                  "xuất xứ khai báo không phải mã quốc gia "
                                  "ISO 3166-1")
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}
