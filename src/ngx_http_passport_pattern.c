
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>


/*
 * Opaque registry codes: a trace code of no GS1 shape is accepted when it
 * matches one of the location's passport_code_pattern expressions.
 */


typedef struct {
    pcre2_code                 *code;
    pcre2_match_data           *match;
    ngx_str_t                   text;           /* as configured */
} ngx_http_passport_pattern_t;


static void ngx_http_passport_pattern_cleanup(void *data);


char *
ngx_http_passport_set_code_pattern(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    int                           errcode;
    u_char                        errstr[256];
    ngx_str_t                    *value;
    PCRE2_SIZE                    erroff;
    ngx_pool_cleanup_t           *cln;
    ngx_http_passport_pattern_t  *pat;

    value = cf->args->elts;

    if (plcf->patterns == NGX_CONF_UNSET_PTR) {
        plcf->patterns = ngx_array_create(cf->pool, 2,
                                        sizeof(ngx_http_passport_pattern_t));
        if (plcf->patterns == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    pat = ngx_array_push(plcf->patterns);
    if (pat == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(pat, sizeof(ngx_http_passport_pattern_t));

    pat->text = value[1];

    /* the cleanup keeps its own copy: the array may move on push */

    cln = ngx_pool_cleanup_add(cf->pool,
                               sizeof(ngx_http_passport_pattern_t));
    if (cln == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(cln->data, sizeof(ngx_http_passport_pattern_t));
    cln->handler = ngx_http_passport_pattern_cleanup;

    /* the whole code must match, as with "^(?:...)$" */

    pat->code = pcre2_compile(value[1].data, value[1].len,
                              PCRE2_UTF|PCRE2_ANCHORED|PCRE2_ENDANCHORED,
                              &errcode, &erroff, NULL);

    if (pat->code == NULL) {
        pcre2_get_error_message(errcode, errstr, sizeof(errstr));
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid passport_code_pattern \"%V\": %s "
                           "at offset %uz", &value[1], errstr,
                           (size_t) erroff);
        return NGX_CONF_ERROR;
    }

    ((ngx_http_passport_pattern_t *) cln->data)->code = pat->code;

    /* JIT is an optimisation only: the interpreter is used without it */
    (void) pcre2_jit_compile(pat->code, PCRE2_JIT_COMPLETE);

    pat->match = pcre2_match_data_create_from_pattern(pat->code, NULL);
    if (pat->match == NULL) {
        return NGX_CONF_ERROR;
    }

    ((ngx_http_passport_pattern_t *) cln->data)->match = pat->match;

    return NGX_CONF_OK;
}


static void
ngx_http_passport_pattern_cleanup(void *data)
{
    ngx_http_passport_pattern_t  *pat = data;

    if (pat->match) {
        pcre2_match_data_free(pat->match);
    }

    if (pat->code) {
        pcre2_code_free(pat->code);
    }
}


void
ngx_http_passport_pattern_forms(ngx_http_passport_loc_conf_t *plcf,
    int lang, ngx_http_passport_error_t *err)
{
    int                           n;
    ngx_uint_t                    i;
    ngx_http_passport_pattern_t  *pat;

    if (plcf->patterns == NULL) {
        return;
    }

    pat = plcf->patterns->elts;

    for (i = 0; i < plcf->patterns->nelts; i++) {
        n = (int) ngx_min(pat[i].text.len, 128);
        ngx_http_passport_error_append(err, lang, ", ",
                                       NGX_HTTP_PASSPORT_MSG(TRACE_PATTERN),
                                       n, pat[i].text.data);
    }
}


ngx_uint_t
ngx_http_passport_pattern_match(ngx_http_passport_loc_conf_t *plcf,
    u_char *s, size_t len)
{
    ngx_uint_t                    i;
    ngx_http_passport_pattern_t  *pat;

    if (plcf->patterns == NULL) {
        return 0;
    }

    pat = plcf->patterns->elts;

    for (i = 0; i < plcf->patterns->nelts; i++) {
        if (pcre2_match(pat[i].code, s, len, 0, 0, pat[i].match, NULL) >= 0) {
            return 1;
        }
    }

    return 0;
}
