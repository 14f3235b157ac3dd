
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REGISTRY_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REGISTRY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/*
 * One registry base URL and its circuit breaker.  The breaker is mutated
 * by each worker in its own copy of the configuration memory, so it is a
 * per-worker state without a global.
 */
typedef struct {
    ngx_str_t                   base;           /* no trailing "/" */
    ngx_uint_t                  failures;       /* consecutive */
    ngx_msec_t                  open_until;     /* ngx_current_msec */
    unsigned                    probing:1;
} ngx_http_passport_registry_conf_t;


/*
 * The answer to a lookup: a const ngx_http_passport_entity_t * for an
 * ENTITY, a const ngx_http_passport_record_t * for a CODE.  It is valid
 * only during the call: whoever keeps a record takes a reference to its
 * JSON tree.
 */
typedef void (*ngx_http_passport_answer_pt)(void *data, const void *result,
    ngx_uint_t cache_status);


typedef struct ngx_http_passport_loc_conf_s  ngx_http_passport_loc_conf_t;


/* ngx_http_passport_registry.c */
ngx_int_t ngx_http_passport_registry_init_process(ngx_cycle_t *cycle);
void ngx_http_passport_registry_exit_process(ngx_cycle_t *cycle);
ngx_int_t ngx_http_passport_registry_lookup(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_uint_t kind, ngx_str_t *key,
    ngx_http_passport_answer_pt answer, void *data, void **waiter);
void ngx_http_passport_registry_cancel(void *waiter);
ngx_uint_t ngx_http_passport_registry_open(
    ngx_http_passport_registry_conf_t *rc, time_t *retry_after);
ngx_int_t ngx_http_passport_registry_url(ngx_pool_t *pool,
    ngx_http_passport_registry_conf_t *rc, ngx_uint_t kind, ngx_str_t *key,
    ngx_str_t *url);


#endif /* _NGX_HTTP_PASSPORT_REGISTRY_H_INCLUDED_ */
