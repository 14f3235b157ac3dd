
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <jansson.h>
#include <curl/curl.h>

#include "passport_ids.h"
#include "passport_verdict.h"
#include "passport_record.h"


#define NGX_HTTP_PASSPORT_VERSION  "0.2.0"


/* request states: the handler is resumable at each of them */
#define NGX_HTTP_PASSPORT_STATE_BODY    0   /* reading the request body */
#define NGX_HTTP_PASSPORT_STATE_CHECK   1   /* extraction + local rules */
#define NGX_HTTP_PASSPORT_STATE_LOOKUP  2   /* registry lookups */
#define NGX_HTTP_PASSPORT_STATE_DONE    3   /* verdict known */


/* a JSON Pointer (RFC 6901) compiled at configuration time */
typedef struct {
    ngx_str_t                   text;      /* as written, still escaped */
    ngx_str_t                  *tokens;    /* unescaped reference tokens */
    ngx_uint_t                  ntokens;
} ngx_http_passport_pointer_t;


typedef struct {
    ngx_str_t                   source;
    pcre2_code                 *code;
    pcre2_match_data           *match;
} ngx_http_passport_pattern_t;


/* lookup kinds */
#define NGX_HTTP_PASSPORT_ENTITY        0
#define NGX_HTTP_PASSPORT_CODE          1


typedef struct ngx_http_passport_lookup_s  ngx_http_passport_lookup_t;

/* the end of a transfer that is not a lookup */
typedef void (*ngx_http_passport_transfer_done_pt)(void *data,
    CURLcode code, const char *cause);


/* a transfer of the worker's HTTP client (ngx_http_passport_curl.c) */
typedef struct {
    ngx_http_passport_transfer_done_pt  done;
    void                       *data;
    ngx_event_t                 fail;           /* no connection slot */
    unsigned                    keep:1;         /* holds an exiting worker */
} ngx_http_passport_transfer_t;


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
    ngx_str_t                   name;
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


typedef struct {
    ngx_int_t                   request_id_index;
    ngx_uint_t                  registries;     /* passport_registry count */
    /* ngx_http_passport_report.h */
    struct ngx_http_passport_report_log_s   *reports;  /* _report_log */
    struct ngx_http_passport_report_push_s  *push;     /* _report_push */
} ngx_http_passport_main_conf_t;


typedef struct {
    ngx_flag_t                  enable;
    ngx_uint_t                  mode;
    ngx_uint_t                  methods;        /* NGX_HTTP_POST | ... */

    ngx_http_passport_pointer_t *seller;        /* from the body */
    ngx_http_complex_value_t   *seller_value;   /* from variables */
    ngx_http_passport_pointer_t *items;
    ngx_http_passport_pointer_t *item_code;
    ngx_http_passport_pointer_t *item_seller;
    ngx_http_passport_pointer_t *item_origin;

    ngx_array_t                *patterns;       /* of _pattern_t */

    ngx_uint_t                  status;
    ngx_uint_t                  max_items;
    ngx_str_t                   type_base;

    ngx_http_passport_registry_conf_t *registry;
    ngx_msec_t                  registry_timeout;
    ngx_str_t                   registry_token;
    ngx_flag_t                  registry_ssl_verify;
    ngx_str_t                   registry_ca;
    ngx_uint_t                  on_registry_error;
    ngx_uint_t                  breaker_failures;
    ngx_msec_t                  breaker_cooldown;

    ngx_shm_zone_t             *cache;
    ngx_flag_t                  purge;
} ngx_http_passport_loc_conf_t;


/* an item that passed local rules, for the cross-checks */
typedef struct {
    ngx_str_t                   pointer;        /* to its trace code */
    ngx_str_t                   code;           /* canonical */
    u_char                     *value;          /* the code as sent */
    size_t                      value_len;
    ngx_str_t                   seller;         /* normalised, or empty */
    int                         origin;         /* claimed, -1: none */
    ngx_int_t                   slot;           /* code lookup */
} ngx_http_passport_item_t;


/* one distinct registry lookup of a request */
typedef struct {
    ngx_uint_t                  kind;           /* ENTITY or CODE */
    ngx_str_t                   key;            /* ID or canonical code */
    ngx_str_t                   pointer;        /* for a seller: where */
    ngx_uint_t                  has_pointer;
    u_char                     *value;
    size_t                      value_len;
    void                       *waiter;         /* while in flight */
    ngx_uint_t                  done;
    ngx_http_passport_entity_t  entity;         /* the answer, kept until */
    ngx_http_passport_record_t  record;         /* all are in */
} ngx_http_passport_slot_t;


typedef struct {
    ngx_uint_t                  state;
    ngx_uint_t                  verdict;        /* VERDICT_* */
    ngx_uint_t                  lang;

    /* the location's settings when the check started */
    ngx_uint_t                  mode;
    ngx_uint_t                  status;
    ngx_str_t                   type_base;

    ngx_array_t                 errors;         /* of _error_t */
    ngx_str_t                   reasons;        /* "CODE_INVALID,..." */

    ngx_str_t                   seller;         /* normalised */
    ngx_str_t                   seller_raw;     /* as sent */
    const char                 *seller_kind;    /* NULL: none configured */
    const char                 *seller_verdict;

    ngx_str_t                   body;           /* the whole body */
    json_t                     *root;

    ngx_array_t                 items;          /* of _item_t */
    ngx_array_t                 slots;          /* of _slot_t */
    ngx_uint_t                  pending;        /* lookups in flight */
    ngx_event_t                 wake;           /* lookups done */
    ngx_uint_t                  on_registry_error;
    time_t                      retry_after;
    ngx_uint_t                  cache_status;   /* the weakest */

    unsigned                    failed:1;       /* internal error */
    unsigned                    responded:1;
    unsigned                    starting:1;     /* lookups being started */
} ngx_http_passport_ctx_t;


extern ngx_module_t  ngx_http_passport_module;


/* ngx_http_passport_handler.c */
ngx_int_t ngx_http_passport_handler(ngx_http_request_t *r);
void ngx_http_passport_decide(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);
ngx_http_passport_ctx_t *ngx_http_passport_get_ctx(ngx_http_request_t *r);

/* ngx_http_passport_body.c */
ngx_int_t ngx_http_passport_body_collect(ngx_http_request_t *r,
    ngx_str_t *body);
ngx_uint_t ngx_http_passport_is_json(ngx_http_request_t *r);

/* ngx_http_passport_extract.c */
char *ngx_http_passport_pointer_compile(ngx_conf_t *cf, ngx_str_t *text,
    ngx_http_passport_pointer_t **ptr);
long ngx_http_passport_today(void);
ngx_int_t ngx_http_passport_check(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_ctx_t *ctx);
ngx_http_passport_error_t *ngx_http_passport_add_error(
    ngx_http_request_t *r, ngx_http_passport_ctx_t *ctx, ngx_uint_t reason,
    ngx_str_t *pointer, u_char *value, size_t value_len);

/* ngx_http_passport_lookup.c */
ngx_int_t ngx_http_passport_lookups_start(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_ctx_t *ctx);
void ngx_http_passport_lookups_cancel(ngx_http_passport_ctx_t *ctx);
void ngx_http_passport_slot_done(ngx_http_request_t *r, ngx_uint_t index,
    const void *result, ngx_uint_t cache_status);
ngx_int_t ngx_http_passport_add_slot(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_uint_t kind, ngx_str_t *key,
    ngx_str_t *pointer, u_char *value, size_t value_len);

/* ngx_http_passport_curl.c */
ngx_int_t ngx_http_passport_curl_init(ngx_cycle_t *cycle);
void ngx_http_passport_curl_exit(ngx_cycle_t *cycle);
ngx_uint_t ngx_http_passport_curl_running(void);
ngx_log_t *ngx_http_passport_curl_log(void);
ngx_int_t ngx_http_passport_curl_add(CURL *easy,
    ngx_http_passport_transfer_t *t);
void ngx_http_passport_curl_remove(CURL *easy,
    ngx_http_passport_transfer_t *t);

/* ngx_http_passport_registry.c */
ngx_int_t ngx_http_passport_registry_init_process(ngx_cycle_t *cycle);
void ngx_http_passport_registry_exit_process(ngx_cycle_t *cycle);
ngx_int_t ngx_http_passport_registry_lookup(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_slot_t *slot,
    ngx_uint_t index);
void ngx_http_passport_registry_cancel(void *waiter);
ngx_uint_t ngx_http_passport_registry_open(
    ngx_http_passport_registry_conf_t *rc, time_t *retry_after);
ngx_int_t ngx_http_passport_registry_url(ngx_pool_t *pool,
    ngx_http_passport_registry_conf_t *rc, ngx_uint_t kind, ngx_str_t *key,
    ngx_str_t *url);

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

/* ngx_http_passport_module.c */
char *ngx_http_passport_token_read(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *token);

/* ngx_http_passport_purge.c */
ngx_int_t ngx_http_passport_purge_handler(ngx_http_request_t *r);

/* ngx_http_passport_variables.c */
ngx_int_t ngx_http_passport_add_variables(ngx_conf_t *cf);


#endif /* _NGX_HTTP_PASSPORT_H_INCLUDED_ */
