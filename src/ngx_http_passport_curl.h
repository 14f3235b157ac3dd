
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_CURL_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_CURL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include <curl/curl.h>


/* the end of a transfer: a registry lookup or a push */
typedef void (*ngx_http_passport_transfer_done_pt)(void *data,
    CURLcode code, const char *cause);


/* a transfer of the worker's HTTP client (ngx_http_passport_curl.c) */
typedef struct {
    ngx_http_passport_transfer_done_pt  done;
    void                       *data;
    ngx_event_t                 fail;           /* no connection slot */
    ngx_msec_t                  timeout;        /* its time limit */
    ngx_msec_t                  attempt;        /* when it left the queue */
    unsigned                    keep:1;         /* holds an exiting worker */
    unsigned                    attempted:1;    /* it got a connection */
    unsigned                    local:1;        /* failed here, not there */
} ngx_http_passport_transfer_t;


/* ngx_http_passport_curl.c */
ngx_int_t ngx_http_passport_curl_init(ngx_cycle_t *cycle,
    ngx_uint_t connections);
void ngx_http_passport_curl_exit(ngx_cycle_t *cycle);
ngx_uint_t ngx_http_passport_curl_running(void);
ngx_log_t *ngx_http_passport_curl_log(void);
ngx_int_t ngx_http_passport_curl_add(CURL *easy,
    ngx_http_passport_transfer_t *t);
void ngx_http_passport_curl_remove(CURL *easy,
    ngx_http_passport_transfer_t *t);


#endif /* _NGX_HTTP_PASSPORT_CURL_H_INCLUDED_ */
