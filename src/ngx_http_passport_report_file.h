
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_FILE_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_FILE_H_INCLUDED_


#include "ngx_http_passport_report_log.h"


/*
 * The report log's files (ngx_http_passport_report_file.c): opened by the
 * master, in a directory only root can write to, never through a link;
 * the workers' state directory; their owner; rotations followed by name.
 */

/* at "nginx -t" and every start and reload: the log and state= */
char *ngx_http_passport_report_file_init(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl);

/* in the master, once "user" is known: both go to the worker user */
ngx_int_t ngx_http_passport_report_file_own(
    ngx_http_passport_report_log_t *rl, ngx_log_t *log);

/* in a worker, under the lock, before a record: a rotated log followed */
void ngx_http_passport_report_file_follow(ngx_http_passport_report_log_t *rl,
    ngx_log_t *log);


#endif /* _NGX_HTTP_PASSPORT_REPORT_FILE_H_INCLUDED_ */
