
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_CACHE_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_CACHE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/* cache outcomes, weakest last: a request shows its weakest */
#define NGX_HTTP_PASSPORT_CACHE_BYPASS  0
#define NGX_HTTP_PASSPORT_CACHE_HIT     1
#define NGX_HTTP_PASSPORT_CACHE_STALE   2
#define NGX_HTTP_PASSPORT_CACHE_MISS    3
#define NGX_HTTP_PASSPORT_CACHE_WAIT    4   /* another worker fetches */


typedef struct {
    ngx_rbtree_t                rbtree;
    ngx_rbtree_node_t           sentinel;
    ngx_queue_t                 lru;
    ngx_uint_t                  entries;
    ngx_uint_t                  hits;
    ngx_uint_t                  misses;
    ngx_uint_t                  stale;
    ngx_uint_t                  evictions;
} ngx_http_passport_cache_sh_t;


typedef struct {
    ngx_shm_zone_t             *shm_zone;
    ngx_http_passport_cache_sh_t  *sh;
    ngx_slab_pool_t            *shpool;
    time_t                      valid;
    time_t                      not_found;
    time_t                      stale;
} ngx_http_passport_cache_t;


/* the longest key and record an entry holds; longer ones are not kept */
#define NGX_HTTP_PASSPORT_CACHE_KEY_MAX  0xffff
#define NGX_HTTP_PASSPORT_CACHE_REC_MAX  0xffff


/*
 * A key: the name space (the registry object and the kind of lookup,
 * ngx_http_passport_registry_ns()) and the ID or code asked.
 */
typedef struct {
    uint64_t                    ns;
    ngx_str_t                   key;
} ngx_http_passport_cache_key_t;


/* one lookup of a batch: the cache to look in, the key, what was found */
typedef struct {
    ngx_http_passport_cache_t  *cache;
    ngx_http_passport_cache_key_t  key;
    ngx_uint_t                  status;        /* HIT or MISS */
    ngx_str_t                   rec;           /* HIT: packed, in the pool */
} ngx_http_passport_cache_ask_t;


/*
 * ngx_http_passport_cache.c.  A record is the packed form of a parsed
 * answer (core: passport_record_pack.c), copied into the caller's pool.
 */
char *ngx_http_passport_cache_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_uint_t ngx_http_passport_cache_hits(ngx_http_passport_cache_ask_t *asks,
    ngx_uint_t n, ngx_pool_t *pool);
ngx_uint_t ngx_http_passport_cache_get(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key, ngx_pool_t *pool, ngx_msec_t lock_ms,
    ngx_str_t *rec);
void ngx_http_passport_cache_put(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key, u_char *rec, size_t len, time_t ttl);
void ngx_http_passport_cache_unlock(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key);
ngx_uint_t ngx_http_passport_cache_stale(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key, ngx_pool_t *pool, ngx_str_t *rec,
    ngx_uint_t *warn);
ngx_uint_t ngx_http_passport_cache_purge(ngx_http_passport_cache_t *cache,
    ngx_http_passport_cache_key_t *key);
size_t ngx_http_passport_cache_entry_size(size_t key_len, size_t rec_len);


/* passport_cache */
char *ngx_http_passport_set_cache(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_HTTP_PASSPORT_CACHE_H_INCLUDED_ */
