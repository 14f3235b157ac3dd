
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_QUERY_ARGS_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_QUERY_ARGS_H_INCLUDED_


#include "ngx_http_passport.h"
#include "passport_report.h"


/*
 * The parameters of a passport_reports query: parsed from the query
 * string (each known, once, with a good value), the records they keep,
 * and the 400 problem document that names a bad one.
 */


typedef struct {
    unsigned long long          since;
    ngx_int_t                   limit;
    ngx_int_t                   verdict;        /* 0: any */
    ngx_int_t                   mode;           /* -1: any */
    unsigned long               reason;         /* 1 << reason, 0: any */

    /* escaped as in the records */
    ngx_str_t                   seller;
    ngx_str_t                   code;           /* "code":"CODE */
    ngx_str_t                   node;

    u_char                      from[24];       /* "": none */
    u_char                      to[24];
    ngx_uint_t                  csv;
    ngx_uint_t                  sellers;        /* view=sellers */
    ngx_uint_t                  seen;           /* parameters, 1 << i */
} ngx_http_passport_report_args_t;


/*
 * Parses r->args into a.  NULL: good; otherwise the detail of a 400
 * ("NAME: why"), or NGX_ERROR (no memory).
 */
u_char *ngx_http_passport_report_args_parse(ngx_http_request_t *r,
    ngx_http_passport_report_args_t *a);

/* whether a verdict record is one the parameters keep */
ngx_uint_t ngx_http_passport_report_args_match(
    ngx_http_passport_report_args_t *a,
    ngx_http_passport_report_line_t *line);

/* the 400 problem document with detail; what the handler returns */
ngx_int_t ngx_http_passport_report_args_bad(ngx_http_request_t *r,
    u_char *detail);


#endif /* _NGX_HTTP_PASSPORT_REPORT_QUERY_ARGS_H_INCLUDED_ */
