
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_RESPONSE_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_RESPONSE_H_INCLUDED_


#include "ngx_http_passport.h"


/* sends the problem document of a blocked request; returns as a filter */
ngx_int_t ngx_http_passport_send_problem(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);


#endif /* _NGX_HTTP_PASSPORT_RESPONSE_H_INCLUDED_ */
