
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"

#include <openssl/err.h>


/*
 * The registry client: one libcurl multi handle per worker, driven by
 * nginx events and timers (the "multi socket" interface).  libcurl owns
 * its sockets; each one it asks us to watch gets an nginx connection
 * (counted against worker_connections) with level-triggered events.
 *
 * Lookups for the same URL that are in flight in a worker are shared:
 * every request waiting for one is a "waiter" on it.  A lookup lives in a
 * pool of its own and ends when it completes or when its last waiter
 * goes away.
 */


#define NGX_HTTP_PASSPORT_BODY_MAX  65536


typedef struct {
    CURLM                      *multi;
    ngx_event_t                 timer;
    ngx_rbtree_t                tree;          /* lookups by URL */
    ngx_rbtree_node_t           sentinel;
    ngx_uint_t                  active;
    ngx_log_t                  *log;

    /* one transfer that is not a lookup: the report push */
    CURL                       *transfer;
    ngx_http_passport_transfer_done_pt  transfer_done;
    void                       *transfer_data;
} ngx_http_passport_registry_t;


struct ngx_http_passport_lookup_s {
    ngx_str_node_t              sn;            /* sn.str: the URL */
    ngx_queue_t                 waiters;
    ngx_pool_t                 *pool;
    CURL                       *easy;
    struct curl_slist          *headers;
    ngx_http_passport_registry_conf_t  *rc;
    ngx_uint_t                  breaker_failures;
    ngx_msec_t                  breaker_cooldown;
    ngx_uint_t                  kind;
    ngx_str_t                   asked;
    u_char                     *body;
    size_t                      len;
    size_t                      size;
    ngx_event_t                 fail;          /* no connection slot */
    ngx_event_t                 poll;          /* another worker fetches */
    ngx_http_passport_loc_conf_t  *plcf;
    ngx_http_passport_cache_t  *cache;
    time_t                      max_age;       /* -1: none sent */
    char                        error[CURL_ERROR_SIZE];
    unsigned                    too_big:1;
    unsigned                    probe:1;
    unsigned                    no_store:1;
    unsigned                    locked:1;      /* holds the cache lock */
};


typedef struct {
    ngx_queue_t                 queue;
    ngx_http_passport_lookup_t *lookup;
    ngx_http_request_t         *r;
    ngx_uint_t                  index;
} ngx_http_passport_waiter_t;


static int ngx_http_passport_registry_socket(CURL *easy, curl_socket_t s,
    int what, void *userp, void *socketp);
static int ngx_http_passport_registry_timer(CURLM *multi, long timeout_ms,
    void *userp);
static void ngx_http_passport_registry_timer_handler(ngx_event_t *ev);
static void ngx_http_passport_registry_event(ngx_event_t *ev);
static void ngx_http_passport_registry_close(ngx_connection_t *c);
static void ngx_http_passport_registry_drain(void);
static void ngx_http_passport_registry_fail_handler(ngx_event_t *ev);
static void ngx_http_passport_registry_finish(ngx_http_passport_lookup_t *lk,
    CURLcode code, const char *cause);
static void ngx_http_passport_registry_answer(ngx_http_passport_lookup_t *lk,
    long status, u_char *body, size_t len, const char *cause,
    ngx_uint_t cache_status);
static void ngx_http_passport_registry_poll(ngx_event_t *ev);
static ngx_int_t ngx_http_passport_registry_fetch(
    ngx_http_passport_lookup_t *lk);
static void ngx_http_passport_registry_miss(ngx_http_passport_lookup_t *lk);
static void ngx_http_passport_registry_parse(ngx_uint_t kind,
    ngx_str_t *asked, long status, u_char *body, size_t len,
    const char *cause, ngx_http_passport_entity_t *ent,
    ngx_http_passport_record_t *rec);
static size_t ngx_http_passport_registry_header(char *buf, size_t size,
    size_t nitems, void *userdata);
static void ngx_http_passport_registry_breaker(ngx_http_passport_lookup_t *lk,
    ngx_uint_t failed, ngx_log_t *log);
static void ngx_http_passport_registry_destroy(
    ngx_http_passport_lookup_t *lk);
static size_t ngx_http_passport_registry_write(char *ptr, size_t size,
    size_t nmemb, void *userdata);
static ngx_http_passport_lookup_t *ngx_http_passport_registry_create(
    ngx_http_passport_loc_conf_t *plcf, ngx_str_t *url,
    ngx_http_passport_slot_t *slot, uint32_t hash);


/* per worker: set in init_process, NULL in the master and when unused */
static ngx_http_passport_registry_t  *ngx_http_passport_reg;


ngx_int_t
ngx_http_passport_registry_init_process(ngx_cycle_t *cycle)
{
    CURLM                          *multi;
    ngx_http_passport_registry_t   *reg;
    ngx_http_passport_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_passport_module);

    if (pmcf == NULL || (pmcf->registries == 0 && pmcf->push == NULL)) {
        return NGX_OK;
    }

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "passport: curl_global_init() failed");
        return NGX_ERROR;
    }

    reg = ngx_pcalloc(cycle->pool, sizeof(ngx_http_passport_registry_t));
    if (reg == NULL) {
        return NGX_ERROR;
    }

    multi = curl_multi_init();
    if (multi == NULL) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "passport: curl_multi_init() failed");
        return NGX_ERROR;
    }

    reg->multi = multi;
    reg->log = cycle->log;

    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION,
                      ngx_http_passport_registry_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, reg);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION,
                      ngx_http_passport_registry_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, reg);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long) CURLPIPE_MULTIPLEX);

    reg->timer.handler = ngx_http_passport_registry_timer_handler;
    reg->timer.data = reg;
    reg->timer.log = cycle->log;
    reg->timer.cancelable = 1;

    ngx_rbtree_init(&reg->tree, &reg->sentinel, ngx_str_rbtree_insert_value);

    ngx_http_passport_reg = reg;

    return NGX_OK;
}


void
ngx_http_passport_registry_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_passport_lookup_t    *lk;
    ngx_http_passport_registry_t  *reg;

    reg = ngx_http_passport_reg;

    if (reg == NULL) {
        return;
    }

    /* lookups still in flight are aborted; their requests go away too */

    while (reg->tree.root != reg->tree.sentinel) {
        lk = (ngx_http_passport_lookup_t *)
                 ngx_rbtree_min(reg->tree.root, reg->tree.sentinel);
        ngx_http_passport_registry_destroy(lk);
    }

    if (reg->timer.timer_set) {
        ngx_del_timer(&reg->timer);
    }

    /* closes cached connections, calling the socket callback */
    curl_multi_cleanup(reg->multi);
    ERR_clear_error();
    curl_global_cleanup();

    ngx_http_passport_reg = NULL;
}


/*
 * Runs a transfer that is not a lookup (the report push) on the worker's
 * multi handle: done is called with data when it ends.  One at a time; it
 * does not keep an exiting worker alive.  NGX_DECLINED: no client here.
 */

ngx_int_t
ngx_http_passport_registry_transfer(CURL *easy,
    ngx_http_passport_transfer_done_pt done, void *data)
{
    ngx_http_passport_registry_t  *reg;

    reg = ngx_http_passport_reg;

    if (reg == NULL || reg->transfer) {
        return NGX_DECLINED;
    }

    if (curl_multi_add_handle(reg->multi, easy) != CURLM_OK) {
        return NGX_ERROR;
    }

    reg->transfer = easy;
    reg->transfer_done = done;
    reg->transfer_data = data;

    return NGX_OK;
}


/* the transfer leaves the multi handle: ended, or aborted */

void
ngx_http_passport_registry_transfer_end(CURL *easy)
{
    ngx_http_passport_registry_t  *reg;

    reg = ngx_http_passport_reg;

    if (reg == NULL || reg->transfer != easy) {
        return;
    }

    curl_multi_remove_handle(reg->multi, easy);
    reg->transfer = NULL;

    ERR_clear_error();
}


/* {base}/entities/{id} or {base}/codes/{code as one path segment} */

ngx_int_t
ngx_http_passport_registry_url(ngx_pool_t *pool,
    ngx_http_passport_registry_conf_t *rc, ngx_uint_t kind, ngx_str_t *key,
    ngx_str_t *url)
{
    u_char               c, *p;
    size_t               i;
    static const u_char  hex[] = "0123456789ABCDEF";

    url->data = ngx_pnalloc(pool, rc->base.len + sizeof("/entities/")
                                  + key->len * 3);
    if (url->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(url->data, rc->base.data, rc->base.len);

    if (kind == NGX_HTTP_PASSPORT_ENTITY) {
        p = ngx_cpymem(p, "/entities/", sizeof("/entities/") - 1);

    } else {
        p = ngx_cpymem(p, "/codes/", sizeof("/codes/") - 1);
    }

    for (i = 0; i < key->len; i++) {
        c = key->data[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
            || c == '~')
        {
            *p++ = c;
            continue;
        }

        *p++ = '%';
        *p++ = hex[c >> 4];
        *p++ = hex[c & 0xf];
    }

    url->len = p - url->data;

    return NGX_OK;
}


/*
 * Starts or joins the lookup for a request's slot.  Returns NGX_OK when
 * the request now waits for it, NGX_DONE when the answer was delivered at
 * once (from the cache), NGX_DECLINED when it fails at once (the breaker
 * is open, or the client is not running) and NGX_ERROR.
 */

ngx_int_t
ngx_http_passport_registry_lookup(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_slot_t *slot,
    ngx_uint_t index)
{
    uint32_t                           hash;
    ngx_str_t                          url;
    ngx_uint_t                         st;
    ngx_str_node_t                    *sn;
    ngx_http_passport_lookup_t        *lk;
    ngx_http_passport_waiter_t        *w;
    ngx_http_passport_cache_t         *cache;
    ngx_http_passport_record_t         rec;
    ngx_http_passport_entity_t         ent;
    ngx_http_passport_cache_answer_t   ans;

    if (ngx_http_passport_reg == NULL) {
        return NGX_DECLINED;
    }

    if (ngx_http_passport_registry_url(r->pool, plcf->registry, slot->kind,
                                       &slot->key, &url)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    hash = ngx_crc32_long(url.data, url.len);
    sn = ngx_str_rbtree_lookup(&ngx_http_passport_reg->tree, &url, hash);

    if (sn) {
        lk = (ngx_http_passport_lookup_t *) sn;
        goto wait;
    }

    cache = plcf->cache ? plcf->cache->data : NULL;
    st = NGX_HTTP_PASSPORT_CACHE_MISS;

    if (cache) {
        st = ngx_http_passport_cache_get(cache, &url, r->pool,
                                         plcf->registry_timeout, &ans);

        if (st == NGX_HTTP_PASSPORT_CACHE_HIT) {
            ngx_http_passport_registry_parse(slot->kind, &slot->key,
                                             ans.status, ans.body.data,
                                             ans.body.len, NULL, &ent, &rec);
            ngx_http_passport_slot_done(r, index,
                                        slot->kind == NGX_HTTP_PASSPORT_ENTITY
                                        ? (void *) &ent : (void *) &rec,
                                        NGX_HTTP_PASSPORT_CACHE_HIT);

            if (slot->kind == NGX_HTTP_PASSPORT_CODE) {
                ngx_http_passport_record_free(&rec);
            }

            return NGX_DONE;
        }
    }

    lk = ngx_http_passport_registry_create(plcf, &url, slot, hash);
    if (lk == NULL) {
        if (cache && st == NGX_HTTP_PASSPORT_CACHE_MISS) {
            ngx_http_passport_cache_unlock(cache, &url);
        }

        return NGX_ERROR;
    }

    lk->cache = cache;
    lk->locked = (cache && st == NGX_HTTP_PASSPORT_CACHE_MISS);

wait:

    w = ngx_palloc(r->pool, sizeof(ngx_http_passport_waiter_t));
    if (w == NULL) {
        return NGX_ERROR;
    }

    w->lookup = lk;
    w->r = r;
    w->index = index;
    ngx_queue_insert_tail(&lk->waiters, &w->queue);

    slot->waiter = w;

    if (sn) {
        return NGX_OK;
    }

    if (st == NGX_HTTP_PASSPORT_CACHE_WAIT) {
        /* another worker is fetching it: wait for its answer */
        ngx_add_timer(&lk->poll, 50);
        return NGX_OK;
    }

    ngx_http_passport_registry_miss(lk);

    /* the answer may have come at once: stale, or the breaker is open */

    return slot->waiter ? NGX_OK : NGX_DONE;
}


/* nobody has a fresh answer: ask the registry, unless it keeps failing */

static void
ngx_http_passport_registry_miss(ngx_http_passport_lookup_t *lk)
{
    if (ngx_http_passport_registry_open(lk->plcf->registry, NULL)) {
        ngx_http_passport_registry_answer(lk, 0, NULL, 0,
                                          "the registry keeps failing, "
                                          "not contacted",
                                          lk->cache
                                          ? NGX_HTTP_PASSPORT_CACHE_MISS
                                          : NGX_HTTP_PASSPORT_CACHE_BYPASS);
        return;
    }

    if (ngx_http_passport_registry_fetch(lk) != NGX_OK) {
        ngx_http_passport_registry_answer(lk, 0, NULL, 0,
                                          "the lookup could not be started",
                                          lk->cache
                                          ? NGX_HTTP_PASSPORT_CACHE_MISS
                                          : NGX_HTTP_PASSPORT_CACHE_BYPASS);
    }
}


static void
ngx_http_passport_registry_poll(ngx_event_t *ev)
{
    ngx_uint_t                         st;
    ngx_http_passport_lookup_t        *lk;
    ngx_http_passport_cache_answer_t   ans;

    lk = ev->data;

    st = ngx_http_passport_cache_get(lk->cache, &lk->sn.str, lk->pool,
                                     lk->plcf->registry_timeout, &ans);

    switch (st) {

    case NGX_HTTP_PASSPORT_CACHE_HIT:
        ngx_http_passport_registry_answer(lk, ans.status, ans.body.data,
                                          ans.body.len, NULL,
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


static ngx_http_passport_lookup_t *
ngx_http_passport_registry_create(ngx_http_passport_loc_conf_t *plcf,
    ngx_str_t *url, ngx_http_passport_slot_t *slot, uint32_t hash)
{
    ngx_pool_t                  *pool;
    ngx_http_passport_lookup_t  *lk;

    pool = ngx_create_pool(1024, ngx_http_passport_reg->log);
    if (pool == NULL) {
        return NULL;
    }

    lk = ngx_pcalloc(pool, sizeof(ngx_http_passport_lookup_t));
    if (lk == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    lk->pool = pool;
    lk->plcf = plcf;
    lk->rc = plcf->registry;
    lk->kind = slot->kind;
    lk->breaker_failures = plcf->breaker_failures;
    lk->breaker_cooldown = plcf->breaker_cooldown;
    lk->max_age = -1;
    ngx_queue_init(&lk->waiters);

    lk->sn.str.len = url->len;
    lk->sn.str.data = ngx_pnalloc(pool, url->len + 1);
    lk->asked.len = slot->key.len;
    lk->asked.data = ngx_pnalloc(pool, slot->key.len + 1);

    if (lk->sn.str.data == NULL || lk->asked.data == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    *ngx_cpymem(lk->sn.str.data, url->data, url->len) = '\0';
    *ngx_cpymem(lk->asked.data, slot->key.data, slot->key.len) = '\0';

    lk->fail.handler = ngx_http_passport_registry_fail_handler;
    lk->fail.data = lk;
    lk->fail.log = ngx_http_passport_reg->log;

    lk->poll.handler = ngx_http_passport_registry_poll;
    lk->poll.data = lk;
    lk->poll.log = ngx_http_passport_reg->log;

    lk->sn.node.key = hash;
    ngx_rbtree_insert(&ngx_http_passport_reg->tree, &lk->sn.node);

    return lk;
}


static ngx_int_t
ngx_http_passport_registry_fetch(ngx_http_passport_lookup_t *lk)
{
    CURL                          *easy;
    u_char                        *auth;
    ngx_http_passport_loc_conf_t  *plcf;

    plcf = lk->plcf;

    lk->headers = curl_slist_append(NULL, "Accept: application/json");
    if (lk->headers == NULL) {
        return NGX_ERROR;
    }

    if (plcf->registry_token.len) {
        auth = ngx_pnalloc(lk->pool, sizeof("Authorization: Bearer ")
                                     + plcf->registry_token.len);
        if (auth == NULL) {
            return NGX_ERROR;
        }

        *ngx_sprintf(auth, "Authorization: Bearer %V",
                     &plcf->registry_token) = '\0';

        if (curl_slist_append(lk->headers, (char *) auth) == NULL) {
            return NGX_ERROR;
        }
    }

    easy = curl_easy_init();
    if (easy == NULL) {
        return NGX_ERROR;
    }

    curl_easy_setopt(easy, CURLOPT_URL, (char *) lk->sn.str.data);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, lk);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, lk->headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "ngx_http_passport_module/"
                     NGX_HTTP_PASSPORT_VERSION " nginx/" NGINX_VERSION);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION,
                     ngx_http_passport_registry_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, lk);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION,
                     ngx_http_passport_registry_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, lk);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, lk->error);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long) plcf->registry_timeout);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     (long) plcf->registry_timeout);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                     (long) CURL_HTTP_VERSION_2TLS);

    if (lk->rc->base.data[4] == 's' || lk->rc->base.data[4] == 'S') {
        /* over TLS the registry may offer HTTP/2: wait to multiplex */
        curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    }

    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER,
                     (long) plcf->registry_ssl_verify);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST,
                     plcf->registry_ssl_verify ? 2L : 0L);

    if (plcf->registry_ca.len) {
        /* only these CAs: not the system's directory of CAs as well */
        curl_easy_setopt(easy, CURLOPT_CAINFO,
                         (char *) plcf->registry_ca.data);
        curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
    }

    if (curl_multi_add_handle(ngx_http_passport_reg->multi, easy)
        != CURLM_OK)
    {
        curl_easy_cleanup(easy);
        return NGX_ERROR;
    }

    lk->easy = easy;
    ngx_http_passport_reg->active++;

    /* a half-open breaker lets this one through as its probe */
    lk->probe = lk->rc->failures >= lk->breaker_failures;

    if (lk->probe) {
        lk->rc->probing = 1;
    }

    return NGX_OK;
}


/* Cache-Control: max-age=N and no-store (or no-cache) decide the TTL */

static size_t
ngx_http_passport_registry_header(char *buf, size_t size, size_t nitems,
    void *userdata)
{
    ngx_http_passport_lookup_t *lk = userdata;

    u_char  *p, *last;
    size_t   n;

    n = size * nitems;
    p = (u_char *) buf;
    last = p + n;

    if (n > 5 && ngx_strncmp(p, "HTTP/", 5) == 0) {
        /* a new response: forget what an earlier one said */
        lk->max_age = -1;
        lk->no_store = 0;
        return n;
    }

    if (n < sizeof("cache-control:") - 1
        || ngx_strncasecmp(p, (u_char *) "cache-control:",
                           sizeof("cache-control:") - 1) != 0)
    {
        return n;
    }

    for (p += sizeof("cache-control:") - 1; p < last; p++) {

        if (last - p >= 8 && ngx_strncasecmp(p, (u_char *) "no-store", 8)
                             == 0)
        {
            lk->no_store = 1;

        } else if (last - p >= 8
                   && ngx_strncasecmp(p, (u_char *) "no-cache", 8) == 0)
        {
            lk->no_store = 1;

        } else if (last - p > 8
                   && ngx_strncasecmp(p, (u_char *) "max-age=", 8) == 0)
        {
            lk->max_age = 0;

            for (p += 8; p < last && *p >= '0' && *p <= '9'; p++) {
                if (lk->max_age < 100000000) {
                    lk->max_age = lk->max_age * 10 + (*p - '0');
                }
            }
        }
    }

    return n;
}


/*
 * Whether the breaker of a registry is open: after breaker_failures
 * consecutive failures a worker fails fast for the cool-down, then lets
 * one probe through while the others keep failing fast.
 */

ngx_uint_t
ngx_http_passport_registry_open(ngx_http_passport_registry_conf_t *rc,
    time_t *retry_after)
{
    ngx_msec_int_t  left;

    if (rc->open_until == 0) {
        return 0;
    }

    left = (ngx_msec_int_t) (rc->open_until - ngx_current_msec);

    if (retry_after) {
        *retry_after = left > 0 ? (left + 999) / 1000 : 1;
    }

    return left > 0 || rc->probing;
}


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

    /* shared lookups carry on for the other requests */

    if (ngx_queue_empty(&lk->waiters)) {
        if (lk->probe) {
            lk->rc->probing = 0;
        }

        ngx_http_passport_registry_destroy(lk);
    }
}


static void
ngx_http_passport_registry_destroy(ngx_http_passport_lookup_t *lk)
{
    ngx_queue_t                 *q;
    ngx_http_passport_waiter_t  *w;

    ngx_rbtree_delete(&ngx_http_passport_reg->tree, &lk->sn.node);

    if (lk->fail.posted) {
        ngx_delete_posted_event(&lk->fail);
    }

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
        ngx_http_passport_cache_unlock(lk->cache, &lk->sn.str);
    }

    if (lk->easy) {
        curl_multi_remove_handle(ngx_http_passport_reg->multi, lk->easy);
        curl_easy_cleanup(lk->easy);

        if (--ngx_http_passport_reg->active == 0) {
            /* nothing in flight: the timer must not delay an exit */
            ngx_http_passport_reg->timer.cancelable = 1;
        }
    }

    if (lk->headers) {
        curl_slist_free_all(lk->headers);
    }

    ERR_clear_error();

    ngx_destroy_pool(lk->pool);
}


static size_t
ngx_http_passport_registry_write(char *ptr, size_t size, size_t nmemb,
    void *userdata)
{
    ngx_http_passport_lookup_t *lk = userdata;

    u_char  *p;
    size_t   n, want;

    n = size * nmemb;

    if (n > NGX_HTTP_PASSPORT_BODY_MAX - lk->len) {
        lk->too_big = 1;
        return 0;
    }

    if (lk->len + n > lk->size) {
        want = ngx_max(lk->size * 2, lk->len + n);
        want = ngx_min(want, NGX_HTTP_PASSPORT_BODY_MAX);

        p = ngx_pnalloc(lk->pool, want);
        if (p == NULL) {
            return 0;
        }

        if (lk->len) {
            ngx_memcpy(p, lk->body, lk->len);
        }

        lk->body = p;
        lk->size = want;
    }

    ngx_memcpy(lk->body + lk->len, ptr, n);
    lk->len += n;

    return n;
}


static int
ngx_http_passport_registry_socket(CURL *easy, curl_socket_t s, int what,
    void *userp, void *socketp)
{
    ngx_http_passport_registry_t *reg = userp;

    ngx_int_t                    rc;
    ngx_connection_t            *c;
    ngx_http_passport_lookup_t  *lk;

    c = socketp;

    if (what == CURL_POLL_REMOVE) {
        if (c) {
            ngx_http_passport_registry_close(c);
            curl_multi_assign(reg->multi, s, NULL);
        }

        return 0;
    }

    if (c == NULL) {
        c = ngx_get_connection(s, reg->log);

        if (c == NULL) {
            /*
             * No worker_connections slot: this lookup fails, the others
             * go on (-1 here would abort every transfer).  The failure is
             * posted: libcurl must not be called from its own callback.
             */

            lk = NULL;

            if (easy) {
                curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &lk);
            }

            if (lk && !lk->fail.posted) {
                ngx_post_event(&lk->fail, &ngx_posted_events);
            }

            return 0;
        }

        c->data = reg;
        c->log = reg->log;
        c->read->log = reg->log;
        c->write->log = reg->log;
        c->read->handler = ngx_http_passport_registry_event;
        c->write->handler = ngx_http_passport_registry_event;

        curl_multi_assign(reg->multi, s, c);
    }

    /* level-triggered: libcurl may not drain a socket in one call */

    rc = NGX_OK;

    if ((what & CURL_POLL_IN) && !c->read->active) {
        rc = ngx_add_event(c->read, NGX_READ_EVENT, 0);

    } else if (!(what & CURL_POLL_IN) && c->read->active) {
        rc = ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }

    if (rc == NGX_OK) {
        if ((what & CURL_POLL_OUT) && !c->write->active) {
            rc = ngx_add_event(c->write, NGX_WRITE_EVENT, 0);

        } else if (!(what & CURL_POLL_OUT) && c->write->active) {
            rc = ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
        }
    }

    return rc == NGX_OK ? 0 : -1;
}


static void
ngx_http_passport_registry_close(ngx_connection_t *c)
{
    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    /*
     * libcurl may have closed the socket already (aborting a transfer):
     * the kernel then dropped it from epoll, and a DEL would fail.
     */

    if (c->read->active || c->write->active) {
        ngx_del_conn(c, (fcntl(c->fd, F_GETFD) == -1 && ngx_errno == EBADF)
                        ? NGX_CLOSE_EVENT : 0);
    }

    /* libcurl owns and closes the socket: only the slot is given back */

    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;
}


static int
ngx_http_passport_registry_timer(CURLM *multi, long timeout_ms, void *userp)
{
    ngx_http_passport_registry_t *reg = userp;

    if (reg->timer.timer_set) {
        ngx_del_timer(&reg->timer);
    }

    if (timeout_ms < 0) {
        return 0;
    }

    /*
     * Not calling libcurl from here even for 0: the timer fires on the
     * next turn of the event loop.  While lookups are in flight the timer
     * keeps a gracefully exiting worker alive until they end.
     */

    reg->timer.cancelable = (reg->active == 0);

    ngx_add_timer(&reg->timer, (ngx_msec_t) timeout_ms);

    return 0;
}


static void
ngx_http_passport_registry_timer_handler(ngx_event_t *ev)
{
    int                            running;
    ngx_http_passport_registry_t  *reg = ev->data;

    curl_multi_socket_action(reg->multi, CURL_SOCKET_TIMEOUT, 0, &running);

    ngx_http_passport_registry_drain();
}


static void
ngx_http_passport_registry_event(ngx_event_t *ev)
{
    int                            running, action;
    ngx_connection_t              *c;
    ngx_http_passport_registry_t  *reg;

    c = ev->data;
    reg = c->data;

    action = ev->write ? CURL_CSELECT_OUT : CURL_CSELECT_IN;

    /* c may be freed by the socket callback from here on */

    curl_multi_socket_action(reg->multi, c->fd, action, &running);

    ngx_http_passport_registry_drain();
}


static void
ngx_http_passport_registry_drain(void)
{
    /*
     * libcurl may leave errors in OpenSSL's queue of this thread (a
     * refused certificate, a shutdown during a handshake); nginx's own TLS
     * in the same worker would take them for its own.
     */

    ERR_clear_error();

    int                          left;
    CURL                        *easy;
    CURLMsg                     *msg;
    CURLcode                     code;
    ngx_http_passport_lookup_t  *lk;

    while ((msg = curl_multi_info_read(ngx_http_passport_reg->multi, &left))) {

        if (msg->msg != CURLMSG_DONE) {
            continue;
        }

        easy = msg->easy_handle;
        code = msg->data.result;

        if (easy == ngx_http_passport_reg->transfer) {
            ngx_http_passport_reg->transfer_done(
                ngx_http_passport_reg->transfer_data, code);
            continue;
        }

        lk = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &lk);

        if (lk) {
            ngx_http_passport_registry_finish(lk, code, NULL);
        }
    }
}


static void
ngx_http_passport_registry_fail_handler(ngx_event_t *ev)
{
    ngx_http_passport_registry_finish(ev->data, CURLE_COULDNT_CONNECT,
                                      "no free worker_connections "
                                      "for the registry");
}


static void
ngx_http_passport_registry_finish(ngx_http_passport_lookup_t *lk,
    CURLcode code, const char *cause)
{
    long  status;

    status = 0;
    curl_easy_getinfo(lk->easy, CURLINFO_RESPONSE_CODE, &status);

    if (cause == NULL && code != CURLE_OK) {
        if (lk->too_big) {
            cause = "response body larger than 65536 bytes";

        } else {
            cause = lk->error[0] ? lk->error : curl_easy_strerror(code);
        }
    }

    ngx_http_passport_registry_answer(lk, status, lk->body, lk->len, cause,
                                      lk->cache
                                      ? NGX_HTTP_PASSPORT_CACHE_MISS
                                      : NGX_HTTP_PASSPORT_CACHE_BYPASS);
}


static void
ngx_http_passport_registry_parse(ngx_uint_t kind, ngx_str_t *asked,
    long status, u_char *body, size_t len, const char *cause,
    ngx_http_passport_entity_t *ent, ngx_http_passport_record_t *rec)
{
    ent->rc = NGX_HTTP_PASSPORT_REC_ERROR;
    rec->rc = NGX_HTTP_PASSPORT_REC_ERROR;
    rec->root = NULL;

    if (cause) {
        ngx_cpystrn((u_char *) ent->cause, (u_char *) cause,
                    sizeof(ent->cause));
        ngx_cpystrn((u_char *) rec->cause, (u_char *) cause,
                    sizeof(rec->cause));
        return;
    }

    if (kind == NGX_HTTP_PASSPORT_ENTITY) {
        (void) ngx_http_passport_entity_parse(status, body, len,
                                              (char *) asked->data,
                                              asked->len, ent);

        if (ent->rc == NGX_HTTP_PASSPORT_REC_NOT_FOUND) {
            /* the rules name the seller asked for; asked is not a C string */
            len = ngx_min(asked->len, sizeof(ent->id) - 1);
            ngx_memcpy(ent->id, asked->data, len);
            ent->id[len] = '\0';
        }

        return;
    }

    (void) ngx_http_passport_record_parse(status, body, len,
                                          (char *) asked->data, asked->len,
                                          rec);
}


/*
 * A lookup is over: the answer is parsed once and handed to every request
 * waiting for it.  A fetched answer goes to the cache; a failed fetch is
 * logged once, whoever waits, and a stale answer stands in for it if the
 * cache still has one.
 */

static void
ngx_http_passport_registry_answer(ngx_http_passport_lookup_t *lk,
    long status, u_char *body, size_t len, const char *cause,
    ngx_uint_t cache_status)
{
    time_t                             ttl;
    ngx_log_t                         *log;
    ngx_uint_t                         failed, kind, warn;
    ngx_queue_t                       *q, waiters;
    const void                        *result;
    ngx_http_passport_waiter_t        *w;
    ngx_http_passport_record_t         rec;
    ngx_http_passport_entity_t         ent;
    ngx_http_passport_cache_answer_t   ans;

    kind = lk->kind;

    ngx_http_passport_registry_parse(kind, &lk->asked, status, body, len,
                                     cause, &ent, &rec);

    failed = (kind == NGX_HTTP_PASSPORT_ENTITY ? ent.rc : rec.rc)
             == NGX_HTTP_PASSPORT_REC_ERROR;

    /* the first waiter's log names a client; any will do */

    log = ngx_http_passport_reg->log;

    if (!ngx_queue_empty(&lk->waiters)) {
        w = ngx_queue_data(ngx_queue_head(&lk->waiters),
                           ngx_http_passport_waiter_t, queue);
        log = w->r->connection->log;
    }

    if (lk->easy) {
        if (failed) {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "passport: registry lookup \"%V\" failed: %s",
                          &lk->sn.str,
                          kind == NGX_HTTP_PASSPORT_ENTITY ? ent.cause
                                                           : rec.cause);
        }

        ngx_http_passport_registry_breaker(lk, failed, log);
    }

    if (lk->locked && !failed) {
        ttl = (status == 404) ? lk->cache->not_found : lk->cache->valid;

        if (lk->no_store) {
            ttl = 0;

        } else if (lk->max_age >= 0) {
            ttl = lk->max_age;
        }

        ngx_http_passport_cache_put(lk->cache, &lk->sn.str, status, body,
                                    len, ttl);
        lk->locked = 0;

    } else if (lk->locked) {
        lk->locked = 0;

        if (ngx_http_passport_cache_stale(lk->cache, &lk->sn.str, lk->pool,
                                          &ans, &warn))
        {
            if (warn) {
                ngx_log_error(NGX_LOG_WARN, log, 0,
                              "passport: registry lookup \"%V\" failed, "
                              "deciding with a stale record", &lk->sn.str);
            }

            ngx_http_passport_registry_parse(kind, &lk->asked, ans.status,
                                             ans.body.data, ans.body.len,
                                             NULL, &ent, &rec);
            cache_status = NGX_HTTP_PASSPORT_CACHE_STALE;
        }
    }

    result = (kind == NGX_HTTP_PASSPORT_ENTITY) ? (void *) &ent
                                                : (void *) &rec;

    /* detach the waiters first: the lookup is gone when they run */

    ngx_queue_init(&waiters);

    if (!ngx_queue_empty(&lk->waiters)) {
        waiters = lk->waiters;
        waiters.next->prev = &waiters;
        waiters.prev->next = &waiters;
        ngx_queue_init(&lk->waiters);
    }

    ngx_http_passport_registry_destroy(lk);

    for (q = ngx_queue_head(&waiters);
         q != ngx_queue_sentinel(&waiters);
         q = ngx_queue_next(q))
    {
        w = ngx_queue_data(q, ngx_http_passport_waiter_t, queue);
        w->lookup = NULL;
        ngx_http_passport_slot_done(w->r, w->index, result, cache_status);
    }

    if (kind == NGX_HTTP_PASSPORT_CODE) {
        ngx_http_passport_record_free(&rec);
    }
}


static void
ngx_http_passport_registry_breaker(ngx_http_passport_lookup_t *lk,
    ngx_uint_t failed, ngx_log_t *log)
{
    ngx_http_passport_registry_conf_t  *rc;

    rc = lk->rc;

    if (lk->probe) {
        rc->probing = 0;
    }

    if (!failed) {
        rc->failures = 0;
        rc->open_until = 0;
        return;
    }

    rc->failures++;

    if (rc->failures < lk->breaker_failures) {
        return;
    }

    if (rc->failures == lk->breaker_failures || lk->probe) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "passport: registry \"%V\" failed %ui times in a row, "
                      "failing fast for %M ms", &rc->base, rc->failures,
                      lk->breaker_cooldown);
    }

    rc->open_until = ngx_current_msec + lk->breaker_cooldown;

    if (rc->open_until == 0) {
        rc->open_until = 1;
    }
}
