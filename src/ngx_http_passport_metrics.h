
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_METRICS_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_METRICS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/*
 * The module's counters, summed over the workers in a small shared zone
 * ("passport_metrics") kept across reloads, and passport_metrics, the
 * location that shows them in the Prometheus text format.
 *
 * The counting functions are a sink: they call nothing of the module back
 * and do nothing when there is no zone (no http block).
 */


typedef struct ngx_http_passport_metrics_s  ngx_http_passport_metrics_t;


/* module.c: the zone, after the merge (the registries are known) */
ngx_int_t ngx_http_passport_metrics_init_conf(ngx_conf_t *cf);
void ngx_http_passport_metrics_init_process(ngx_cycle_t *cycle);

/* passport_metrics */
char *ngx_http_passport_metrics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* handler.c: a decided request, or a self-check (check == 1) */
void ngx_http_passport_metrics_verdict(ngx_uint_t check, ngx_uint_t verdict,
    ngx_uint_t mode, void *errors, ngx_uint_t nerrors);

/*
 * registry_fetch.c: a GET ended (local: a local limit, the registry was
 * not asked; status 0: no answer); registry.c: a worker's breaker opened
 * or closed.  reg is an ngx_http_passport_registry_t.
 */
void ngx_http_passport_metrics_fetch(void *reg, ngx_uint_t local,
    long status);
void ngx_http_passport_metrics_breaker(void *reg, ngx_uint_t open);

/* report_log.c: a record written with this seq */
void ngx_http_passport_metrics_report(unsigned long long seq);

/* report_push.c: records seen or delivered, a failed batch */
void ngx_http_passport_metrics_push_seen(unsigned long long seq);
void ngx_http_passport_metrics_push_cursor(unsigned long long cursor,
    ngx_uint_t delivered);
void ngx_http_passport_metrics_push_failed(void);


#endif /* _NGX_HTTP_PASSPORT_METRICS_H_INCLUDED_ */
