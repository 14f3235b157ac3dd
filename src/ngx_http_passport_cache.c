
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"


/*
 * The shared-memory cache of registry answers.  An entry is keyed by its
 * name space, a number made from the id of the registry object that asked
 * (ngx_http_passport_registry.c) and the kind of lookup, and by the ID or
 * code asked, byte for byte.  It holds the parsed answer in its packed
 * form (core: passport_record_pack.c), which a hit copies out and nothing
 * parses again; the caller reads it back.
 *
 * An entry may also carry a lock: a worker fetching the key sets it, so
 * that the other workers wait for that answer instead of asking the
 * registry too.  The lock expires by itself, so a worker that dies while
 * fetching holds nobody up for long.
 *
 * Entries are small on purpose (docs/benchmarks.md, "Zone memory"): the
 * times are 32-bit (seconds until 2106, and the lock in milliseconds
 * modulo 2^32, compared as a difference), so that an entity record takes
 * a 128-byte slab chunk and a code record a 256-byte one.
 */


typedef struct {
    u_char                      color;
    u_char                      has_answer;
    uint16_t                    key_len;       /* a key is never cut */
    uint16_t                    rec_len;
    u_char                      locked;        /* until lock_until */
    ngx_queue_t                 queue;
    uint64_t                    ns;
    uint32_t                    expires;       /* fresh until */
    uint32_t                    stale_until;   /* usable on failure until */
    uint32_t                    stale_logged;
    uint32_t                    lock_until;    /* ngx_current_msec */
    u_char                      data[1];       /* key, then record */
} ngx_http_passport_cache_node_t;


static char *ngx_http_passport_cache_times(ngx_conf_t *cf,
    ngx_http_passport_cache_t *cache);
static ngx_int_t ngx_http_passport_cache_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static uint32_t ngx_http_passport_cache_hash(
    ngx_http_passport_cache_key_t *key);
static ngx_http_passport_cache_node_t *ngx_http_passport_cache_find(
    ngx_http_passport_cache_t *cache, ngx_http_passport_cache_key_t *key,
    uint32_t hash);
static ngx_http_passport_cache_node_t *ngx_http_passport_cache_alloc(
    ngx_http_passport_cache_t *cache, ngx_http_passport_cache_key_t *key,
    uint32_t hash, size_t rec_len);
static void ngx_http_passport_cache_free(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_node_t *cn);
static void ngx_http_passport_cache_release(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_node_t *cn);
static ngx_int_t ngx_http_passport_cache_copy(
    ngx_http_passport_cache_node_t *cn, ngx_pool_t *pool, ngx_str_t *rec);
static ngx_uint_t ngx_http_passport_cache_fresh(
    ngx_http_passport_cache_t *cache, ngx_http_passport_cache_node_t *cn,
    ngx_pool_t *pool, ngx_str_t *rec);
static void ngx_http_passport_cache_rbtree_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);


/* 32-bit times: seconds and milliseconds */

#define ngx_http_passport_cache_now()   ((uint32_t) ngx_time())

#define ngx_http_passport_cache_locked(cn)                                    \
    ((cn)->locked                                                             \
     && (int32_t) ((cn)->lock_until - (uint32_t) ngx_current_msec) > 0)


#define ngx_http_passport_cache_node(node)                                    \
    ((ngx_http_passport_cache_node_t *) &(node)->color)

#define ngx_http_passport_cache_rbnode(cn)                                    \
    ((ngx_rbtree_node_t *)                                                    \
         ((u_char *) (cn) - offsetof(ngx_rbtree_node_t, color)))


char *
ngx_http_passport_cache_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    u_char                     *p;
    ssize_t                     size;
    ngx_str_t                  *value, name, s;
    ngx_shm_zone_t             *shm_zone;
    ngx_http_passport_cache_t  *cache;

    value = cf->args->elts;

    cache = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_cache_t));
    if (cache == NULL) {
        return NGX_CONF_ERROR;
    }

    p = (u_char *) ngx_strchr(value[1].data, ':');

    if (p == NULL || p == value[1].data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid zone \"%V\": use NAME:SIZE, "
                           "such as registry:10m", &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    name.data = value[1].data;
    name.len = p - value[1].data;

    s.data = p + 1;
    s.len = value[1].data + value[1].len - s.data;

    size = ngx_parse_size(&s);

    if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid zone size \"%V\": use at least "
                           "%uz bytes", &cmd->name, &value[1],
                           8 * ngx_pagesize);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_passport_cache_times(cf, cache) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    shm_zone = ngx_shared_memory_add(cf, &name, size,
                                     &ngx_http_passport_module);
    if (shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (shm_zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": duplicate zone \"%V\": give each zone "
                           "a name of its own", &cmd->name, &name);
        return NGX_CONF_ERROR;
    }

    cache->shm_zone = shm_zone;

    shm_zone->init = ngx_http_passport_cache_init_zone;
    shm_zone->data = cache;

    return NGX_CONF_OK;
}


/* valid=, not_found= and stale=, after NAME:SIZE */

static char *
ngx_http_passport_cache_times(ngx_conf_t *cf, ngx_http_passport_cache_t *cache)
{
    time_t      *t;
    ngx_str_t   *value, s;
    ngx_uint_t   i;

    value = cf->args->elts;

    cache->valid = 600;
    cache->not_found = 60;
    cache->stale = 3600;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "valid=", 6) == 0) {
            t = &cache->valid;
            s.data = value[i].data + 6;

        } else if (ngx_strncmp(value[i].data, "not_found=", 10) == 0) {
            t = &cache->not_found;
            s.data = value[i].data + 10;

        } else if (ngx_strncmp(value[i].data, "stale=", 6) == 0) {
            t = &cache->stale;
            s.data = value[i].data + 6;

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": invalid parameter \"%V\": "
                               "valid=, not_found= and stale= are known",
                               &value[0], &value[i]);
            return NGX_CONF_ERROR;
        }

        s.len = value[i].data + value[i].len - s.data;

        *t = ngx_parse_time(&s, 1);

        if (*t == (time_t) NGX_ERROR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": invalid time in \"%V\": use a "
                               "time such as 30s or 10m", &value[0],
                               &value[i]);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* the entries survive a reload when the zone's name and size stay */

static ngx_int_t
ngx_http_passport_cache_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_passport_cache_t  *ocache = data;

    size_t                      len;
    ngx_http_passport_cache_t  *cache;

    cache = shm_zone->data;

    if (ocache) {
        cache->sh = ocache->sh;
        cache->shpool = ocache->shpool;
        return NGX_OK;
    }

    cache->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        cache->sh = cache->shpool->data;
        return NGX_OK;
    }

    cache->sh = ngx_slab_calloc(cache->shpool,
                                sizeof(ngx_http_passport_cache_sh_t));
    if (cache->sh == NULL) {
        return NGX_ERROR;
    }

    cache->shpool->data = cache->sh;

    ngx_rbtree_init(&cache->sh->rbtree, &cache->sh->sentinel,
                    ngx_http_passport_cache_rbtree_insert);
    ngx_queue_init(&cache->sh->lru);

    len = sizeof(" in passport_cache_zone \"\"") + shm_zone->shm.name.len;

    cache->shpool->log_ctx = ngx_slab_alloc(cache->shpool, len);
    if (cache->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(cache->shpool->log_ctx, " in passport_cache_zone \"%V\"%Z",
                &shm_zone->shm.name);

    /* a full zone evicts instead of failing: no allocation alerts */
    cache->shpool->log_nomem = 0;

    return NGX_OK;
}


static void
ngx_http_passport_cache_rbtree_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t               **p;
    ngx_http_passport_cache_node_t   *cn, *cnt;

    for ( ;; ) {

        if (node->key < temp->key) {
            p = &temp->left;

        } else if (node->key > temp->key) {
            p = &temp->right;

        } else {
            cn = ngx_http_passport_cache_node(node);
            cnt = ngx_http_passport_cache_node(temp);

            if (cn->ns != cnt->ns) {
                p = (cn->ns < cnt->ns) ? &temp->left : &temp->right;

            } else {
                p = (ngx_memn2cmp(cn->data, cnt->data, cn->key_len,
                                  cnt->key_len) < 0)
                    ? &temp->left : &temp->right;
            }
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


static uint32_t
ngx_http_passport_cache_hash(ngx_http_passport_cache_key_t *key)
{
    return ngx_crc32_short(key->key.data, key->key.len)
           ^ (uint32_t) (key->ns ^ (key->ns >> 32));
}


static ngx_http_passport_cache_node_t *
ngx_http_passport_cache_find(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key, uint32_t hash)
{
    ngx_int_t                        rc;
    ngx_rbtree_node_t               *node, *sentinel;
    ngx_http_passport_cache_node_t  *cn;

    node = cache->sh->rbtree.root;
    sentinel = cache->sh->rbtree.sentinel;

    while (node != sentinel) {

        if (hash != node->key) {
            node = (hash < node->key) ? node->left : node->right;
            continue;
        }

        cn = ngx_http_passport_cache_node(node);

        if (key->ns != cn->ns) {
            node = (key->ns < cn->ns) ? node->left : node->right;
            continue;
        }

        rc = ngx_memn2cmp(key->key.data, cn->data, key->key.len,
                          cn->key_len);

        if (rc == 0) {
            return cn;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    return NULL;
}


/*
 * Allocates an entry, making room if the zone is full: first entries past
 * any use, then the least recently used ones.
 */

static ngx_http_passport_cache_node_t *
ngx_http_passport_cache_alloc(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key, uint32_t hash, size_t rec_len)
{
    size_t                           size;
    uint32_t                         now;
    ngx_uint_t                       n;
    ngx_queue_t                     *q;
    ngx_rbtree_node_t               *node;
    ngx_http_passport_cache_node_t  *cn;

    now = ngx_http_passport_cache_now();

    for (n = 0; n < 2 && !ngx_queue_empty(&cache->sh->lru); n++) {
        q = ngx_queue_last(&cache->sh->lru);
        cn = ngx_queue_data(q, ngx_http_passport_cache_node_t, queue);

        if (cn->stale_until >= now || ngx_http_passport_cache_locked(cn)) {
            break;
        }

        ngx_http_passport_cache_free(cache, cn);
    }

    size = ngx_http_passport_cache_entry_size(key->key.len, rec_len);

    for (n = 0; n < 64; n++) {
        node = ngx_slab_alloc_locked(cache->shpool, size);

        if (node) {
            node->key = hash;
            cn = ngx_http_passport_cache_node(node);
            ngx_memzero(&cn->has_answer,
                        offsetof(ngx_http_passport_cache_node_t, data)
                        - offsetof(ngx_http_passport_cache_node_t,
                                   has_answer));
            cn->ns = key->ns;
            cn->key_len = (uint16_t) key->key.len;
            ngx_memcpy(cn->data, key->key.data, key->key.len);

            ngx_rbtree_insert(&cache->sh->rbtree, node);
            ngx_queue_insert_head(&cache->sh->lru, &cn->queue);
            cache->sh->entries++;

            return cn;
        }

        if (ngx_queue_empty(&cache->sh->lru)) {
            break;
        }

        q = ngx_queue_last(&cache->sh->lru);
        cn = ngx_queue_data(q, ngx_http_passport_cache_node_t, queue);
        ngx_http_passport_cache_free(cache, cn);
        cache->sh->evictions++;
    }

    return NULL;
}


/* the bytes of zone an entry asks the slab allocator for */

size_t
ngx_http_passport_cache_entry_size(size_t key_len, size_t rec_len)
{
    return offsetof(ngx_rbtree_node_t, color)
           + offsetof(ngx_http_passport_cache_node_t, data)
           + key_len + rec_len;
}


static void
ngx_http_passport_cache_free(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_node_t *cn)
{
    ngx_queue_remove(&cn->queue);
    ngx_rbtree_delete(&cache->sh->rbtree,
                      ngx_http_passport_cache_rbnode(cn));
    ngx_slab_free_locked(cache->shpool,
                         ngx_http_passport_cache_rbnode(cn));
    cache->sh->entries--;
}


static ngx_int_t
ngx_http_passport_cache_copy(ngx_http_passport_cache_node_t *cn,
    ngx_pool_t *pool, ngx_str_t *rec)
{
    rec->len = cn->rec_len;
    rec->data = ngx_pnalloc(pool, cn->rec_len);

    if (rec->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(rec->data, cn->data + cn->key_len, cn->rec_len);

    return NGX_OK;
}


/* under the lock: a fresh answer is copied out and counted as a hit */

static ngx_uint_t
ngx_http_passport_cache_fresh(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_node_t *cn, ngx_pool_t *pool, ngx_str_t *rec)
{
    if (cn == NULL || !cn->has_answer
        || cn->expires <= ngx_http_passport_cache_now()
        || ngx_http_passport_cache_copy(cn, pool, rec) != NGX_OK)
    {
        return 0;
    }

    ngx_queue_remove(&cn->queue);
    ngx_queue_insert_head(&cache->sh->lru, &cn->queue);
    cache->sh->hits++;

    return 1;
}


/*
 * The fresh answers to several lookups, in one trip to the zone (one per
 * zone when they use several): each ask is marked HIT, its record copied
 * into the pool, or MISS, and no lock is taken for the misses (the caller
 * asks again with ngx_http_passport_cache_get()).  Returns the number of
 * hits.
 */

ngx_uint_t
ngx_http_passport_cache_hits(ngx_http_passport_cache_ask_t *asks,
    ngx_uint_t n, ngx_pool_t *pool)
{
    ngx_uint_t                       i, j, hits;
    ngx_http_passport_cache_t       *cache;
    ngx_http_passport_cache_node_t  *cn;

    hits = 0;

    for (i = 0; i < n; i++) {
        asks[i].status = 0;
    }

    for (i = 0; i < n; i++) {

        if (asks[i].status != 0) {
            continue;
        }

        cache = asks[i].cache;

        ngx_shmtx_lock(&cache->shpool->mutex);

        for (j = i; j < n; j++) {
            if (asks[j].cache != cache) {
                continue;
            }

            cn = ngx_http_passport_cache_find(cache, &asks[j].key,
                                    ngx_http_passport_cache_hash(&asks[j].key));

            if (ngx_http_passport_cache_fresh(cache, cn, pool, &asks[j].rec))
            {
                asks[j].status = NGX_HTTP_PASSPORT_CACHE_HIT;
                hits++;

            } else {
                asks[j].status = NGX_HTTP_PASSPORT_CACHE_MISS;
            }
        }

        ngx_shmtx_unlock(&cache->shpool->mutex);
    }

    return hits;
}


/*
 * HIT: a fresh answer, copied into the pool.  WAIT: another worker is
 * fetching it.  MISS: the caller fetches it and now holds the lock, for
 * lock_ms at most.
 */

ngx_uint_t
ngx_http_passport_cache_get(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key, ngx_pool_t *pool, ngx_msec_t lock_ms,
    ngx_str_t *rec)
{
    uint32_t                         hash;
    ngx_uint_t                       rc;
    ngx_http_passport_cache_node_t  *cn;

    hash = ngx_http_passport_cache_hash(key);

    ngx_shmtx_lock(&cache->shpool->mutex);

    cn = ngx_http_passport_cache_find(cache, key, hash);

    if (ngx_http_passport_cache_fresh(cache, cn, pool, rec)) {
        rc = NGX_HTTP_PASSPORT_CACHE_HIT;
        goto done;
    }

    if (cn && ngx_http_passport_cache_locked(cn)) {
        rc = NGX_HTTP_PASSPORT_CACHE_WAIT;
        goto done;
    }

    cache->sh->misses++;

    if (cn == NULL && key->key.len <= NGX_HTTP_PASSPORT_CACHE_KEY_MAX) {
        cn = ngx_http_passport_cache_alloc(cache, key, hash, 0);
    }

    if (cn) {
        cn->locked = 1;
        cn->lock_until = (uint32_t) (ngx_current_msec + lock_ms);
    }

    rc = NGX_HTTP_PASSPORT_CACHE_MISS;

done:

    ngx_shmtx_unlock(&cache->shpool->mutex);

    return rc;
}


/* stores a packed answer for ttl seconds (0: not at all), drops the lock */

void
ngx_http_passport_cache_put(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key, u_char *rec, size_t len, time_t ttl)
{
    time_t                           now;
    uint32_t                         hash;
    ngx_http_passport_cache_node_t  *cn;

    hash = ngx_http_passport_cache_hash(key);
    now = ngx_time();

    ngx_shmtx_lock(&cache->shpool->mutex);

    cn = ngx_http_passport_cache_find(cache, key, hash);

    if (cn) {
        ngx_http_passport_cache_free(cache, cn);
    }

    if (ttl > 0 && key->key.len <= NGX_HTTP_PASSPORT_CACHE_KEY_MAX
        && len <= NGX_HTTP_PASSPORT_CACHE_REC_MAX)
    {
        cn = ngx_http_passport_cache_alloc(cache, key, hash, len);

        if (cn) {
            cn->has_answer = 1;
            cn->expires = (uint32_t) ngx_min(now + ttl, 0xffffffff);
            cn->stale_until = (uint32_t) ngx_min(now + ttl + cache->stale,
                                                 0xffffffff);
            cn->rec_len = (uint16_t) len;
            ngx_memcpy(cn->data + cn->key_len, rec, len);
        }
    }

    ngx_shmtx_unlock(&cache->shpool->mutex);
}


/*
 * After a failed fetch: drops the lock and copies an expired answer that
 * is still within "stale", if there is one.  *warn is set at most once a
 * minute per key, for the log.
 */

ngx_uint_t
ngx_http_passport_cache_stale(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key, ngx_pool_t *pool, ngx_str_t *rec,
    ngx_uint_t *warn)
{
    uint32_t                         now, hash;
    ngx_uint_t                       found;
    ngx_http_passport_cache_node_t  *cn;

    hash = ngx_http_passport_cache_hash(key);
    now = ngx_http_passport_cache_now();
    found = 0;
    *warn = 0;

    ngx_shmtx_lock(&cache->shpool->mutex);

    cn = ngx_http_passport_cache_find(cache, key, hash);

    if (cn && cn->has_answer && cn->stale_until >= now
        && ngx_http_passport_cache_copy(cn, pool, rec) == NGX_OK)
    {
        found = 1;
        cache->sh->stale++;

        if (cn->stale_logged + 60 <= now) {
            cn->stale_logged = now;
            *warn = 1;
        }
    }

    if (cn) {
        ngx_http_passport_cache_release(cache, cn);
    }

    ngx_shmtx_unlock(&cache->shpool->mutex);

    return found;
}


/* 1: an answer was dropped */

ngx_uint_t
ngx_http_passport_cache_purge(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key)
{
    uint32_t                         hash;
    ngx_uint_t                       removed;
    ngx_http_passport_cache_node_t  *cn;

    hash = ngx_http_passport_cache_hash(key);
    removed = 0;

    ngx_shmtx_lock(&cache->shpool->mutex);

    cn = ngx_http_passport_cache_find(cache, key, hash);

    if (cn) {
        removed = cn->has_answer;
        ngx_http_passport_cache_free(cache, cn);
    }

    ngx_shmtx_unlock(&cache->shpool->mutex);

    return removed;
}


void
ngx_http_passport_cache_unlock(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key)
{
    uint32_t                         hash;
    ngx_http_passport_cache_node_t  *cn;

    hash = ngx_http_passport_cache_hash(key);

    ngx_shmtx_lock(&cache->shpool->mutex);

    cn = ngx_http_passport_cache_find(cache, key, hash);

    if (cn) {
        ngx_http_passport_cache_release(cache, cn);
    }

    ngx_shmtx_unlock(&cache->shpool->mutex);
}


/* drops a fetch lock; an entry that was only a lock goes with it */

static void
ngx_http_passport_cache_release(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_node_t *cn)
{
    cn->locked = 0;

    if (!cn->has_answer) {
        ngx_http_passport_cache_free(cache, cn);
    }
}


char *
ngx_http_passport_set_cache(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_str_t  *value;

    if (plcf->cache != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        plcf->cache = NULL;
        return NGX_CONF_OK;
    }

    /* the zone may be defined further down: nginx reports a missing one */

    plcf->cache = ngx_shared_memory_add(cf, &value[1], 0,
                                        &ngx_http_passport_module);
    if (plcf->cache == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
