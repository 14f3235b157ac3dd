
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <jansson.h>
#include <curl/curl.h>

#include "passport_ids.h"
#include "passport_verdict.h"
#include "passport_record.h"

#include "ngx_http_passport_curl.h"
#include "ngx_http_passport_endpoint.h"
#include "ngx_http_passport_cache.h"
#include "ngx_http_passport_registry.h"


#define NGX_HTTP_PASSPORT_VERSION  "0.4.0"


/* request states: the handler is resumable at each of them */
#define NGX_HTTP_PASSPORT_STATE_BODY    0   /* reading the request body */
#define NGX_HTTP_PASSPORT_STATE_CHECK   1   /* extraction + local rules */
#define NGX_HTTP_PASSPORT_STATE_LOOKUP  2   /* registry lookups */
#define NGX_HTTP_PASSPORT_STATE_DONE    3   /* verdict known */


/* a JSON Pointer: ngx_http_passport_pointer.h */
typedef struct ngx_http_passport_pointer_s  ngx_http_passport_pointer_t;


/* lookup kinds */
#define NGX_HTTP_PASSPORT_ENTITY        0
#define NGX_HTTP_PASSPORT_CODE          1


typedef struct ngx_http_passport_loc_conf_s  ngx_http_passport_loc_conf_t;


typedef struct {
    ngx_int_t                   request_id_index;
    ngx_array_t                 registries;     /* of _registry_t * */
    ngx_uint_t                  registry_connections;   /* per worker */
    ngx_uint_t                  registry_lookups;       /* per worker */
    /* ngx_http_passport_report.h */
    struct ngx_http_passport_report_log_s   *reports;  /* _report_log */
    struct ngx_http_passport_report_push_s  *push;     /* _report_push */
    struct ngx_http_passport_metrics_s      *metrics;  /* _metrics.h */
} ngx_http_passport_main_conf_t;


struct ngx_http_passport_loc_conf_s {
    ngx_flag_t                  enable;
    u_char                     *enable_file;    /* where "passport on" is */
    ngx_uint_t                  enable_line;
    ngx_uint_t                  mode;
    ngx_flag_t                  check;          /* passport_check */
    ngx_uint_t                  log_level;      /* of the verdict line */
    ngx_uint_t                  methods;        /* NGX_HTTP_POST | ... */

    ngx_http_passport_pointer_t *seller;        /* from the body */
    ngx_http_complex_value_t   *seller_value;   /* from variables */
    ngx_http_passport_pointer_t *items;
    ngx_http_passport_pointer_t *item_code;
    ngx_http_passport_pointer_t *item_seller;
    ngx_http_passport_pointer_t *item_origin;

    ngx_array_t                *patterns;       /* passport_code_pattern */

    ngx_uint_t                  status;
    ngx_uint_t                  max_items;
    ngx_uint_t                  max_json_values;
    ngx_str_t                   type_base;

    ngx_http_passport_registry_t  *registry;    /* made by the merge */
    ngx_http_passport_registry_t  *lei_registry;  /* LEI sellers */
    ngx_str_t                  *lei_url;
    ngx_str_t                   lei_token;      /* its own, or none */
    ngx_str_t                   lei_ca;
    ngx_str_t                  *registry_url;
    ngx_msec_t                  registry_timeout;
    ngx_str_t                   registry_token;
    ngx_flag_t                  registry_ssl_verify;
    ngx_str_t                   registry_ca;
    ngx_str_t                   registry_cert;  /* mutual TLS */
    ngx_str_t                   registry_cert_key;
    ngx_uint_t                  on_registry_error;
    ngx_uint_t                  breaker_failures;
    ngx_msec_t                  breaker_cooldown;
    time_t                      registry_max_age;
    ngx_flag_t                  registry_code_fallback;
    ngx_uint_t                  request_lookups;

    ngx_shm_zone_t             *cache;
    ngx_flag_t                  purge;

    /* ngx_http_passport_report_receive.h */
    struct ngx_http_passport_receive_s  *receive;
    void                       *reports_query;  /* passport_reports */
};


/*
 * An item that passed the local rules, kept by the check for the lookups
 * and the cross-checks (and read by the regulator's record).
 */
typedef struct {
    ngx_str_t                   pointer;        /* to its trace code */
    ngx_str_t                   code;           /* the lookup key */
    u_char                     *value;          /* the code as sent */
    size_t                      value_len;
    ngx_str_t                   seller;         /* normalised, or empty */
    int                         origin;         /* claimed, -1: none */
    ngx_str_t                   origin_pointer; /* where, when claimed */
    u_char                     *origin_value;   /* as sent */
    size_t                      origin_value_len;
    ngx_int_t                   slot;           /* its code's lookup */

    /* the item's own seller, when it has one */
    ngx_str_t                   seller_pointer;
    u_char                     *seller_value;   /* as sent */
    size_t                      seller_value_len;
    unsigned                    own_seller:1;

    /* the registry's answers for the report (lookup.c); NULL: none */
    const char                 *status;         /* of its code's record */
    const char                 *owner;
    const char                 *seller_status;  /* of its own seller */
    const char                 *seller_name;
    const char                 *seller_country;
} ngx_http_passport_item_t;


typedef struct ngx_http_passport_ctx_s  ngx_http_passport_ctx_t;

/* the end of a request's lookups: the last answer is in */
typedef void (*ngx_http_passport_lookups_done_pt)(
    ngx_http_passport_ctx_t *ctx);


struct ngx_http_passport_ctx_s {
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
    ngx_str_t                   seller_pointer; /* empty: from variables */
    const char                 *seller_kind;    /* NULL: none configured */
    const char                 *seller_verdict;

    ngx_str_t                   body;           /* the whole body */

    ngx_array_t                 items;          /* of _item_t */
    ngx_array_t                 others;         /* of _item_t: not kept,
                                                   with problems and their
                                                   own seller (the report) */
    const char                 *seller_status;  /* the registry's answer */
    const char                 *seller_name;    /* for the report; NULL */
    const char                 *seller_country;
    ngx_array_t                 slots;          /* lookup.c's */
    ngx_uint_t                  pending;        /* lookups in flight */
    ngx_event_t                 wake;           /* lookups done */
    ngx_http_passport_lookups_done_pt  lookups_done;
    ngx_uint_t                  on_registry_error;
    time_t                      retry_after;
    time_t                      busy_retry_after;
    ngx_uint_t                  cache_status;   /* the weakest */

    unsigned                    failed:1;       /* internal error */
    unsigned                    responded:1;
    unsigned                    starting:1;     /* lookups being started */
    unsigned                    busy:1;         /* a lookup was not made */
    unsigned                    check:1;        /* a self-check: answer */
};


extern ngx_module_t  ngx_http_passport_module;


/* ngx_http_passport_extract.c: today in Vietnam as YYYYMMDD */
long ngx_http_passport_today(void);

/* ngx_http_passport_purge.c */
char *ngx_http_passport_set_purge(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_HTTP_PASSPORT_H_INCLUDED_ */
