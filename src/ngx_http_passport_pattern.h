
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_PATTERN_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_PATTERN_H_INCLUDED_


#include "ngx_http_passport.h"


/* passport_code_pattern: one more expression an opaque code may match */
char *ngx_http_passport_set_code_pattern(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* appends the location's patterns to a CODE_INVALID detail */
void ngx_http_passport_pattern_forms(ngx_http_passport_loc_conf_t *plcf,
    int lang, ngx_http_passport_error_t *err);

/* whether the whole of s matches one of the location's patterns */
ngx_uint_t ngx_http_passport_pattern_match(
    ngx_http_passport_loc_conf_t *plcf, u_char *s, size_t len);


#endif /* _NGX_HTTP_PASSPORT_PATTERN_H_INCLUDED_ */
