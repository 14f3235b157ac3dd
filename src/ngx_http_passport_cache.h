
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


typedef struct {
    long                        status;
    ngx_str_t                   body;
} ngx_http_passport_cache_answer_t;


/* ngx_http_passport_cache.c */
char *ngx_http_passport_cache_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_uint_t ngx_http_passport_cache_get(ngx_http_passport_cache_t *cache,
    ngx_str_t *key, ngx_pool_t *pool, ngx_msec_t lock_ms,
    ngx_http_passport_cache_answer_t *ans);
void ngx_http_passport_cache_put(ngx_http_passport_cache_t *cache,
    ngx_str_t *key, long status, u_char *body, size_t len, time_t ttl);
void ngx_http_passport_cache_unlock(ngx_http_passport_cache_t *cache,
    ngx_str_t *key);
ngx_uint_t ngx_http_passport_cache_stale(ngx_http_passport_cache_t *cache,
    ngx_str_t *key, ngx_pool_t *pool, ngx_http_passport_cache_answer_t *ans,
    ngx_uint_t *warn);
ngx_uint_t ngx_http_passport_cache_purge(ngx_http_passport_cache_t *cache,
    ngx_str_t *key);


/* passport_cache */
char *ngx_http_passport_set_cache(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_HTTP_PASSPORT_CACHE_H_INCLUDED_ */
