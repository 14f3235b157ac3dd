
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_VIEW_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_VIEW_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "passport_report.h"


/*
 * What passport_reports answers, apart from reading and choosing the
 * records: the sellers of a record, the per-seller table of
 * ?view=sellers (at most a number of rows), and CSV (RFC 4180).
 */


typedef struct ngx_http_passport_report_view_s
    ngx_http_passport_report_view_t;


/* the columns of format=csv, with their "\r\n" */
#define NGX_HTTP_PASSPORT_REPORT_CSV_RECORDS                                  \
    "node,seq,time,operator,verdict,mode,seller,item_sellers,reasons,"        \
    "codes,request_id,method,uri\r\n"

#define NGX_HTTP_PASSPORT_REPORT_CSV_SELLERS                                  \
    "seller,records,blocked,flagged,monitor_blocked,monitor_flagged,"         \
    "enforce,flag,monitor,reasons,nodes,first,last\r\n"


/*
 * The next seller of a record (the listing's, then each item's own, as
 * escaped in the line), from *pos (0 to start); NGX_DONE when none is
 * left.  A seller may come more than once.
 */
ngx_int_t ngx_http_passport_report_seller_next(
    const ngx_http_passport_report_line_t *line, size_t *pos,
    ngx_str_t *seller);

/* whether an item of the record has "name":"value" (value escaped) */
ngx_uint_t ngx_http_passport_report_item_has(
    const ngx_http_passport_report_line_t *line, ngx_str_t *member);

ngx_http_passport_report_view_t *ngx_http_passport_report_view_create(
    ngx_pool_t *pool, ngx_uint_t max);

/* the record counts for each of its sellers; NGX_ERROR: no memory */
ngx_int_t ngx_http_passport_report_view_count(
    ngx_http_passport_report_view_t *v,
    const ngx_http_passport_report_line_t *line);

/* sellers left out because the table was full */
ngx_uint_t ngx_http_passport_report_view_left_out(
    ngx_http_passport_report_view_t *v);

/* the table sorted, most reported first; NGX_ERROR: no memory */
ngx_int_t ngx_http_passport_report_view_sort(
    ngx_http_passport_report_view_t *v);

/* after sort(): the rows, and each as one JSON line or one CSV row */
ngx_uint_t ngx_http_passport_report_view_rows(
    ngx_http_passport_report_view_t *v);
size_t ngx_http_passport_report_view_row_size(
    ngx_http_passport_report_view_t *v, ngx_uint_t i);
u_char *ngx_http_passport_report_view_print(
    ngx_http_passport_report_view_t *v, ngx_uint_t i, u_char *p,
    ngx_uint_t csv);

/* a record as a CSV row: the bytes it takes at most, and the writer */
size_t ngx_http_passport_report_csv_size(u_char *line, size_t len);
u_char *ngx_http_passport_report_csv(u_char *p,
    const ngx_http_passport_report_line_t *line);


#endif /* _NGX_HTTP_PASSPORT_REPORT_VIEW_H_INCLUDED_ */
