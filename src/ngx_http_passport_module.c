
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_handler.h"
#include "ngx_http_passport_extract.h"
#include "ngx_http_passport_pattern.h"
#include "ngx_http_passport_pointer.h"
#include "ngx_http_passport_variables.h"
#include "ngx_http_passport_report.h"
#include "ngx_http_passport_metrics.h"
#include "ngx_http_passport_check.h"
#include "ngx_http_passport_report_receive.h"


static ngx_int_t ngx_http_passport_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_passport_init(ngx_conf_t *cf);
static void *ngx_http_passport_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_passport_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_passport_set_enable(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_passport_set_enum(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_passport_set_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static void ngx_http_passport_enable_error(ngx_conf_t *cf,
    ngx_http_passport_loc_conf_t *conf, const char *text);
static char *ngx_http_passport_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_passport_merge_registry(ngx_conf_t *cf,
    ngx_http_passport_loc_conf_t *prev, ngx_http_passport_loc_conf_t *conf);

static ngx_int_t ngx_http_passport_init_process(ngx_cycle_t *cycle);
static void ngx_http_passport_exit_process(ngx_cycle_t *cycle);


static ngx_conf_enum_t  ngx_http_passport_modes[] = {
    { ngx_string("enforce"), NGX_HTTP_PASSPORT_MODE_ENFORCE },
    { ngx_string("flag"), NGX_HTTP_PASSPORT_MODE_FLAG },
    { ngx_string("monitor"), NGX_HTTP_PASSPORT_MODE_MONITOR },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_passport_on_error[] = {
    { ngx_string("block"), NGX_HTTP_PASSPORT_ON_ERROR_BLOCK },
    { ngx_string("flag"), NGX_HTTP_PASSPORT_ON_ERROR_FLAG },
    { ngx_string("pass"), NGX_HTTP_PASSPORT_ON_ERROR_PASS },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_passport_log_levels[] = {
    { ngx_string("info"), NGX_LOG_INFO },
    { ngx_string("notice"), NGX_LOG_NOTICE },
    { ngx_string("warn"), NGX_LOG_WARN },
    { ngx_string("error"), NGX_LOG_ERR },
    { ngx_null_string, 0 }
};


static ngx_conf_num_bounds_t  ngx_http_passport_lookups_bounds = {
    ngx_conf_check_num_bounds, 1, 100000
};


static ngx_command_t  ngx_http_passport_commands[] = {

    { ngx_string("passport"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_http_passport_set_enable,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, enable),
      NULL },

    { ngx_string("passport_mode"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_enum,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, mode),
      &ngx_http_passport_modes },

    { ngx_string("passport_methods"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_passport_set_methods,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_seller"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_seller,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_items"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_pointer_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, items),
      NULL },

    { ngx_string("passport_item_code"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_pointer_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, item_code),
      NULL },

    { ngx_string("passport_item_seller"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_pointer_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, item_seller),
      NULL },

    { ngx_string("passport_item_origin"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_pointer_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, item_origin),
      NULL },

    { ngx_string("passport_code_pattern"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_code_pattern,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_status"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_status,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, status),
      NULL },

    { ngx_string("passport_max_items"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, max_items),
      &ngx_http_passport_max_items_limit },

    { ngx_string("passport_max_json_values"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, max_json_values),
      &ngx_http_passport_max_json_values_limit },

    { ngx_string("passport_registry"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_registry,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_registry_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, registry_timeout),
      NULL },

    { ngx_string("passport_registry_token_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_registry_token,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_registry_ssl_verify"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, registry_ssl_verify),
      NULL },

    { ngx_string("passport_registry_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_registry_ca,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_lei_registry"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE123,
      ngx_http_passport_set_lei_registry,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_registry_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_registry_cert,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_registry_certificate_key"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_registry_cert,
      NGX_HTTP_LOC_CONF_OFFSET,
      1,
      NULL },

    { ngx_string("passport_on_registry_error"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_enum,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, on_registry_error),
      &ngx_http_passport_on_error },

    { ngx_string("passport_registry_breaker"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_passport_set_registry_breaker,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_registry_max_age"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, registry_max_age),
      NULL },

    { ngx_string("passport_registry_code_fallback"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, registry_code_fallback),
      NULL },

    { ngx_string("passport_registry_request_lookups"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, request_lookups),
      &ngx_http_passport_lookups_bounds },

    { ngx_string("passport_registry_lookups"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_passport_main_conf_t, registry_lookups),
      &ngx_http_passport_lookups_bounds },

    { ngx_string("passport_registry_connections"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_passport_main_conf_t, registry_connections),
      &ngx_http_passport_lookups_bounds },

    { ngx_string("passport_report_log"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1234,
      ngx_http_passport_report_log,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_report_push"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_passport_report_push,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_report_receive"),
      NGX_HTTP_LOC_CONF|NGX_CONF_2MORE,
      ngx_http_passport_report_receive,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_reports"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS|NGX_CONF_TAKE1,
      ngx_http_passport_report_query,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_cache_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_passport_cache_zone,
      0,
      0,
      NULL },

    { ngx_string("passport_cache"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_cache,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_cache_purge"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_passport_set_purge,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_log_level"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_passport_set_enum,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, log_level),
      &ngx_http_passport_log_levels },

    { ngx_string("passport_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_passport_metrics,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_check"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_passport_set_check,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("passport_problem_type_base"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_passport_loc_conf_t, type_base),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_passport_module_ctx = {
    ngx_http_passport_preconfiguration,   /* preconfiguration */
    ngx_http_passport_init,               /* postconfiguration */

    ngx_http_passport_create_main_conf,   /* create main configuration */
    NULL,                                 /* init main configuration */

    NULL,                                 /* create server configuration */
    NULL,                                 /* merge server configuration */

    ngx_http_passport_create_loc_conf,    /* create location configuration */
    ngx_http_passport_merge_loc_conf      /* merge location configuration */
};


ngx_module_t  ngx_http_passport_module = {
    NGX_MODULE_V1,
    &ngx_http_passport_module_ctx,        /* module context */
    ngx_http_passport_commands,           /* module directives */
    NGX_HTTP_MODULE,                      /* module type */
    NULL,                                 /* init master */
    NULL,                                 /* init module */
    ngx_http_passport_init_process,       /* init process */
    NULL,                                 /* init thread */
    NULL,                                 /* exit thread */
    ngx_http_passport_exit_process,       /* exit process */
    NULL,                                 /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_passport_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_passport_add_variables(cf);
}


static ngx_int_t
ngx_http_passport_init(ngx_conf_t *cf)
{
    ngx_str_t                       name = ngx_string("request_id");
    ngx_http_handler_pt            *h;
    ngx_http_core_main_conf_t      *cmcf;
    ngx_http_passport_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_passport_module);

    /* a worker's registry connections and lookups: see the directives */
    ngx_conf_init_uint_value(pmcf->registry_connections, 32);
    ngx_conf_init_uint_value(pmcf->registry_lookups, 256);

    if (pmcf->push && pmcf->reports == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_push\" requires "
                           "\"passport_report_log\"");
        return NGX_ERROR;
    }

    if (ngx_http_passport_metrics_init_conf(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    pmcf->request_id_index = ngx_http_get_variable_index(cf, &name);
    if (pmcf->request_id_index == NGX_ERROR) {
        return NGX_ERROR;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_passport_handler;

    return NGX_OK;
}


static void *
ngx_http_passport_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_passport_main_conf_t  *pmcf;

    pmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_main_conf_t));
    if (pmcf == NULL) {
        return NULL;
    }

    pmcf->request_id_index = NGX_CONF_UNSET;
    pmcf->registry_connections = NGX_CONF_UNSET_UINT;
    pmcf->registry_lookups = NGX_CONF_UNSET_UINT;

    if (ngx_array_init(&pmcf->registries, cf->pool, 4,
                       sizeof(ngx_http_passport_registry_t *))
        != NGX_OK)
    {
        return NULL;
    }

    return pmcf;
}


static void *
ngx_http_passport_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_passport_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->methods = 0;
     *     conf->check = 0;
     *     conf->seller_value = NULL;
     *     conf->type_base = { 0, NULL };
     *     conf->registry = NULL;
     *     conf->registry_token = { 0, NULL };
     *     conf->registry_ca = { 0, NULL };
     */

    conf->enable = NGX_CONF_UNSET;
    conf->mode = NGX_CONF_UNSET_UINT;
    conf->log_level = NGX_CONF_UNSET_UINT;
    conf->seller = NGX_CONF_UNSET_PTR;
    conf->items = NGX_CONF_UNSET_PTR;
    conf->item_code = NGX_CONF_UNSET_PTR;
    conf->item_seller = NGX_CONF_UNSET_PTR;
    conf->item_origin = NGX_CONF_UNSET_PTR;
    conf->patterns = NGX_CONF_UNSET_PTR;
    conf->status = NGX_CONF_UNSET_UINT;
    conf->max_items = NGX_CONF_UNSET_UINT;
    conf->max_json_values = NGX_CONF_UNSET_UINT;
    conf->registry_url = NGX_CONF_UNSET_PTR;
    conf->registry_timeout = NGX_CONF_UNSET_MSEC;
    conf->registry_ssl_verify = NGX_CONF_UNSET;
    conf->on_registry_error = NGX_CONF_UNSET_UINT;
    conf->breaker_failures = NGX_CONF_UNSET_UINT;
    conf->breaker_cooldown = NGX_CONF_UNSET_MSEC;
    conf->registry_max_age = NGX_CONF_UNSET;
    conf->registry_code_fallback = NGX_CONF_UNSET;
    conf->lei_url = NGX_CONF_UNSET_PTR;
    conf->request_lookups = NGX_CONF_UNSET_UINT;
    conf->cache = NGX_CONF_UNSET_PTR;

    return conf;
}


static char *
ngx_http_passport_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_passport_loc_conf_t *prev = parent;
    ngx_http_passport_loc_conf_t *conf = child;

    if (conf->enable == NGX_CONF_UNSET) {
        conf->enable_file = prev->enable_file;
        conf->enable_line = prev->enable_line;
    }

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_uint_value(conf->mode, prev->mode,
                              NGX_HTTP_PASSPORT_MODE_ENFORCE);
    ngx_conf_merge_uint_value(conf->log_level, prev->log_level, NGX_LOG_WARN);
    ngx_conf_merge_bitmask_value(conf->methods, prev->methods,
                                 (NGX_CONF_BITMASK_SET|NGX_HTTP_POST
                                  |NGX_HTTP_PUT|NGX_HTTP_PATCH));

    /* the seller comes from the body or from variables, never both */

    if (conf->seller == NGX_CONF_UNSET_PTR && conf->seller_value == NULL) {
        conf->seller = prev->seller;
        conf->seller_value = prev->seller_value;
    }

    ngx_conf_merge_ptr_value(conf->seller, prev->seller, NULL);
    ngx_conf_merge_ptr_value(conf->items, prev->items, NULL);
    ngx_conf_merge_ptr_value(conf->item_code, prev->item_code, NULL);
    ngx_conf_merge_ptr_value(conf->item_seller, prev->item_seller, NULL);
    ngx_conf_merge_ptr_value(conf->item_origin, prev->item_origin, NULL);
    ngx_conf_merge_ptr_value(conf->patterns, prev->patterns, NULL);
    ngx_conf_merge_uint_value(conf->status, prev->status, 422);
    ngx_conf_merge_uint_value(conf->max_items, prev->max_items, 100);
    ngx_conf_merge_uint_value(conf->max_json_values, prev->max_json_values,
                              50000);
    ngx_conf_merge_str_value(conf->type_base, prev->type_base,
                             "urn:passport:problem:");

    ngx_conf_merge_uint_value(conf->on_registry_error,
                              prev->on_registry_error,
                              NGX_HTTP_PASSPORT_ON_ERROR_BLOCK);

    if (ngx_http_passport_merge_registry(cf, prev, conf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    if (conf->purge && (conf->cache == NULL || conf->registry == NULL)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_cache_purge\" needs "
                           "\"passport_cache\" and \"passport_registry\"");
        return NGX_CONF_ERROR;
    }

    if (ngx_http_passport_check_merge(cf, conf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    if ((conf->enable || conf->check) && conf->item_code == NULL) {
        ngx_http_passport_enable_error(cf, conf, conf->check
            ? "\"passport_item_code\" is required where "
              "\"passport_check\" is: add \"passport_item_code /...;\" "
              "naming each item's trace code"
            : "\"passport_item_code\" is required where \"passport\" is "
              "on: add \"passport_item_code /...;\" naming each item's "
              "trace code");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* "passport": where it is turned on, for the errors of the merge */

static char *
ngx_http_passport_set_enable(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    char  *rv;

    rv = ngx_conf_set_flag_slot(cf, cmd, conf);

    if (rv == NGX_CONF_OK && cf->conf_file && cf->conf_file->file.name.len) {
        plcf->enable_file = cf->conf_file->file.name.data;
        plcf->enable_line = cf->conf_file->line;
    }

    return rv;
}


/* an error of the merge, shown at the "passport on" line it is about */

static void
ngx_http_passport_enable_error(ngx_conf_t *cf,
    ngx_http_passport_loc_conf_t *conf, const char *text)
{
    u_char      *name;
    size_t       len;
    ngx_uint_t   line;

    if (conf->enable_file == NULL || cf->conf_file == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", text);
        return;
    }

    name = cf->conf_file->file.name.data;
    len = cf->conf_file->file.name.len;
    line = cf->conf_file->line;

    cf->conf_file->file.name.data = conf->enable_file;
    cf->conf_file->file.name.len = ngx_strlen(conf->enable_file);
    cf->conf_file->line = conf->enable_line;

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", text);

    cf->conf_file->file.name.data = name;
    cf->conf_file->file.name.len = len;
    cf->conf_file->line = line;
}


/* an enum of cmd->post whose error names the directive and the values */

static char *
ngx_http_passport_set_enum(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    u_char           *last, list[256];
    ngx_str_t        *value;
    ngx_uint_t       *np, i;
    ngx_conf_enum_t  *e;

    np = (ngx_uint_t *) (p + cmd->offset);

    if (*np != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;
    e = cmd->post;

    for (i = 0; e[i].name.len; i++) {
        if (e[i].name.len == value[1].len
            && ngx_strncmp(e[i].name.data, value[1].data, value[1].len) == 0)
        {
            *np = e[i].value;
            return NGX_CONF_OK;
        }
    }

    last = list;

    for (i = 0; e[i].name.len; i++) {
        last = ngx_slprintf(last, list + sizeof(list), "%s\"%V\"",
                            i == 0 ? "" : e[i + 1].name.len ? ", " : " or ",
                            &e[i].name);
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"%V\": invalid value \"%V\", use %*s",
                       &cmd->name, &value[1], (size_t) (last - list), list);

    return NGX_CONF_ERROR;
}


static char *
ngx_http_passport_set_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (plcf->status != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;
    n = ngx_atoi(value[1].data, value[1].len);

    if (n < 400 || n > 599) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid value \"%V\", use an HTTP "
                           "status from 400 to 599 (the default is 422)",
                           &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    plcf->status = n;

    return NGX_CONF_OK;
}


/*
 * Each registry directive is inherited on its own; then the location
 * gets the registry object of its settings, shared with every location
 * whose settings are the same.
 */

static char *
ngx_http_passport_merge_registry(ngx_conf_t *cf,
    ngx_http_passport_loc_conf_t *prev, ngx_http_passport_loc_conf_t *conf)
{
    ngx_http_passport_registry_t   settings;
    ngx_http_passport_endpoint_t  *ep;

    ngx_conf_merge_ptr_value(conf->registry_url, prev->registry_url, NULL);
    ngx_conf_merge_msec_value(conf->registry_timeout, prev->registry_timeout,
                              3000);

    if (conf->registry_timeout == 0) {
        /* to libcurl 0 means no limit at all */
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_registry_timeout\" must not be 0: "
                           "give the longest time a lookup may take, "
                           "such as 3s");
        return NGX_CONF_ERROR;
    }

    ngx_conf_merge_str_value(conf->registry_token, prev->registry_token, "");
    ngx_conf_merge_value(conf->registry_ssl_verify,
                         prev->registry_ssl_verify, 1);
    ngx_conf_merge_str_value(conf->registry_ca, prev->registry_ca, "");
    ngx_conf_merge_str_value(conf->registry_cert, prev->registry_cert, "");
    ngx_conf_merge_str_value(conf->registry_cert_key,
                             prev->registry_cert_key, "");
    ngx_conf_merge_uint_value(conf->breaker_failures, prev->breaker_failures,
                              5);
    ngx_conf_merge_msec_value(conf->breaker_cooldown, prev->breaker_cooldown,
                              10000);
    ngx_conf_merge_sec_value(conf->registry_max_age, prev->registry_max_age,
                             86400);
    ngx_conf_merge_uint_value(conf->request_lookups, prev->request_lookups,
                              256);
    ngx_conf_merge_value(conf->registry_code_fallback,
                         prev->registry_code_fallback, 1);
    ngx_conf_merge_ptr_value(conf->cache, prev->cache, NULL);

    if (conf->lei_url == NGX_CONF_UNSET_PTR) {
        /* its token and CAs go with the URL */
        conf->lei_token = prev->lei_token;
        conf->lei_ca = prev->lei_ca;
    }

    ngx_conf_merge_ptr_value(conf->lei_url, prev->lei_url, NULL);

    if (conf->registry_url == NULL && conf->lei_url == NULL) {
        return NGX_CONF_OK;
    }

    ngx_memzero(&settings, sizeof(ngx_http_passport_registry_t));

    ep = &settings.endpoint;
    ep->token = conf->registry_token;
    ep->ca = conf->registry_ca;
    ep->cert = conf->registry_cert;
    ep->cert_key = conf->registry_cert_key;
    ep->verify = conf->registry_ssl_verify;
    ep->timeout = conf->registry_timeout;

    settings.breaker_failures = conf->breaker_failures;
    settings.breaker_cooldown = conf->breaker_cooldown;
    settings.cache = conf->cache;
    settings.max_age = conf->registry_max_age;
    settings.code_fallback = conf->registry_code_fallback;

    if (conf->lei_url) {
        /* GLEIF: the same limits, never the registry's token or CAs */
        settings.lei = 1;
        ep->url = *conf->lei_url;
        ep->token = conf->lei_token;
        ep->ca = conf->lei_ca;

        conf->lei_registry = ngx_http_passport_registry_add(cf, &settings);
        if (conf->lei_registry == NULL) {
            return NGX_CONF_ERROR;
        }

        settings.lei = 0;
        ep->token = conf->registry_token;
        ep->ca = conf->registry_ca;
    }

    if (conf->registry_url == NULL) {
        return NGX_CONF_OK;
    }

    ep->url = *conf->registry_url;

    conf->registry = ngx_http_passport_registry_add(cf, &settings);
    if (conf->registry == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_passport_init_process(ngx_cycle_t *cycle)
{
    ngx_http_passport_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_passport_module);

    /*
     * a report log at the file size limit (RLIMIT_FSIZE) must fail as a
     * full disk does, a record lost and logged, not kill the worker with
     * SIGXFSZ at each blocked request
     */

    if (pmcf && pmcf->reports) {
        (void) signal(SIGXFSZ, SIG_IGN);
    }

    /* lookups and the push share the worker's HTTP client */

    if (pmcf && (pmcf->registries.nelts || pmcf->push)
        && ngx_http_passport_curl_init(cycle, pmcf->registry_connections)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_http_passport_metrics_init_process(cycle);

    return ngx_http_passport_report_push_init_process(cycle, pmcf);
}


static void
ngx_http_passport_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_passport_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_passport_module);

    ngx_http_passport_report_push_exit_process(cycle, pmcf);
    ngx_http_passport_registry_exit_process(cycle);
    ngx_http_passport_curl_exit(cycle);
}
