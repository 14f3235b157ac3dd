
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_H_INCLUDED_


#include "ngx_http_passport.h"


/*
 * The regulator side: the report log writer (passport_report_log), its
 * query endpoint (passport_reports) and its delivery (passport_report_push).
 */


typedef struct ngx_http_passport_report_log_s
    ngx_http_passport_report_log_t;
typedef struct ngx_http_passport_report_push_s
    ngx_http_passport_report_push_t;


/* ngx_http_passport_report_log.c */
char *ngx_http_passport_report_log(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
void ngx_http_passport_report_log_append(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);
ngx_str_t *ngx_http_passport_report_log_path(
    ngx_http_passport_report_log_t *rl);

/* ngx_http_passport_report_query.c */
char *ngx_http_passport_report_query(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_passport_report_push.c */
char *ngx_http_passport_report_push(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_passport_report_push_init_process(ngx_cycle_t *cycle,
    ngx_http_passport_main_conf_t *pmcf);
void ngx_http_passport_report_push_exit_process(ngx_cycle_t *cycle,
    ngx_http_passport_main_conf_t *pmcf);


#endif /* _NGX_HTTP_PASSPORT_REPORT_H_INCLUDED_ */
