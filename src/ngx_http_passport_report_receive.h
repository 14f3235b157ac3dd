
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_RECEIVE_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_RECEIVE_H_INCLUDED_


#include "ngx_http_passport.h"


/*
 * The regulator's end of the report push (passport_report_receive): the
 * nodes' signed records, checked and stored one file a node.
 */


typedef struct ngx_http_passport_receive_s  ngx_http_passport_receive_t;


char *ngx_http_passport_report_receive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_HTTP_PASSPORT_REPORT_RECEIVE_H_INCLUDED_ */
