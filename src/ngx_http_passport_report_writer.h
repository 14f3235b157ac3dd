
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_WRITER_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_WRITER_H_INCLUDED_


#include "ngx_http_passport_report_log.h"


/*
 * One record at the end of the chain (ngx_http_passport_report_writer.c),
 * with the zone's lock held (or alone, in the master at start): the
 * chain advances only when the whole line reached the file.
 */
ngx_int_t ngx_http_passport_report_writer_write(
    ngx_http_passport_report_log_t *rl, ngx_http_passport_report_t *rec,
    ngx_pool_t *pool, ngx_log_t *log);

/* a RECOVERY, ROTATION or SEGMENT record with its detail */
ngx_int_t ngx_http_passport_report_writer_note(
    ngx_http_passport_report_log_t *rl, int type, const char *detail,
    ngx_pool_t *pool, ngx_log_t *log);


#endif /* _NGX_HTTP_PASSPORT_REPORT_WRITER_H_INCLUDED_ */
