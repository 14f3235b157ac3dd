
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_HANDLER_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_HANDLER_H_INCLUDED_


#include "ngx_http_passport.h"


/* the access-phase handler */
ngx_int_t ngx_http_passport_handler(ngx_http_request_t *r);

/* the request's context, also after an internal redirect; NULL: none */
ngx_http_passport_ctx_t *ngx_http_passport_get_ctx(ngx_http_request_t *r);

/* passport_methods */
char *ngx_http_passport_set_methods(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_HTTP_PASSPORT_HANDLER_H_INCLUDED_ */
