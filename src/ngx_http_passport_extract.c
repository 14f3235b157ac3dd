
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_body.h"
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


static ngx_pool_t *ngx_http_passport_scratch_get(void);
static void ngx_http_passport_scratch_done(void);
static void ngx_http_passport_scratch_free(void *data);
static void *ngx_http_passport_doc_alloc(void *pool, size_t size);
static void ngx_http_passport_doc_free(void *pool, void *p);
static ngx_int_t ngx_http_passport_not_json(ngx_http_passport_check_t *ck);
static void ngx_http_passport_not_json_here(ngx_http_passport_check_t *ck,
    json_error_t *jerr);
static json_t *ngx_http_passport_loadb(ngx_pool_t *pool, ngx_str_t *body,
    json_error_t *jerr);
static void *ngx_http_passport_json_alloc(size_t size);
static void ngx_http_passport_json_free(void *p);
static ngx_int_t ngx_http_passport_check_body(ngx_http_passport_check_t *ck);
static ngx_int_t ngx_http_passport_release(ngx_http_passport_check_t *ck);
static ngx_int_t ngx_http_passport_keep(ngx_pool_t *pool, u_char **data,
    size_t len);
static ngx_int_t ngx_http_passport_parse(ngx_http_passport_check_t *ck);
static ngx_int_t ngx_http_passport_too_complex(ngx_http_passport_check_t *ck);
static ngx_uint_t ngx_http_passport_shape_ok(ngx_http_passport_jtok_t *root,
    ngx_http_passport_pointer_t *items);
static ngx_int_t ngx_http_passport_shape_problem(
    ngx_http_passport_check_t *ck);
static ngx_int_t ngx_http_passport_check_items(ngx_http_passport_check_t *ck);
static ngx_int_t ngx_http_passport_check_list(ngx_http_passport_check_t *ck,
    size_t items);
static ngx_int_t ngx_http_passport_check_item(ngx_http_passport_check_t *ck,
    size_t item, ngx_int_t index);
static ngx_int_t ngx_http_passport_keep_item(ngx_http_passport_check_t *ck,
    ngx_http_passport_item_t *it, ngx_array_t *items);


static char *ngx_http_passport_check_limit(ngx_conf_t *cf, void *post,
    void *data);


static ngx_str_t  ngx_http_passport_root = ngx_null_string;


/*
 * The body's copy (when it needs one) and its tokens
 * (src/core/passport_json_tok.c) live in a scratch pool of the worker,
 * only through ngx_http_passport_check(): the pool is reset when the
 * check is over, or given back when a large listing made it grow.
 *
 * jansson reads a body only when the tokenizer refused it, for the
 * line, column and kind of its syntax error, which the seller is shown as
 * before; it takes its tree from the scratch pool too.
 * json_set_alloc_funcs() is global to the process: the pool's functions
 * are set around json_loadb() only, and the previous ones set back right
 * after, so every other jansson user (registry records, the report log)
 * keeps malloc().  That is safe because a worker runs its event loop in
 * one thread and json_loadb() neither yields nor calls back: no other
 * jansson call can happen meanwhile (the report log's thread pool tasks do
 * not use jansson, see docs/architecture.md).  The tree is never given to
 * json_decref(), whose free() would be malloc()'s by then: it goes with
 * the pool.
 */

#define NGX_HTTP_PASSPORT_SCRATCH_SIZE  (32 * 1024)

static ngx_pool_t  *ngx_http_passport_scratch;      /* the worker's */
static ngx_uint_t   ngx_http_passport_scratch_cln;  /* its cleanup is set */
static ngx_pool_t  *ngx_http_passport_json_pool;    /* in json_loadb() */


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

    ck.pool = ngx_http_passport_scratch_get();
    if (ck.pool == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_passport_body_collect(r, ck.pool, &ctx->body);

    if (rc == NGX_OK) {
        rc = ngx_http_passport_check_body(&ck);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_passport_release(&ck);
    }

    /* the tokens and the body's copy go with the scratch pool */

    if (rc != NGX_OK) {
        /* a failed check is a 500: nothing of the tree is shown */
        ngx_str_null(&ctx->seller_raw);
    }

    ngx_str_null(&ctx->body);

    ngx_http_passport_scratch_done();

    return rc;
}


static ngx_pool_t *
ngx_http_passport_scratch_get(void)
{
    ngx_pool_cleanup_t  *cln;

    if (ngx_http_passport_scratch) {
        return ngx_http_passport_scratch;
    }

    /*
     * Whatever pool is the scratch when the cycle goes is destroyed then,
     * before the module is unloaded: one cleanup for the worker's life
     */

    if (!ngx_http_passport_scratch_cln) {
        cln = ngx_pool_cleanup_add(ngx_cycle->pool, 0);
        if (cln == NULL) {
            return NULL;
        }

        cln->handler = ngx_http_passport_scratch_free;
        ngx_http_passport_scratch_cln = 1;
    }

    ngx_http_passport_scratch =
        ngx_create_pool(NGX_HTTP_PASSPORT_SCRATCH_SIZE, ngx_cycle->log);

    return ngx_http_passport_scratch;
}


static void
ngx_http_passport_scratch_free(void *data)
{
    if (ngx_http_passport_scratch) {
        ngx_destroy_pool(ngx_http_passport_scratch);
        ngx_http_passport_scratch = NULL;
    }

    ngx_http_passport_scratch_cln = 0;
}


static void
ngx_http_passport_scratch_done(void)
{
    ngx_pool_t  *pool;

    pool = ngx_http_passport_scratch;

    if (pool == NULL) {
        return;
    }

    if (pool->d.next) {
        /* a large listing made it grow: the memory goes back */
        ngx_destroy_pool(pool);
        ngx_http_passport_scratch = NULL;
        return;
    }

    /* the large blocks are freed, the first block is kept */
    ngx_reset_pool(pool);
}


static json_t *
ngx_http_passport_loadb(ngx_pool_t *pool, ngx_str_t *body, json_error_t *jerr)
{
    json_t         *root;
    json_free_t     free_fn;
    json_malloc_t   malloc_fn;

    json_get_alloc_funcs(&malloc_fn, &free_fn);

    ngx_http_passport_json_pool = pool;
    json_set_alloc_funcs(ngx_http_passport_json_alloc,
                         ngx_http_passport_json_free);

    /*
     * Duplicate keys are refused: the backend might read the other one.
     * Integers are read as reals so that a huge number in a field we do
     * not check is not an error.
     */

    root = json_loadb((const char *) body->data, body->len,
                      JSON_DECODE_ANY|JSON_REJECT_DUPLICATES
                      |JSON_ALLOW_NUL|JSON_DECODE_INT_AS_REAL, jerr);

    json_set_alloc_funcs(malloc_fn, free_fn);
    ngx_http_passport_json_pool = NULL;

    return root;
}


static void *
ngx_http_passport_json_alloc(size_t size)
{
    return ngx_palloc(ngx_http_passport_json_pool, size);
}


/* what jansson gives back while parsing: a large block goes at once */

static void
ngx_http_passport_json_free(void *p)
{
    if (p != NULL) {
        (void) ngx_pfree(ngx_http_passport_json_pool, p);
    }
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

    if (!ngx_http_passport_shape_ok(&ck->doc.tok[0], ck->plcf->items)) {
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
 * the listing seller as sent) is copied into the request pool; the JSON
 * tree and the body's copy go with the scratch pool as soon as the check
 * is over, rather than when the request ends, which a slow upstream or
 * client can put off for long.  A problem's value is shown cut to
 * NGX_HTTP_PASSPORT_VALUE_MAX bytes, so no more is kept of it.
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
    time_t         now;
    ngx_tm_t       tm;
    static long    today;
    static time_t  last = -1;

    /* the worker's clock moves once a timer tick: at most once a second */

    now = ngx_time();

    if (now == last) {
        return today;
    }

    ngx_gmtime(now + NGX_HTTP_PASSPORT_TZ_OFFSET, &tm);

    last = now;
    today = (long) tm.ngx_tm_year * 10000 + tm.ngx_tm_mon * 100
            + tm.ngx_tm_mday;

    return today;
}


/* NGX_DECLINED: the body is no JSON, which is the request's problem */

static ngx_int_t
ngx_http_passport_parse(ngx_http_passport_check_t *ck)
{
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

    /* the values are counted as they are read, and stop at the limit */

    ck->doc.alloc = ngx_http_passport_doc_alloc;
    ck->doc.free = ngx_http_passport_doc_free;
    ck->doc.alloc_data = ck->pool;

    switch (ngx_http_passport_jtok_parse(&ck->doc, ctx->body.data,
                                         ctx->body.len,
                                         ck->plcf->max_json_values))
    {
    case NGX_HTTP_PASSPORT_JT_OK:
        return NGX_OK;

    case NGX_HTTP_PASSPORT_JT_TOO_COMPLEX:
        return ngx_http_passport_too_complex(ck);

    case NGX_HTTP_PASSPORT_JT_INVALID:
        return ngx_http_passport_not_json(ck);

    default: /* NGX_HTTP_PASSPORT_JT_NOMEM */
        return NGX_ERROR;
    }
}


static void *
ngx_http_passport_doc_alloc(void *pool, size_t size)
{
    return ngx_palloc(pool, size);
}


/* a token array outgrown: a large one goes at once */

static void
ngx_http_passport_doc_free(void *pool, void *p)
{
    (void) ngx_pfree(pool, p);
}


/*
 * The body is no JSON: as before the tokenizer, a body of more values than
 * allowed is "too complex" whatever its syntax, and the syntax error is
 * the one jansson finds, with its line and column.
 */

static ngx_int_t
ngx_http_passport_not_json(ngx_http_passport_check_t *ck)
{
    json_t                   *root;
    json_error_t              jerr;
    ngx_http_passport_ctx_t  *ctx;

    ctx = ck->ctx;

    if (ngx_http_passport_json_values(ctx->body.data, ctx->body.len,
                                      ck->plcf->max_json_values)
        > ck->plcf->max_json_values)
    {
        return ngx_http_passport_too_complex(ck);
    }

    root = ngx_http_passport_loadb(ck->pool, &ctx->body, &jerr);

    if (root != NULL) {
        /* jansson skips a NUL byte after a number or literal: not we */
        ngx_http_passport_not_json_here(ck, &jerr);
    }

    if (ngx_http_passport_json_syntax(ck->r, ctx, &ngx_http_passport_root,
                                      &jerr)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_DECLINED;
}


/*
 * The error where the tokenizer stopped, as jansson would say it: the
 * line, and the column in characters; its code is kept in the last byte
 * of the text, where json_error_code() reads it.
 */

static void
ngx_http_passport_not_json_here(ngx_http_passport_check_t *ck,
    json_error_t *jerr)
{
    u_char  *p, *last;

    ngx_memzero(jerr, sizeof(json_error_t));

    jerr->line = 1;
    last = ck->ctx->body.data + ngx_min(ck->doc.error + 1,
                                        ck->ctx->body.len);

    for (p = ck->ctx->body.data; p < last; p++) {
        if (*p == '\n') {
            jerr->line++;
            jerr->column = 0;

        } else if ((*p & 0xC0) != 0x80) {
            jerr->column++;
        }
    }

    jerr->position = (int) (last - ck->ctx->body.data);
    ngx_cpystrn((u_char *) jerr->text, (u_char *) "invalid token",
                JSON_ERROR_TEXT_LENGTH - 1);
    jerr->text[JSON_ERROR_TEXT_LENGTH - 1] = (char) json_error_invalid_syntax;
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
ngx_http_passport_shape_ok(ngx_http_passport_jtok_t *root,
    ngx_http_passport_pointer_t *items)
{
    if (root->type == NGX_HTTP_PASSPORT_JT_OBJECT) {
        return 1;
    }

    if (items == NULL || root->type != NGX_HTTP_PASSPORT_JT_ARRAY) {
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
    type = ngx_http_passport_json_type(&ck->doc, 0, ctx->lang);

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
    size_t     i, n, items, item;
    ngx_int_t  rc;

    if (ck->plcf->items == NULL) {
        return ngx_http_passport_check_item(ck, 0, -1);
    }

    items = ngx_http_passport_pointer_get(&ck->doc, 0, ck->plcf->items);

    rc = ngx_http_passport_check_list(ck, items);
    if (rc != NGX_OK) {
        return rc == NGX_DECLINED ? NGX_OK : NGX_ERROR;
    }

    n = ck->doc.tok[items].size;

    /* the elements follow the array, each one's next is the one after */

    for (i = 0, item = items + 1; i < n; i++, item = ck->doc.tok[item].next) {
        if (ngx_http_passport_check_item(ck, item, (ngx_int_t) i) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* NGX_DECLINED: the list has a problem, and its items are not checked */

static ngx_int_t
ngx_http_passport_check_list(ngx_http_passport_check_t *ck, size_t items)
{
    size_t                     size;
    ngx_int_t                  rc;
    ngx_str_t                 *ptr;
    ngx_http_request_t        *r;
    ngx_http_passport_ctx_t   *ctx;
    ngx_http_passport_jtok_t  *t;

    r = ck->r;
    ctx = ck->ctx;
    ptr = &ck->plcf->items->text;
    t = (items == NGX_HTTP_PASSPORT_JT_NONE) ? NULL : &ck->doc.tok[items];
    size = t ? t->size : 0;

    if (t == NULL || t->type == NGX_HTTP_PASSPORT_JT_NULL) {
        rc = ngx_http_passport_problem(r, ctx, NGX_HTTP_PASSPORT_CODE_MISSING,
                                       ptr, NULL, 0,
                                       NGX_HTTP_PASSPORT_MSG(REQ_NO_ITEMS));

    } else if (t->type != NGX_HTTP_PASSPORT_JT_ARRAY) {
        rc = ngx_http_passport_problem(r, ctx,
                                       NGX_HTTP_PASSPORT_BODY_MALFORMED,
                                       ptr, NULL, 0,
                                     NGX_HTTP_PASSPORT_MSG(REQ_ITEMS_NOT_ARRAY),
                                       ngx_http_passport_json_type(&ck->doc,
                                                                   items,
                                                                   ctx->lang));

    } else if (size > ck->plcf->max_items) {
        rc = ngx_http_passport_problem(r, ctx,
                                       NGX_HTTP_PASSPORT_TOO_MANY_ITEMS,
                                       ptr, NULL, 0,
                                      NGX_HTTP_PASSPORT_MSG(REQ_TOO_MANY_ITEMS),
                                       size, (size_t) ck->plcf->max_items);

    } else if (size == 0) {
        rc = ngx_http_passport_problem(r, ctx, NGX_HTTP_PASSPORT_CODE_MISSING,
                                       ptr, NULL, 0,
                                       NGX_HTTP_PASSPORT_MSG(REQ_ITEMS_EMPTY));

    } else {
        return NGX_OK;
    }

    return rc == NGX_OK ? NGX_DECLINED : NGX_ERROR;
}


static ngx_int_t
ngx_http_passport_check_item(ngx_http_passport_check_t *ck, size_t item,
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

    if ((plcf->registry == NULL && plcf->lei_registry == NULL)
        || ck->ctx->errors.nelts != nerrors
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
