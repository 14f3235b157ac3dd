
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"


/*
 * Registry lookups, run as transfers of the worker's HTTP client
 * (ngx_http_passport_curl.c).
 *
 * Lookups for the same URL that are in flight in a worker are shared:
 * every request waiting for one is a "waiter" on it.  A lookup lives in a
 * pool of its own and ends when it completes or when its last waiter
 * goes away.
 */


#define NGX_HTTP_PASSPORT_BODY_MAX  65536


/* per worker: the lookups in flight, by URL */
typedef struct {
    ngx_rbtree_t                tree;
    ngx_rbtree_node_t           sentinel;
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
    ngx_http_passport_transfer_t  transfer;
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
    ngx_http_request_t         *r;             /* for its log */
    ngx_http_passport_answer_pt answer;
    void                       *data;
} ngx_http_passport_waiter_t;


static void ngx_http_passport_registry_finish(void *data, CURLcode code,
    const char *cause);
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
    ngx_http_passport_loc_conf_t *plcf, ngx_str_t *url, ngx_uint_t kind,
    ngx_str_t *key, uint32_t hash);


/* per worker: set in init_process, NULL in the master and when unused */
static ngx_http_passport_registry_t  *ngx_http_passport_reg;


ngx_int_t
ngx_http_passport_registry_init_process(ngx_cycle_t *cycle)
{
    ngx_http_passport_registry_t  *reg;

    if (!ngx_http_passport_curl_running()) {
        return NGX_OK;
    }

    reg = ngx_pcalloc(cycle->pool, sizeof(ngx_http_passport_registry_t));
    if (reg == NULL) {
        return NGX_ERROR;
    }

    ngx_rbtree_init(&reg->tree, &reg->sentinel, ngx_str_rbtree_insert_value);

    ngx_http_passport_reg = reg;

    return NGX_OK;
}


/* lookups still in flight are aborted; their requests go away too */

void
ngx_http_passport_registry_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_passport_lookup_t    *lk;
    ngx_http_passport_registry_t  *reg;

    reg = ngx_http_passport_reg;

    if (reg == NULL) {
        return;
    }

    while (reg->tree.root != reg->tree.sentinel) {
        lk = (ngx_http_passport_lookup_t *)
                 ngx_rbtree_min(reg->tree.root, reg->tree.sentinel);
        ngx_http_passport_registry_destroy(lk);
    }

    ngx_http_passport_reg = NULL;
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
 * Starts or joins the lookup of a seller (ENTITY) or a code (CODE) for a
 * request.  The answer goes to answer(data, result, cache_status), now or
 * later; *waiter is what ngx_http_passport_registry_cancel() takes while
 * it is pending.  Returns NGX_OK when the request now waits, NGX_DONE
 * when the answer was delivered at once (the cache, a stale answer, the
 * breaker), NGX_DECLINED when the client is not running (no answer is
 * delivered) and NGX_ERROR.
 */

ngx_int_t
ngx_http_passport_registry_lookup(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_uint_t kind, ngx_str_t *key,
    ngx_http_passport_answer_pt answer, void *data, void **waiter)
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

    *waiter = NULL;

    if (ngx_http_passport_registry_url(r->pool, plcf->registry, kind, key,
                                       &url)
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
            ngx_http_passport_registry_parse(kind, key, ans.status,
                                             ans.body.data, ans.body.len,
                                             NULL, &ent, &rec);
            answer(data, kind == NGX_HTTP_PASSPORT_ENTITY
                         ? (void *) &ent : (void *) &rec,
                   NGX_HTTP_PASSPORT_CACHE_HIT);

            if (kind == NGX_HTTP_PASSPORT_CODE) {
                ngx_http_passport_record_free(&rec);
            }

            return NGX_DONE;
        }
    }

    lk = ngx_http_passport_registry_create(plcf, &url, kind, key, hash);
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
    w->answer = answer;
    w->data = data;
    ngx_queue_insert_tail(&lk->waiters, &w->queue);

    *waiter = w;

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

    if (w->lookup == NULL) {
        *waiter = NULL;
        return NGX_DONE;
    }

    return NGX_OK;
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
    ngx_str_t *url, ngx_uint_t kind, ngx_str_t *key, uint32_t hash)
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
    lk->plcf = plcf;
    lk->rc = plcf->registry;
    lk->kind = kind;
    lk->breaker_failures = plcf->breaker_failures;
    lk->breaker_cooldown = plcf->breaker_cooldown;
    lk->max_age = -1;
    ngx_queue_init(&lk->waiters);

    lk->sn.str.len = url->len;
    lk->sn.str.data = ngx_pnalloc(pool, url->len + 1);
    lk->asked.len = key->len;
    lk->asked.data = ngx_pnalloc(pool, key->len + 1);

    if (lk->sn.str.data == NULL || lk->asked.data == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    *ngx_cpymem(lk->sn.str.data, url->data, url->len) = '\0';
    *ngx_cpymem(lk->asked.data, key->data, key->len) = '\0';

    lk->poll.handler = ngx_http_passport_registry_poll;
    lk->poll.data = lk;
    lk->poll.log = ngx_http_passport_curl_log();

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

    /* while lookups are in flight a worker finishes them before exiting */

    lk->transfer.done = ngx_http_passport_registry_finish;
    lk->transfer.data = lk;
    lk->transfer.keep = 1;

    if (ngx_http_passport_curl_add(easy, &lk->transfer) != NGX_OK) {
        curl_easy_cleanup(easy);
        return NGX_ERROR;
    }

    lk->easy = easy;

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
        ngx_http_passport_curl_remove(lk->easy, &lk->transfer);
        curl_easy_cleanup(lk->easy);
    }

    if (lk->headers) {
        curl_slist_free_all(lk->headers);
    }

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
















static void
ngx_http_passport_registry_finish(void *data, CURLcode code,
    const char *cause)
{
    ngx_http_passport_lookup_t *lk = data;

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

    log = ngx_http_passport_curl_log();

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
        w->answer(w->data, result, cache_status);
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
