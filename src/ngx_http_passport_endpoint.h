
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_ENDPOINT_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_ENDPOINT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include <curl/curl.h>

#include "ngx_http_passport_curl.h"


/*
 * An HTTP endpoint the module sends requests to: a registry, or the
 * regulator of passport_report_push.  Both are configured, checked and
 * asked alike.
 */
typedef struct {
    ngx_str_t                   url;            /* a registry's: the base */
    ngx_str_t                   token;          /* bearer token, or empty */
    ngx_str_t                   ca;             /* trusted CAs, or empty */
    ngx_str_t                   cert;           /* client certificate, */
    ngx_str_t                   cert_key;       /* its key (PEM), or empty */
    ngx_flag_t                  verify;         /* TLS peer and host name */
    ngx_msec_t                  timeout;        /* the whole exchange */
} ngx_http_passport_endpoint_t;


/* one request to an endpoint, on the worker's HTTP client */
typedef struct {
    CURL                       *easy;
    struct curl_slist          *headers;
    ngx_http_passport_transfer_t  transfer;
    char                        error[CURL_ERROR_SIZE];
    unsigned                    started:1;      /* in the multi handle */
} ngx_http_passport_exchange_t;


/* ngx_http_passport_endpoint_url() flags */
#define NGX_HTTP_PASSPORT_URL_BASE  1   /* paths follow: no query, no "/" */


/* ngx_http_passport_endpoint.c */
char *ngx_http_passport_endpoint_url(ngx_conf_t *cf, ngx_str_t *url,
    ngx_uint_t flags, const char *what, const char *token_how);
void ngx_http_passport_endpoint_clear_token(ngx_conf_t *cf,
    ngx_http_passport_endpoint_t *ep, const char *directive);
char *ngx_http_passport_token_read(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *token);
char *ngx_http_passport_endpoint_ca(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *ca);
char *ngx_http_passport_endpoint_file(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *file);
ngx_int_t ngx_http_passport_endpoint_cert(ngx_conf_t *cf,
    ngx_http_passport_endpoint_t *ep, const char *cert, const char *key);
ngx_int_t ngx_http_passport_endpoint_easy(ngx_http_passport_endpoint_t *ep,
    ngx_http_passport_exchange_t *ex, ngx_pool_t *pool, u_char *url,
    const char **headers);
ngx_int_t ngx_http_passport_endpoint_start(ngx_http_passport_exchange_t *ex,
    ngx_http_passport_transfer_done_pt done, void *data, ngx_uint_t keep);
long ngx_http_passport_endpoint_status(ngx_http_passport_exchange_t *ex);
const char *ngx_http_passport_endpoint_cause(
    ngx_http_passport_exchange_t *ex, CURLcode code);
void ngx_http_passport_endpoint_close(ngx_http_passport_exchange_t *ex);


#endif /* _NGX_HTTP_PASSPORT_ENDPOINT_H_INCLUDED_ */
