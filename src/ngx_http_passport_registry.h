
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REGISTRY_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REGISTRY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_passport_endpoint.h"
#include "ngx_http_passport_cache.h"


#define NGX_HTTP_PASSPORT_REGISTRY_ID_LEN  16


typedef struct ngx_http_passport_registry_s  ngx_http_passport_registry_t;


/*
 * A registry as a set of settings (ngx_http_passport_registry.c): the
 * locations whose settings are all the same share one object, made when
 * the configuration is merged.  Its breaker and its lookups in flight are
 * per worker: each worker changes them in its own copy of the
 * configuration memory, without a global.  Its answers are its own: its
 * id, made from the settings, starts each key of its cache entries.
 */
struct ngx_http_passport_registry_s {
    ngx_http_passport_endpoint_t  endpoint;     /* url: the base */
    ngx_uint_t                  breaker_failures;
    ngx_msec_t                  breaker_cooldown;
    ngx_shm_zone_t             *cache;          /* or NULL */
    time_t                      max_age;        /* caps the registry's */
    ngx_flag_t                  code_fallback;  /* a lot's 404: its GTIN */
    ngx_flag_t                  lei;            /* GLEIF: LEI records */
    u_char                      id[NGX_HTTP_PASSPORT_REGISTRY_ID_LEN];
    uint64_t                    cache_ns;       /* the id as a number */

    /* requests made for an ancestor of the asked code, for the metrics */
    ngx_uint_t                  fallback_requests;

    /* the breaker */
    ngx_uint_t                  failures;       /* consecutive */
    ngx_msec_t                  open_until;     /* ngx_current_msec */
    unsigned                    probing:1;

    /* the lookups in flight, by key */
    ngx_rbtree_t                inflight;
    ngx_rbtree_node_t           sentinel;
};


/* the name space of an object's cache entries of one kind */
#define ngx_http_passport_registry_ns(reg, kind)                              \
    (((reg)->cache_ns & ~(uint64_t) 1) | (kind))


/*
 * The answer to a lookup: a const ngx_http_passport_entity_t * for an
 * ENTITY, a const ngx_http_passport_record_t * for a CODE.  It is valid
 * only during the call: a record's authorized sellers (packed) are in the
 * lookup's memory, whoever keeps the record copies them.  NULL: the worker
 * is busy, the registry was not asked or could not be (a local limit: no
 * connection, a cap); nothing is known.
 */
typedef void (*ngx_http_passport_answer_pt)(void *data, const void *result,
    ngx_uint_t cache_status);


/* a GET of the registry and what came back (registry_fetch.c) */
typedef struct {
    ngx_http_passport_exchange_t  ex;
    ngx_http_passport_registry_t  *reg;         /* the one asked */
    ngx_pool_t                 *pool;
    u_char                     *body;
    size_t                      len;
    size_t                      size;
    time_t                      max_age;        /* -1: none sent */
    unsigned                    too_big:1;
    unsigned                    no_store:1;
} ngx_http_passport_fetch_t;


/* ngx_http_passport_registry.c: the object, its keys and its breaker */
ngx_http_passport_registry_t *ngx_http_passport_registry_add(ngx_conf_t *cf,
    ngx_http_passport_registry_t *settings);
ngx_int_t ngx_http_passport_registry_key(ngx_pool_t *pool,
    ngx_http_passport_registry_t *reg, ngx_uint_t kind, ngx_str_t *key,
    ngx_str_t *name, ngx_str_t *url);
ngx_int_t ngx_http_passport_registry_purge(ngx_http_request_t *r,
    ngx_http_passport_registry_t *reg, ngx_uint_t kind, ngx_str_t *key,
    ngx_str_t *url);
ngx_uint_t ngx_http_passport_registry_open(ngx_http_passport_registry_t *reg,
    time_t *retry_after);
ngx_uint_t ngx_http_passport_registry_probe(
    ngx_http_passport_registry_t *reg);
void ngx_http_passport_registry_breaker(ngx_http_passport_registry_t *reg,
    ngx_uint_t probe, ngx_uint_t failed, ngx_log_t *log);

/* ngx_http_passport_registry_share.c: lookups in flight, the cache */
ngx_int_t ngx_http_passport_registry_lookup(ngx_http_request_t *r,
    ngx_http_passport_registry_t *reg, ngx_uint_t kind, ngx_str_t *key,
    ngx_http_passport_answer_pt answer, void *data, void **waiter);
void ngx_http_passport_registry_cancel(void *waiter);
ngx_int_t ngx_http_passport_registry_unpack(ngx_http_passport_cache_t *cache,
    ngx_uint_t kind, ngx_http_passport_cache_key_t *ck, ngx_str_t *packed,
    ngx_log_t *log, ngx_http_passport_entity_t *ent,
    ngx_http_passport_record_t *rec);
void ngx_http_passport_registry_exit_process(ngx_cycle_t *cycle);

/* ngx_http_passport_registry_fetch.c: the GET */
ngx_int_t ngx_http_passport_fetch_start(ngx_http_passport_fetch_t *f,
    ngx_http_passport_registry_t *reg, ngx_pool_t *pool, u_char *url,
    ngx_http_passport_transfer_done_pt done, void *data);
long ngx_http_passport_fetch_result(ngx_http_passport_fetch_t *f,
    CURLcode code, const char **cause);
time_t ngx_http_passport_fetch_ttl(ngx_http_passport_fetch_t *f,
    ngx_http_passport_cache_t *cache, long status, time_t max);
void ngx_http_passport_fetch_close(ngx_http_passport_fetch_t *f);


/* the registry directives (passport_registry, _token_file,
 * _trusted_certificate, _breaker) */
char *ngx_http_passport_set_registry(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_passport_set_registry_token(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_passport_set_registry_ca(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_passport_set_lei_registry(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_passport_set_registry_cert(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_passport_set_registry_breaker(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);


#endif /* _NGX_HTTP_PASSPORT_REGISTRY_H_INCLUDED_ */
