
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_TAIL_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_TAIL_H_INCLUDED_


#include "ngx_http_passport_report_log.h"


/*
 * The end of the chain at start (ngx_http_passport_report_tail.c): read
 * from the file and checked, and what it asks for written (a "\n" after
 * a cut line, a RECOVERY or SEGMENT record).  In the master, with the
 * chain's zone new.
 */
ngx_int_t ngx_http_passport_report_tail_recover(
    ngx_http_passport_report_log_t *rl, ngx_log_t *log);


#endif /* _NGX_HTTP_PASSPORT_REPORT_TAIL_H_INCLUDED_ */
