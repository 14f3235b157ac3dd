
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_VARIABLES_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_VARIABLES_H_INCLUDED_


#include "ngx_http_passport.h"


/* $passport_verdict, $passport_reasons, $passport_seller, $..._cache_status */
ngx_int_t ngx_http_passport_add_variables(ngx_conf_t *cf);


#endif /* _NGX_HTTP_PASSPORT_VARIABLES_H_INCLUDED_ */
