
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_lookup.h"
#include "ngx_http_passport_problems.h"


/*
 * The lookups of one request: its distinct sellers and trace codes (the
 * "slots"), started together.  Each answer is kept in its slot; when the
 * last one is in, the handler's callback is told (it resumes the request
 * outside of libcurl's callbacks), and the handler then applies the
 * cross-checks with ngx_http_passport_lookups_apply().
 *
 * The cache is asked first for all of them at once, one trip into the
 * shared zone (one per zone); only what it has not go on to the registry
 * side (registry_share.c), where lookups in flight are shared.
 *
 * A request has at most passport_registry_request_lookups lookups in
 * flight.  When a lookup cannot be made (that cap, the worker's, or a
 * local failure), the request stops waiting for the others: it is
 * refused as REGISTRY_BUSY, unless an answer already in shows a problem.
 */


/* one distinct registry lookup of a request */
typedef struct {
    ngx_http_passport_ctx_t    *ctx;
    ngx_pool_t                 *pool;           /* the request's */
    ngx_http_passport_registry_t  *reg;         /* asked of */
    ngx_uint_t                  kind;           /* ENTITY or CODE */
    ngx_str_t                   key;            /* ID or canonical code */
    ngx_str_t                   pointer;        /* for a seller: where */
    ngx_uint_t                  has_pointer;
    u_char                     *value;
    size_t                      value_len;
    void                       *waiter;         /* while in flight */
    ngx_uint_t                  done;
    ngx_uint_t                  busy;           /* not asked: a local limit */
    ngx_http_passport_entity_t  entity;         /* the answer, kept until */
    ngx_http_passport_record_t  record;         /* all are in */
} ngx_http_passport_slot_t;


static ngx_http_passport_registry_t *ngx_http_passport_slot_registry(
    ngx_http_passport_loc_conf_t *plcf, ngx_uint_t kind, ngx_str_t *key);
static ngx_int_t ngx_http_passport_add_slot(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_ctx_t *ctx,
    ngx_uint_t kind, ngx_str_t *key,
    ngx_str_t *pointer, u_char *value, size_t value_len);
static void ngx_http_passport_unavailable(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t index, const char *cause);
static void ngx_http_passport_slot_errors(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t index,
    ngx_http_passport_error_t *e);
static ngx_int_t ngx_http_passport_slot_error(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_http_passport_slot_t *slot,
    ngx_http_passport_item_t *item, ngx_http_passport_error_t *e);
static void ngx_http_passport_lookups_cached(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);
static void ngx_http_passport_slot_answer(void *data, const void *result,
    ngx_uint_t cache_status);
static void ngx_http_passport_slot_busy(ngx_http_passport_ctx_t *ctx,
    ngx_http_passport_slot_t *slot);
static void ngx_http_passport_evidence(ngx_http_passport_ctx_t *ctx,
    ngx_http_passport_slot_t *slot);
static void ngx_http_passport_busy(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t index);


/*
 * The lookups of a checked request, in the order their problems are to be
 * reported: the listing's seller, then each kept item's own seller and its
 * code.
 */

ngx_int_t
ngx_http_passport_lookups_plan(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_ctx_t *ctx)
{
    ngx_int_t                  slot;
    ngx_uint_t                 i;
    ngx_http_passport_item_t  *item;

    if (plcf->registry == NULL && plcf->lei_registry == NULL) {
        return NGX_OK;
    }

    if (ctx->seller.len
        && ngx_http_passport_add_slot(r, plcf, ctx, NGX_HTTP_PASSPORT_ENTITY,
                                      &ctx->seller,
                                      ctx->seller_pointer.len
                                          ? &ctx->seller_pointer : NULL,
                                      ctx->seller_raw.data,
                                      ctx->seller_raw.len)
           == NGX_ERROR)
    {
        return NGX_ERROR;
    }

    item = ctx->items.elts;

    for (i = 0; i < ctx->items.nelts; i++) {

        if (item[i].own_seller && item[i].seller.len
            && ngx_http_passport_add_slot(r, plcf, ctx,
                                          NGX_HTTP_PASSPORT_ENTITY,
                                          &item[i].seller,
                                          &item[i].seller_pointer,
                                          item[i].seller_value,
                                          item[i].seller_value_len)
               == NGX_ERROR)
        {
            return NGX_ERROR;
        }

        slot = ngx_http_passport_add_slot(r, plcf, ctx,
                                          NGX_HTTP_PASSPORT_CODE,
                                          &item[i].code, NULL, NULL, 0);
        if (slot == NGX_ERROR) {
            return NGX_ERROR;
        }

        item[i].slot = slot;
    }

    return NGX_OK;
}


/* an LEI seller goes to passport_lei_registry when there is one */

static ngx_http_passport_registry_t *
ngx_http_passport_slot_registry(ngx_http_passport_loc_conf_t *plcf,
    ngx_uint_t kind, ngx_str_t *key)
{
    ngx_http_passport_seller_t  sl;

    if (kind == NGX_HTTP_PASSPORT_ENTITY && plcf->lei_registry
        && ngx_http_passport_seller_parse(key->data, key->len, &sl)
           == NGX_HTTP_PASSPORT_ID_OK
        && sl.kind == NGX_HTTP_PASSPORT_SELLER_LEI)
    {
        return plcf->lei_registry;
    }

    return plcf->registry;
}


/* a slot's index, NGX_DECLINED: no registry for it, NGX_ERROR */

static ngx_int_t
ngx_http_passport_add_slot(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_ctx_t *ctx,
    ngx_uint_t kind, ngx_str_t *key, ngx_str_t *pointer, u_char *value,
    size_t value_len)
{
    ngx_uint_t                     i;
    ngx_http_passport_slot_t      *slot;
    ngx_http_passport_registry_t  *reg;

    reg = ngx_http_passport_slot_registry(plcf, kind, key);

    if (reg == NULL) {
        return NGX_DECLINED;
    }

    if (ctx->slots.elts == NULL
        && ngx_array_init(&ctx->slots, r->pool, 4,
                          sizeof(ngx_http_passport_slot_t))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the same seller or code is looked up once per request */

    slot = ctx->slots.elts;

    for (i = 0; i < ctx->slots.nelts; i++) {
        if (slot[i].kind == kind && slot[i].key.len == key->len
            && ngx_memcmp(slot[i].key.data, key->data, key->len) == 0)
        {
            return i;
        }
    }

    slot = ngx_array_push(&ctx->slots);
    if (slot == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(slot, sizeof(ngx_http_passport_slot_t));

    slot->ctx = ctx;
    slot->pool = r->pool;
    slot->reg = reg;
    slot->kind = kind;
    slot->key = *key;

    if (pointer) {
        slot->pointer = *pointer;
        slot->has_pointer = 1;
    }

    slot->value = value;
    slot->value_len = value_len;

    return ctx->slots.nelts - 1;
}


/*
 * NGX_OK: every answer is in, NGX_AGAIN: done(ctx) is called when the last
 * one arrives, NGX_ERROR.
 */

ngx_int_t
ngx_http_passport_lookups_start(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_ctx_t *ctx,
    ngx_http_passport_lookups_done_pt done)
{
    ngx_int_t                  rc;
    ngx_uint_t                 i, waiting;
    ngx_http_passport_slot_t  *slot;

    if (ctx->slots.nelts == 0) {
        return NGX_OK;
    }

    slot = ctx->slots.elts;

    /* the limits are the same for both registries of a location */

    ctx->on_registry_error = plcf->on_registry_error;
    ctx->retry_after = (slot[0].reg->breaker_cooldown + 999) / 1000;
    ctx->busy_retry_after = (slot[0].reg->endpoint.timeout + 999) / 1000;

    ctx->lookups_done = done;

    /* answers may arrive at once (the cache): they must not wake us */

    ctx->starting = 1;
    waiting = 0;

    ngx_http_passport_lookups_cached(r, ctx);

    for (i = 0; i < ctx->slots.nelts && !ctx->busy; i++) {

        if (slot[i].done) {
            continue;
        }

        if (waiting >= plcf->request_lookups) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "passport: %ui registry lookups in flight for the "
                          "request (passport_registry_request_lookups)",
                          waiting);
            ngx_http_passport_slot_busy(ctx, &slot[i]);
            break;
        }

        ctx->pending++;

        rc = ngx_http_passport_registry_lookup(r, slot[i].reg, slot[i].kind,
                                               &slot[i].key,
                                               ngx_http_passport_slot_answer,
                                               &slot[i], &slot[i].waiter);

        if (rc == NGX_ERROR) {
            ctx->starting = 0;
            return NGX_ERROR;
        }

        if (rc == NGX_OK) {
            waiting++;

        } else if (rc == NGX_BUSY) {
            ctx->pending--;
            ngx_http_passport_slot_busy(ctx, &slot[i]);

        } else if (rc == NGX_DECLINED) {
            ctx->pending--;
            ngx_http_passport_unavailable(r, ctx, i,
                                    NGX_HTTP_PASSPORT_MSG_CAUSE_CLIENT_DOWN_EN);
        }
    }

    ctx->starting = 0;

    for (i = 0; i < ctx->slots.nelts; i++) {
        (void) ngx_http_passport_registry_open(slot[i].reg, &ctx->retry_after);
    }

    return ctx->pending ? NGX_AGAIN : NGX_OK;
}


/*
 * The answers the cache has, all asked for in one trip: a hit is read
 * back into its slot here, in the request's pool, and the slot is done.
 */

static void
ngx_http_passport_lookups_cached(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx)
{
    ngx_uint_t                      i, n;
    ngx_http_passport_slot_t       *slot;
    ngx_http_passport_cache_ask_t  *asks;

    slot = ctx->slots.elts;
    n = 0;

    for (i = 0; i < ctx->slots.nelts; i++) {
        n += (slot[i].reg->cache != NULL);
    }

    if (n == 0) {
        return;
    }

    asks = ngx_palloc(r->pool, n * sizeof(ngx_http_passport_cache_ask_t));
    if (asks == NULL) {
        return;     /* each is looked up on its own */
    }

    n = 0;

    for (i = 0; i < ctx->slots.nelts; i++) {
        if (slot[i].reg->cache) {
            asks[n].cache = slot[i].reg->cache->data;
            asks[n].key.ns = ngx_http_passport_registry_ns(slot[i].reg,
                                                           slot[i].kind);
            asks[n].key.key = slot[i].key;
            n++;
        }
    }

    if (ngx_http_passport_cache_hits(asks, n, r->pool) == 0) {
        return;
    }

    n = 0;

    for (i = 0; i < ctx->slots.nelts; i++) {

        if (slot[i].reg->cache == NULL) {
            continue;
        }

        if (asks[n].status == NGX_HTTP_PASSPORT_CACHE_HIT
            && ngx_http_passport_registry_unpack(asks[n].cache, slot[i].kind,
                                                 &asks[n].key, &asks[n].rec,
                                                 r->connection->log,
                                                 &slot[i].entity,
                                                 &slot[i].record)
               == NGX_OK)
        {
            slot[i].done = 1;

            if (ctx->cache_status < NGX_HTTP_PASSPORT_CACHE_HIT) {
                ctx->cache_status = NGX_HTTP_PASSPORT_CACHE_HIT;
            }
        }

        n++;
    }
}


/*
 * A lookup could not be made: the request will be refused, it stops
 * waiting for its other lookups (which carry on for other requests).
 */

static void
ngx_http_passport_slot_busy(ngx_http_passport_ctx_t *ctx,
    ngx_http_passport_slot_t *slot)
{
    ngx_uint_t                 i;
    ngx_http_passport_slot_t  *s;

    slot->busy = 1;
    slot->done = 1;
    ctx->busy = 1;

    s = ctx->slots.elts;

    for (i = 0; i < ctx->slots.nelts; i++) {
        if (s[i].waiter) {
            ngx_http_passport_registry_cancel(s[i].waiter);
            s[i].waiter = NULL;
        }
    }

    ctx->pending = 0;
}


void
ngx_http_passport_lookups_cancel(ngx_http_passport_ctx_t *ctx)
{
    ngx_uint_t                 i;
    ngx_http_passport_slot_t  *slot;

    slot = ctx->slots.elts;

    for (i = 0; i < ctx->slots.nelts; i++) {
        if (slot[i].waiter) {
            ngx_http_passport_registry_cancel(slot[i].waiter);
            slot[i].waiter = NULL;
        }

        if (slot[i].done && slot[i].kind == NGX_HTTP_PASSPORT_CODE) {
            ngx_http_passport_record_free(&slot[i].record);
        }
    }
}


/*
 * An answer is kept in its slot: the cross-checks run once all are in, in
 * the order of the slots, so that the same request always gets the same
 * problem document whatever order the answers came in.
 */

static void
ngx_http_passport_slot_answer(void *data, const void *result,
    ngx_uint_t cache_status)
{
    ngx_http_passport_slot_t *slot = data;

    u_char                   *p;
    ngx_http_passport_ctx_t  *ctx;

    ctx = slot->ctx;
    slot->waiter = NULL;

    /* the answer lives only during the call: its sellers are copied */

    if (result && slot->kind == NGX_HTTP_PASSPORT_CODE) {
        slot->record = *(const ngx_http_passport_record_t *) result;

        if (slot->record.sellers_len) {
            p = ngx_pnalloc(slot->pool, slot->record.sellers_len);

            if (p == NULL) {
                result = NULL;

            } else {
                ngx_memcpy(p, slot->record.sellers,
                           slot->record.sellers_len);
                slot->record.sellers = p;
            }
        }
    }

    if (result == NULL) {
        ngx_http_passport_slot_busy(ctx, slot);

        if (!ctx->starting) {
            ctx->lookups_done(ctx);
        }

        return;
    }

    slot->done = 1;

    if (cache_status > ctx->cache_status) {
        ctx->cache_status = cache_status;
    }

    if (slot->kind == NGX_HTTP_PASSPORT_ENTITY) {
        slot->entity = *(const ngx_http_passport_entity_t *) result;
    }

    if (--ctx->pending == 0 && !ctx->starting) {
        ctx->lookups_done(ctx);
    }
}


void
ngx_http_passport_lookups_apply(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx)
{
    ngx_uint_t                   i, k;
    ngx_http_passport_item_t    *item;
    ngx_http_passport_slot_t    *slot;
    ngx_http_passport_error_t    e;

    slot = ctx->slots.elts;
    item = ctx->items.elts;

    for (k = 0; k < ctx->slots.nelts; k++) {

        if (!slot[k].done) {
            continue;
        }

        if (slot[k].busy) {
            ngx_http_passport_busy(r, ctx, k);
            continue;
        }

        if (slot[k].kind == NGX_HTTP_PASSPORT_ENTITY) {

            ngx_http_passport_evidence(ctx, &slot[k]);

            if (slot[k].entity.rc == NGX_HTTP_PASSPORT_REC_ERROR) {
                ngx_http_passport_unavailable(r, ctx, k,
                                              slot[k].entity.cause);

            } else if (ngx_http_passport_entity_rules(&slot[k].entity,
                                                      (int) ctx->lang, &e)
                       && ngx_http_passport_slot_error(r, ctx, &slot[k],
                                                       NULL, &e)
                          != NGX_OK)
            {
                ctx->failed = 1;
            }

            continue;
        }

        if (slot[k].record.rc == NGX_HTTP_PASSPORT_REC_ERROR) {
            ngx_http_passport_unavailable(r, ctx, k, slot[k].record.cause);
            continue;
        }

        for (i = 0; i < ctx->items.nelts; i++) {
            if (item[i].slot == (ngx_int_t) k
                && slot[k].record.rc == NGX_HTTP_PASSPORT_REC_OK)
            {
                /* the registry's evidence, for the report */
                item[i].status = slot[k].record.status;
                item[i].owner = slot[k].record.owner;
            }

            if (item[i].slot == (ngx_int_t) k
                && ngx_http_passport_record_rules(&slot[k].record,
                                              (char *) item[i].seller.data,
                                              item[i].seller.len,
                                              item[i].origin,
                                              (int) ctx->lang, &e)
                && ngx_http_passport_slot_error(r, ctx, &slot[k], &item[i],
                                                &e)
                   != NGX_OK)
            {
                ctx->failed = 1;
            }
        }

        ngx_http_passport_record_free(&slot[k].record);
    }
}


/* what the registry said of a seller, for the report */

static void
ngx_http_passport_evidence(ngx_http_passport_ctx_t *ctx,
    ngx_http_passport_slot_t *slot)
{
    ngx_uint_t                 i;
    const char                *name, *country;
    ngx_http_passport_item_t  *item;

    if (slot->entity.rc != NGX_HTTP_PASSPORT_REC_OK) {
        return;
    }

    /* the (legal) name and country, when the registry or GLEIF gave them */

    name = slot->entity.name[0] ? slot->entity.name : NULL;
    country = slot->entity.country[0] ? slot->entity.country : NULL;

    if (ctx->seller.len == slot->key.len
        && ngx_memcmp(ctx->seller.data, slot->key.data, slot->key.len) == 0)
    {
        ctx->seller_status = slot->entity.status;
        ctx->seller_name = name;
        ctx->seller_country = country;
    }

    item = ctx->items.elts;

    for (i = 0; i < ctx->items.nelts; i++) {
        if (item[i].own_seller && item[i].seller.len == slot->key.len
            && ngx_memcmp(item[i].seller.data, slot->key.data,
                          slot->key.len) == 0)
        {
            item[i].seller_status = slot->entity.status;
            item[i].seller_name = name;
            item[i].seller_country = country;
        }
    }
}


/* REGISTRY_BUSY for a slot not asked */

static void
ngx_http_passport_busy(ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx,
    ngx_uint_t index)
{
    ngx_http_passport_slot_t   *slot;
    ngx_http_passport_error_t   e;

    slot = ctx->slots.elts;
    slot = &slot[index];

    e.reason = NGX_HTTP_PASSPORT_REGISTRY_BUSY;
    ngx_http_passport_error_detail(&e, (int) ctx->lang,
        NGX_HTTP_PASSPORT_MSG(REGISTRY_NOT_ASKED),
        slot->kind == NGX_HTTP_PASSPORT_ENTITY
            ? NGX_HTTP_PASSPORT_TEXT(LOOKUP_SELLER, ctx->lang)
            : NGX_HTTP_PASSPORT_TEXT(LOOKUP_CODE, ctx->lang));

    ngx_http_passport_slot_errors(r, ctx, index, &e);
}


/* REGISTRY_UNAVAILABLE for a slot the registry did not answer */

static void
ngx_http_passport_unavailable(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t index, const char *cause)
{
    ngx_http_passport_slot_t   *slot;
    ngx_http_passport_error_t   e;

    slot = ctx->slots.elts;
    slot = &slot[index];

    /* the seller reads what to do; the cause is in the error log */

    ngx_http_passport_registry_rules(&e, (int) ctx->lang,
                                     slot->kind == NGX_HTTP_PASSPORT_ENTITY,
                                     cause, (unsigned) ctx->retry_after);

    ngx_http_passport_slot_errors(r, ctx, index, &e);
}


/* the problem e on the seller, or on each item with the slot's code */

static void
ngx_http_passport_slot_errors(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t index,
    ngx_http_passport_error_t *e)
{
    ngx_uint_t                  i;
    ngx_http_passport_item_t   *item;
    ngx_http_passport_slot_t   *slot;

    slot = ctx->slots.elts;
    slot = &slot[index];

    if (slot->kind == NGX_HTTP_PASSPORT_ENTITY) {
        if (ngx_http_passport_slot_error(r, ctx, slot, NULL, e) != NGX_OK) {
            ctx->failed = 1;
        }

        return;
    }

    item = ctx->items.elts;

    for (i = 0; i < ctx->items.nelts; i++) {
        if (item[i].slot == (ngx_int_t) index
            && ngx_http_passport_slot_error(r, ctx, slot, &item[i], e)
               != NGX_OK)
        {
            ctx->failed = 1;
        }
    }
}


static ngx_int_t
ngx_http_passport_slot_error(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_http_passport_slot_t *slot,
    ngx_http_passport_item_t *item, ngx_http_passport_error_t *e)
{
    if (item && e->reason == NGX_HTTP_PASSPORT_ORIGIN_MISMATCH
        && item->origin_pointer.len)
    {
        return ngx_http_passport_add_rule_error(r, ctx, e,
                                                &item->origin_pointer,
                                                item->origin_value,
                                                item->origin_value_len);
    }

    if (item) {
        return ngx_http_passport_add_rule_error(r, ctx, e, &item->pointer,
                                                item->value, item->value_len);
    }

    return ngx_http_passport_add_rule_error(r, ctx, e,
                                            slot->has_pointer ? &slot->pointer
                                                              : NULL,
                                            slot->value, slot->value_len);
}
