
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"


/*
 * Registry lookups, shared while in flight.  A registry object keeps its
 * lookups in flight in a tree, by name (registry.c): every request
 * waiting for one is a "waiter" on it.  A lookup takes a fresh answer
 * from the object's cache if there is one (lookup.c looks there first for
 * all of a request's lookups, in one trip); otherwise it waits for another
 * worker that fetches the same name, or fetches it itself
 * (registry_fetch.c) unless the breaker is open.  It lives in a pool of
 * its own and ends when it is answered or when its last waiter goes away.
 *
 * A worker has at most passport_registry_lookups of them at once.  A
 * lookup refused by that cap, or whose fetch failed here (no connection,
 * its time spent in the queue, no memory), is answered "busy": the
 * registry is not blamed, neither the breaker nor a stale answer is
 * involved, and the request is refused (REGISTRY_BUSY), never passed.
 */


typedef struct ngx_http_passport_lookup_s  ngx_http_passport_lookup_t;


struct ngx_http_passport_lookup_s {
    ngx_str_node_t              sn;            /* sn.str: the name */
    ngx_str_t                   url;           /* in the name */
    ngx_queue_t                 waiters;
    ngx_pool_t                 *pool;
    ngx_http_passport_registry_t  *reg;
    ngx_http_passport_cache_t  *cache;         /* or NULL */
    ngx_uint_t                  kind;
    ngx_str_t                   packed;        /* the answer, packed */
    ngx_str_t                   asked;         /* the ID or the code */
    ngx_http_passport_cache_key_t  ck;         /* ck.key: asked */
    size_t                      walk;          /* the code now asked for */
    ngx_http_passport_fetch_t   fetch;
    ngx_event_t                 poll;          /* another worker fetches */
    unsigned                    probe:1;
    unsigned                    locked:1;      /* holds the cache lock */
};


typedef struct {
    ngx_queue_t                 queue;
    ngx_http_passport_lookup_t *lookup;
    ngx_http_request_t         *r;             /* for its log */
    ngx_http_passport_answer_pt answer;
    void                       *data;
} ngx_http_passport_waiter_t;


static ngx_int_t ngx_http_passport_registry_hit(ngx_http_request_t *r,
    ngx_http_passport_cache_t *cache, ngx_uint_t kind,
    ngx_http_passport_cache_key_t *ck, ngx_str_t *packed,
    ngx_http_passport_answer_pt answer, void *data);
static ngx_http_passport_lookup_t *ngx_http_passport_registry_create(
    ngx_http_passport_registry_t *reg, ngx_str_t *name, ngx_str_t *url,
    ngx_uint_t kind, ngx_str_t *key, uint32_t hash);
static ngx_http_passport_waiter_t *ngx_http_passport_registry_wait(
    ngx_http_request_t *r, ngx_http_passport_lookup_t *lk,
    ngx_http_passport_answer_pt answer, void *data);
static void ngx_http_passport_registry_miss(ngx_http_passport_lookup_t *lk);
static void ngx_http_passport_registry_poll(ngx_event_t *ev);
static void ngx_http_passport_registry_fetched(void *data, CURLcode code,
    const char *cause);
static ngx_uint_t ngx_http_passport_registry_walk(
    ngx_http_passport_lookup_t *lk, long status);
static void ngx_http_passport_registry_answer(ngx_http_passport_lookup_t *lk,
    long status, u_char *body, size_t len, const char *cause,
    ngx_uint_t cache_status);
static ngx_int_t ngx_http_passport_registry_pack(
    ngx_http_passport_lookup_t *lk, ngx_http_passport_entity_t *ent,
    ngx_http_passport_record_t *rec, ngx_log_t *log);
static ngx_uint_t ngx_http_passport_registry_stale(
    ngx_http_passport_lookup_t *lk, ngx_log_t *log,
    ngx_http_passport_entity_t *ent, ngx_http_passport_record_t *rec);
static void ngx_http_passport_registry_deliver(ngx_http_passport_lookup_t *lk,
    const void *result, ngx_uint_t cache_status);
static void ngx_http_passport_registry_parse(ngx_uint_t kind,
    ngx_http_passport_registry_t *reg, ngx_str_t *asked, long status,
    u_char *body, size_t len, const char *cause,
    ngx_http_passport_entity_t *ent, ngx_http_passport_record_t *rec);
static void ngx_http_passport_registry_busy(ngx_http_passport_lookup_t *lk,
    const char *cause);
static void ngx_http_passport_registry_destroy(
    ngx_http_passport_lookup_t *lk);
static ngx_pool_t *ngx_http_passport_registry_end(
    ngx_http_passport_lookup_t *lk);


/* the lookups of this worker, all registries together */
static ngx_uint_t  ngx_http_passport_registry_nlookups;


/*
 * Starts or joins the lookup of a seller (ENTITY) or a code (CODE) in a
 * registry for a request.  The answer goes to answer(data, result,
 * cache_status), now or later; *waiter is what
 * ngx_http_passport_registry_cancel() takes while it is pending.  Returns
 * NGX_OK when the request now waits, NGX_DONE when the answer was
 * delivered at once (the cache, a stale answer, the breaker, busy),
 * NGX_DECLINED when the client is not running and NGX_BUSY when the worker
 * has as many lookups as it may (no answer is delivered for these two),
 * and NGX_ERROR.
 */

ngx_int_t
ngx_http_passport_registry_lookup(ngx_http_request_t *r,
    ngx_http_passport_registry_t *reg, ngx_uint_t kind, ngx_str_t *key,
    ngx_http_passport_answer_pt answer, void *data, void **waiter)
{
    uint32_t                        hash;
    ngx_str_t                       name, url, packed;
    ngx_uint_t                      st;
    ngx_http_passport_cache_t      *cache;
    ngx_http_passport_lookup_t     *lk;
    ngx_http_passport_waiter_t     *w;
    ngx_http_passport_cache_key_t   ck;
    ngx_http_passport_main_conf_t  *pmcf;

    if (!ngx_http_passport_curl_running()) {
        return NGX_DECLINED;
    }

    *waiter = NULL;

    if (ngx_http_passport_registry_key(r->pool, reg, kind, key, &name, &url)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    hash = ngx_crc32_long(name.data, name.len);
    lk = (ngx_http_passport_lookup_t *)
             ngx_str_rbtree_lookup(&reg->inflight, &name, hash);

    if (lk) {
        *waiter = ngx_http_passport_registry_wait(r, lk, answer, data);
        return *waiter ? NGX_OK : NGX_ERROR;
    }

    cache = reg->cache ? reg->cache->data : NULL;
    st = NGX_HTTP_PASSPORT_CACHE_MISS;
    ck.ns = ngx_http_passport_registry_ns(reg, kind);
    ck.key = *key;

    if (cache) {
        st = ngx_http_passport_cache_get(cache, &ck, r->pool,
                                         reg->endpoint.timeout, &packed);

        if (st == NGX_HTTP_PASSPORT_CACHE_HIT) {
            if (ngx_http_passport_registry_hit(r, cache, kind, &ck, &packed,
                                               answer, data)
                == NGX_OK)
            {
                return NGX_DONE;
            }

            /* an unreadable entry was dropped: ask again, as a miss */

            st = ngx_http_passport_cache_get(cache, &ck, r->pool,
                                             reg->endpoint.timeout, &packed);

            if (st == NGX_HTTP_PASSPORT_CACHE_HIT) {
                return NGX_ERROR;
            }
        }
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_passport_module);

    if (ngx_http_passport_registry_nlookups >= pmcf->registry_lookups) {
        if (cache && st == NGX_HTTP_PASSPORT_CACHE_MISS) {
            ngx_http_passport_cache_unlock(cache, &ck);
        }

        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "passport: registry lookup \"%V\" not made: "
                      "%ui lookups in flight in this worker "
                      "(passport_registry_lookups)", &url,
                      ngx_http_passport_registry_nlookups);
        return NGX_BUSY;
    }

    lk = ngx_http_passport_registry_create(reg, &name, &url, kind, key,
                                           hash);
    if (lk == NULL) {
        if (cache && st == NGX_HTTP_PASSPORT_CACHE_MISS) {
            ngx_http_passport_cache_unlock(cache, &ck);
        }

        return NGX_ERROR;
    }

    lk->cache = cache;
    lk->locked = (cache && st == NGX_HTTP_PASSPORT_CACHE_MISS);

    w = ngx_http_passport_registry_wait(r, lk, answer, data);
    if (w == NULL) {
        ngx_http_passport_registry_destroy(lk);
        return NGX_ERROR;
    }

    *waiter = w;

    if (st == NGX_HTTP_PASSPORT_CACHE_WAIT) {
        /* another worker is fetching it: wait for its answer */
        ngx_add_timer(&lk->poll, 50);
        return NGX_OK;
    }

    ngx_http_passport_registry_miss(lk);

    /* the answer may have come at once: the breaker is open, busy, stale */

    if (w->lookup == NULL) {
        *waiter = NULL;
        return NGX_DONE;
    }

    return NGX_OK;
}


/* NGX_DECLINED: the entry was unreadable, and is dropped */

static ngx_int_t
ngx_http_passport_registry_hit(ngx_http_request_t *r,
    ngx_http_passport_cache_t *cache, ngx_uint_t kind,
    ngx_http_passport_cache_key_t *ck, ngx_str_t *packed,
    ngx_http_passport_answer_pt answer, void *data)
{
    ngx_http_passport_record_t  rec;
    ngx_http_passport_entity_t  ent;

    if (ngx_http_passport_registry_unpack(cache, kind, ck, packed,
                                          r->connection->log, &ent, &rec)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    answer(data, kind == NGX_HTTP_PASSPORT_ENTITY ? (void *) &ent
                                                  : (void *) &rec,
           NGX_HTTP_PASSPORT_CACHE_HIT);

    return NGX_OK;
}


/*
 * A packed answer from the cache, read back for the key asked.  Bytes
 * that do not read back are a bug or a damaged zone: the entry is dropped
 * and the answer is an error.  An entry of another pack version (the zone
 * was kept across a reload with a newer module) is dropped quietly, as a
 * miss.
 */

ngx_int_t
ngx_http_passport_registry_unpack(ngx_http_passport_cache_t *cache,
    ngx_uint_t kind, ngx_http_passport_cache_key_t *ck, ngx_str_t *packed,
    ngx_log_t *log, ngx_http_passport_entity_t *ent,
    ngx_http_passport_record_t *rec)
{
    int  rc;

    ent->rc = NGX_HTTP_PASSPORT_REC_ERROR;
    rec->rc = NGX_HTTP_PASSPORT_REC_ERROR;
    rec->root = NULL;
    rec->sellers = NULL;
    rec->sellers_len = 0;

    if (packed->len && packed->data[0] != NGX_HTTP_PASSPORT_PACK_VERSION) {
        /* packed by another version of the module, before a reload */
        if (cache) {
            (void) ngx_http_passport_cache_purge(cache, ck);
        }

        return NGX_DECLINED;
    }

    if (kind == NGX_HTTP_PASSPORT_ENTITY) {
        rc = ngx_http_passport_entity_unpack(packed->data, packed->len,
                                             (char *) ck->key.data,
                                             ck->key.len, ent);
    } else {
        rc = ngx_http_passport_record_unpack(packed->data, packed->len,
                                             (char *) ck->key.data,
                                             ck->key.len, rec);
    }

    if (rc != NGX_HTTP_PASSPORT_REC_ERROR) {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_ALERT, log, 0,
                  "passport: cached record of \"%V\" is unreadable, "
                  "dropped", &ck->key);

    if (cache) {
        (void) ngx_http_passport_cache_purge(cache, ck);
    }

    return NGX_DECLINED;
}


static ngx_http_passport_lookup_t *
ngx_http_passport_registry_create(ngx_http_passport_registry_t *reg,
    ngx_str_t *name, ngx_str_t *url, ngx_uint_t kind, ngx_str_t *key,
    uint32_t hash)
{
    ngx_pool_t                  *pool;
    ngx_http_passport_lookup_t  *lk;

    pool = ngx_create_pool(1024, ngx_http_passport_curl_log());
    if (pool == NULL) {
        return NULL;
    }

    lk = ngx_pcalloc(pool, sizeof(ngx_http_passport_lookup_t));
    if (lk == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    lk->pool = pool;
    lk->reg = reg;
    lk->kind = kind;
    ngx_queue_init(&lk->waiters);

    /* the name and the key are kept with a NUL after them */

    lk->sn.str.len = name->len;
    lk->sn.str.data = ngx_pnalloc(pool, name->len + 1);
    lk->asked.len = key->len;
    lk->asked.data = ngx_pnalloc(pool, key->len + 1);

    if (lk->sn.str.data == NULL || lk->asked.data == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    ngx_memcpy(lk->sn.str.data, name->data, name->len + 1);
    *ngx_cpymem(lk->asked.data, key->data, key->len) = '\0';
    lk->walk = key->len;

    lk->url.data = lk->sn.str.data + (url->data - name->data);
    lk->url.len = url->len;

    lk->ck.ns = ngx_http_passport_registry_ns(reg, kind);
    lk->ck.key = lk->asked;

    lk->poll.handler = ngx_http_passport_registry_poll;
    lk->poll.data = lk;
    lk->poll.log = ngx_http_passport_curl_log();

    lk->sn.node.key = hash;
    ngx_rbtree_insert(&reg->inflight, &lk->sn.node);

    ngx_http_passport_registry_nlookups++;

    return lk;
}


static ngx_http_passport_waiter_t *
ngx_http_passport_registry_wait(ngx_http_request_t *r,
    ngx_http_passport_lookup_t *lk, ngx_http_passport_answer_pt answer,
    void *data)
{
    ngx_http_passport_waiter_t  *w;

    w = ngx_palloc(r->pool, sizeof(ngx_http_passport_waiter_t));
    if (w == NULL) {
        return NULL;
    }

    w->lookup = lk;
    w->r = r;
    w->answer = answer;
    w->data = data;
    ngx_queue_insert_tail(&lk->waiters, &w->queue);

    return w;
}


/* nobody has a fresh answer: ask the registry, unless it keeps failing */

static void
ngx_http_passport_registry_miss(ngx_http_passport_lookup_t *lk)
{
    ngx_uint_t  st;

    st = lk->cache ? NGX_HTTP_PASSPORT_CACHE_MISS
                   : NGX_HTTP_PASSPORT_CACHE_BYPASS;

    if (ngx_http_passport_registry_open(lk->reg, NULL)) {
        ngx_http_passport_registry_answer(lk, 0, NULL, 0,
                               NGX_HTTP_PASSPORT_MSG_CAUSE_BREAKER_OPEN_EN, st);
        return;
    }

    if (ngx_http_passport_fetch_start(&lk->fetch, lk->reg, lk->pool,
                                      lk->url.data,
                                      ngx_http_passport_registry_fetched, lk)
        != NGX_OK)
    {
        /* no memory, or libcurl did not take it: nothing about the registry */
        ngx_http_passport_registry_busy(lk,
                                   NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_STARTED_EN);
        return;
    }

    /* a half-open breaker lets this one through as its probe */
    lk->probe = ngx_http_passport_registry_probe(lk->reg);
}


static void
ngx_http_passport_registry_poll(ngx_event_t *ev)
{
    ngx_str_t                    packed;
    ngx_uint_t                   st;
    ngx_http_passport_lookup_t  *lk;
    ngx_http_passport_record_t   rec;
    ngx_http_passport_entity_t   ent;

    lk = ev->data;

    st = ngx_http_passport_cache_get(lk->cache, &lk->ck, lk->pool,
                                     lk->reg->endpoint.timeout, &packed);

    switch (st) {

    case NGX_HTTP_PASSPORT_CACHE_HIT:
        /* unreadable, it was dropped, and the answer is an error */
        (void) ngx_http_passport_registry_unpack(lk->cache, lk->kind,
                                                 &lk->ck, &packed,
                                                 ngx_http_passport_curl_log(),
                                                 &ent, &rec);
        ngx_http_passport_registry_deliver(lk,
                                           lk->kind == NGX_HTTP_PASSPORT_ENTITY
                                           ? (void *) &ent : (void *) &rec,
                                           NGX_HTTP_PASSPORT_CACHE_HIT);
        break;

    case NGX_HTTP_PASSPORT_CACHE_WAIT:
        ngx_add_timer(&lk->poll, 50);
        break;

    default:
        /* the other worker gave up or failed: fetch it ourselves */
        lk->locked = 1;
        ngx_http_passport_registry_miss(lk);
    }
}


static void
ngx_http_passport_registry_fetched(void *data, CURLcode code,
    const char *cause)
{
    ngx_http_passport_lookup_t *lk = data;

    long  status;

    status = ngx_http_passport_fetch_result(&lk->fetch, code, &cause);

    if (lk->fetch.ex.transfer.local) {
        ngx_http_passport_registry_busy(lk, cause);
        return;
    }

    if (cause == NULL && ngx_http_passport_registry_walk(lk, status)) {
        return;
    }

    ngx_http_passport_registry_answer(lk, status, lk->fetch.body,
                                      lk->fetch.len, cause,
                                      lk->cache
                                      ? NGX_HTTP_PASSPORT_CACHE_MISS
                                      : NGX_HTTP_PASSPORT_CACHE_BYPASS);
}


/*
 * GS1 resolvers answer for the most specific thing they know: a 404 for a
 * lot or a serial, with passport_registry_code_fallback, asks the registry
 * for the code's parent (its lot, then its GTIN).  The first record found
 * answers for the asked code and is cached under its name; a 404 for the
 * GTIN is the answer.  Returns 1 when the lookup went on (or ended busy).
 */

static ngx_uint_t
ngx_http_passport_registry_walk(ngx_http_passport_lookup_t *lk, long status)
{
    size_t                         n;
    ngx_str_t                      code, name, url;
    ngx_http_passport_registry_t  *reg;

    reg = lk->reg;

    if (status != 404 || lk->kind != NGX_HTTP_PASSPORT_CODE
        || !reg->code_fallback)
    {
        return 0;
    }

    n = ngx_http_passport_code_parent((char *) lk->asked.data, lk->walk);
    if (n == 0) {
        return 0;
    }

    /* the 404 was an answer: the breaker counts a success */

    ngx_http_passport_registry_breaker(reg, lk->probe, 0,
                                       ngx_http_passport_curl_log());
    lk->probe = 0;

    ngx_http_passport_fetch_close(&lk->fetch);
    ngx_memzero(&lk->fetch, sizeof(ngx_http_passport_fetch_t));

    code.data = lk->asked.data;
    code.len = n;

    if (ngx_http_passport_registry_key(lk->pool, reg, lk->kind, &code, &name,
                                       &url)
        != NGX_OK)
    {
        ngx_http_passport_registry_busy(lk,
                                   NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_STARTED_EN);
        return 1;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ngx_http_passport_curl_log(), 0,
                   "passport: no record of \"%V\", asking for \"%V\"",
                   &lk->url, &url);

    lk->walk = n;
    lk->url = url;
    reg->fallback_requests++;

    if (ngx_http_passport_fetch_start(&lk->fetch, reg, lk->pool,
                                      lk->url.data,
                                      ngx_http_passport_registry_fetched, lk)
        != NGX_OK)
    {
        ngx_http_passport_registry_busy(lk,
                                   NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_STARTED_EN);
    }

    return 1;
}


/*
 * A lookup is over: the answer is parsed once and handed to every request
 * waiting for it.  A fetched answer goes to the cache; a failed fetch is
 * logged once, whoever waits, and counted by the breaker, and a stale
 * answer stands in for it if the cache still has one.
 */

static void
ngx_http_passport_registry_answer(ngx_http_passport_lookup_t *lk,
    long status, u_char *body, size_t len, const char *cause,
    ngx_uint_t cache_status)
{
    ngx_log_t                   *log;
    ngx_uint_t                   failed, kind;
    ngx_http_passport_waiter_t  *w;
    ngx_http_passport_record_t   rec;
    ngx_http_passport_entity_t   ent;

    kind = lk->kind;

    ngx_http_passport_registry_parse(kind, lk->reg,
                                     &lk->asked, status, body, len, cause,
                                     &ent, &rec);

    failed = (kind == NGX_HTTP_PASSPORT_ENTITY ? ent.rc : rec.rc)
             == NGX_HTTP_PASSPORT_REC_ERROR;

    /* the first waiter's log names a client; any will do */

    log = ngx_http_passport_curl_log();

    if (!ngx_queue_empty(&lk->waiters)) {
        w = ngx_queue_data(ngx_queue_head(&lk->waiters),
                           ngx_http_passport_waiter_t, queue);
        log = w->r->connection->log;
    }

    if (lk->fetch.ex.started) {
        if (failed) {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "passport: registry lookup \"%V\" failed: %s",
                          &lk->url,
                          kind == NGX_HTTP_PASSPORT_ENTITY ? ent.cause
                                                           : rec.cause);
        }

        ngx_http_passport_registry_breaker(lk->reg, lk->probe, failed, log);
        lk->probe = 0;
    }

    /* the answer is packed once: for the cache and for the waiters */

    if (!failed
        && ngx_http_passport_registry_pack(lk, &ent, &rec, log) != NGX_OK)
    {
        ngx_http_passport_record_free(&rec);
        ngx_http_passport_registry_deliver(lk, NULL, cache_status);
        return;
    }

    if (lk->locked) {
        lk->locked = 0;

        if (!failed) {
            ngx_http_passport_cache_put(lk->cache, &lk->ck, lk->packed.data,
                                        lk->packed.len,
                                        ngx_http_passport_fetch_ttl(
                                            &lk->fetch, lk->cache, status,
                                            lk->reg->max_age));

        } else if (ngx_http_passport_registry_stale(lk, log, &ent, &rec)) {
            cache_status = NGX_HTTP_PASSPORT_CACHE_STALE;
        }
    }

    ngx_http_passport_registry_deliver(lk, kind == NGX_HTTP_PASSPORT_ENTITY
                                           ? (void *) &ent : (void *) &rec,
                                       cache_status);
}


/*
 * The parsed answer, packed into the lookup's pool (lk->packed) and read
 * back from there: the JSON tree goes, and the waiters get the record the
 * cache would give them.  NGX_ERROR: no memory.
 */

static ngx_int_t
ngx_http_passport_registry_pack(ngx_http_passport_lookup_t *lk,
    ngx_http_passport_entity_t *ent, ngx_http_passport_record_t *rec,
    ngx_log_t *log)
{
    size_t  n;

    if (lk->kind == NGX_HTTP_PASSPORT_ENTITY) {
        n = ngx_http_passport_entity_pack(ent, NULL, 0);

    } else {
        n = ngx_http_passport_record_pack(rec, lk->asked.len, NULL, 0);
    }

    lk->packed.data = (n > 0) ? ngx_pnalloc(lk->pool, n) : NULL;

    if (lk->packed.data == NULL) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "passport: registry answer \"%V\" not kept: "
                      "no memory", &lk->url);
        return NGX_ERROR;
    }

    if (lk->kind == NGX_HTTP_PASSPORT_ENTITY) {
        lk->packed.len = ngx_http_passport_entity_pack(ent, lk->packed.data,
                                                       n);
    } else {
        lk->packed.len = ngx_http_passport_record_pack(rec, lk->asked.len,
                                                       lk->packed.data, n);
        ngx_http_passport_record_free(rec);
    }

    (void) ngx_http_passport_registry_unpack(NULL, lk->kind, &lk->ck,
                                             &lk->packed, log, ent, rec);

    return NGX_OK;
}


/* after a failed fetch, which dropped the cache lock: an expired answer */

static ngx_uint_t
ngx_http_passport_registry_stale(ngx_http_passport_lookup_t *lk,
    ngx_log_t *log, ngx_http_passport_entity_t *ent,
    ngx_http_passport_record_t *rec)
{
    ngx_str_t                   packed;
    ngx_uint_t                  warn;
    ngx_http_passport_record_t  srec;
    ngx_http_passport_entity_t  sent;

    if (!ngx_http_passport_cache_stale(lk->cache, &lk->ck, lk->pool,
                                       &packed, &warn)
        || ngx_http_passport_registry_unpack(lk->cache, lk->kind, &lk->ck,
                                             &packed, log, &sent, &srec)
           != NGX_OK)
    {
        return 0;
    }

    if (warn) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "passport: registry lookup \"%V\" failed, "
                      "deciding with a stale record", &lk->url);
    }

    *ent = sent;
    *rec = srec;

    return 1;
}


/*
 * The fetch failed here, not at the registry: the breaker does not count
 * it, no stale answer stands in, and the waiters learn that the worker is
 * busy (a NULL answer).
 */

static void
ngx_http_passport_registry_busy(ngx_http_passport_lookup_t *lk,
    const char *cause)
{
    ngx_log_t                   *log;
    ngx_uint_t                   st;
    ngx_http_passport_waiter_t  *w;

    log = ngx_http_passport_curl_log();

    if (!ngx_queue_empty(&lk->waiters)) {
        w = ngx_queue_data(ngx_queue_head(&lk->waiters),
                           ngx_http_passport_waiter_t, queue);
        log = w->r->connection->log;
    }

    ngx_log_error(NGX_LOG_WARN, log, 0,
                  "passport: registry lookup \"%V\" not made here: %s; "
                  "the registry is not blamed", &lk->url, cause);

    if (lk->probe) {
        lk->reg->probing = 0;
        lk->probe = 0;
    }

    st = lk->cache ? NGX_HTTP_PASSPORT_CACHE_MISS
                   : NGX_HTTP_PASSPORT_CACHE_BYPASS;

    ngx_http_passport_registry_deliver(lk, NULL, st);
}


/*
 * The lookup goes first, its waiters detached: then they are answered,
 * and its pool, which may hold the answer, goes last.
 */

static void
ngx_http_passport_registry_deliver(ngx_http_passport_lookup_t *lk,
    const void *result, ngx_uint_t cache_status)
{
    ngx_pool_t                  *pool;
    ngx_queue_t                 *q, waiters;
    ngx_http_passport_waiter_t  *w;

    ngx_queue_init(&waiters);

    if (!ngx_queue_empty(&lk->waiters)) {
        waiters = lk->waiters;
        waiters.next->prev = &waiters;
        waiters.prev->next = &waiters;
        ngx_queue_init(&lk->waiters);
    }

    /* the result may be in the lookup's pool: it goes after the answers */

    pool = ngx_http_passport_registry_end(lk);

    for (q = ngx_queue_head(&waiters);
         q != ngx_queue_sentinel(&waiters);
         q = ngx_queue_next(q))
    {
        w = ngx_queue_data(q, ngx_http_passport_waiter_t, queue);
        w->lookup = NULL;
    }

    for (q = ngx_queue_head(&waiters);
         q != ngx_queue_sentinel(&waiters);
         q = ngx_queue_next(q))
    {
        w = ngx_queue_data(q, ngx_http_passport_waiter_t, queue);
        w->answer(w->data, result, cache_status);
    }

    ngx_destroy_pool(pool);
}


static void
ngx_http_passport_registry_parse(ngx_uint_t kind,
    ngx_http_passport_registry_t *reg, ngx_str_t *asked, long status,
    u_char *body, size_t len,
    const char *cause, ngx_http_passport_entity_t *ent,
    ngx_http_passport_record_t *rec)
{
    ent->rc = NGX_HTTP_PASSPORT_REC_ERROR;
    rec->rc = NGX_HTTP_PASSPORT_REC_ERROR;
    rec->root = NULL;
    rec->sellers = NULL;
    rec->sellers_len = 0;

    if (cause) {
        ngx_cpystrn((u_char *) ent->cause, (u_char *) cause,
                    sizeof(ent->cause));
        ngx_cpystrn((u_char *) rec->cause, (u_char *) cause,
                    sizeof(rec->cause));
        return;
    }

    if (kind == NGX_HTTP_PASSPORT_ENTITY && reg->lei) {
        (void) ngx_http_passport_lei_parse(status, body, len,
                                           (char *) asked->data, asked->len,
                                           ent);

    } else if (kind == NGX_HTTP_PASSPORT_ENTITY) {
        (void) ngx_http_passport_entity_parse(status, body, len,
                                              (char *) asked->data,
                                              asked->len, ent);
    }

    if (kind == NGX_HTTP_PASSPORT_ENTITY) {
        if (ent->rc == NGX_HTTP_PASSPORT_REC_NOT_FOUND) {
            /* the rules name the seller asked for; asked is not a C string */
            len = ngx_min(asked->len, sizeof(ent->id) - 1);
            ngx_memcpy(ent->id, asked->data, len);
            ent->id[len] = '\0';
        }

        return;
    }

    /* with the walk, the record of an ancestor answers for the code */

    if (reg->code_fallback) {
        (void) ngx_http_passport_record_parse_any(status, body, len,
                                                  (char *) asked->data,
                                                  asked->len, rec);
        return;
    }

    (void) ngx_http_passport_record_parse(status, body, len,
                                          (char *) asked->data, asked->len,
                                          rec);
}


/* a request goes away: a shared lookup carries on for the others */

void
ngx_http_passport_registry_cancel(void *waiter)
{
    ngx_http_passport_waiter_t  *w = waiter;

    ngx_http_passport_lookup_t  *lk;

    lk = w->lookup;

    if (lk == NULL) {
        return;
    }

    ngx_queue_remove(&w->queue);
    w->lookup = NULL;

    if (ngx_queue_empty(&lk->waiters)) {
        if (lk->probe) {
            lk->reg->probing = 0;
        }

        ngx_http_passport_registry_destroy(lk);
    }
}


static void
ngx_http_passport_registry_destroy(ngx_http_passport_lookup_t *lk)
{
    ngx_destroy_pool(ngx_http_passport_registry_end(lk));
}


/*
 * The lookup is over for everybody: out of the tree, its waiters
 * detached, its transfer closed.  Its pool is returned, still alive: it
 * holds the answer until the waiters have it.
 */

static ngx_pool_t *
ngx_http_passport_registry_end(ngx_http_passport_lookup_t *lk)
{
    ngx_queue_t                 *q;
    ngx_http_passport_waiter_t  *w;

    ngx_rbtree_delete(&lk->reg->inflight, &lk->sn.node);

    while (!ngx_queue_empty(&lk->waiters)) {
        q = ngx_queue_head(&lk->waiters);
        ngx_queue_remove(q);
        w = ngx_queue_data(q, ngx_http_passport_waiter_t, queue);
        w->lookup = NULL;
    }

    if (lk->poll.timer_set) {
        ngx_del_timer(&lk->poll);
    }

    if (lk->locked) {
        /* nobody waits for it any more: let another worker fetch it */
        ngx_http_passport_cache_unlock(lk->cache, &lk->ck);
    }

    ngx_http_passport_fetch_close(&lk->fetch);

    ngx_http_passport_registry_nlookups--;

    return lk->pool;
}


/* lookups still in flight are aborted; their requests go away too */

void
ngx_http_passport_registry_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                      i;
    ngx_rbtree_t                   *tree;
    ngx_http_passport_lookup_t     *lk;
    ngx_http_passport_registry_t  **regs;
    ngx_http_passport_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_passport_module);
    if (pmcf == NULL) {
        return;
    }

    regs = pmcf->registries.elts;

    for (i = 0; i < pmcf->registries.nelts; i++) {
        tree = &regs[i]->inflight;

        while (tree->root != tree->sentinel) {
            lk = (ngx_http_passport_lookup_t *)
                     ngx_rbtree_min(tree->root, tree->sentinel);
            ngx_http_passport_registry_destroy(lk);
        }
    }
}
