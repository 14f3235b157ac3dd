
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_RECORD_INT_H_INCLUDED_
#define _PASSPORT_RECORD_INT_H_INCLUDED_


/*
 * What the readers of registry answers share: passport_record.c (the
 * registry's own records) and passport_gleif.c (GLEIF's LEI records).
 */


#include "passport_record.h"


/* registry strings shown in causes and details are cut at this length */
#define NGX_HTTP_PASSPORT_REC_SHOW     32
#define NGX_HTTP_PASSPORT_REC_TEXT     (NGX_HTTP_PASSPORT_REC_SHOW + 4)

/* results of the normalisers */
#define NGX_HTTP_PASSPORT_NORM_OK      0
#define NGX_HTTP_PASSPORT_NORM_EMPTY   1
#define NGX_HTTP_PASSPORT_NORM_LONG    2
#define NGX_HTTP_PASSPORT_NORM_BYTES   3


char *ngx_http_passport_record_show(char *buf, const char *s, size_t len,
    size_t max);
int ngx_http_passport_record_fail(char *cause, const char *fmt, ...)
    NGX_HTTP_PASSPORT_FORMAT(2, 3);
int ngx_http_passport_record_norm(const char *s, size_t len, char *buf);
int ngx_http_passport_pack_has_id(const unsigned char *list, size_t len,
    const char *id, size_t id_len);
int ngx_http_passport_record_lower(const char *s, size_t len, char *buf);
int ngx_http_passport_record_load(long http_status,
    const unsigned char *body, size_t len, char *cause, json_t **root);
void ngx_http_passport_record_name(json_t *v, char *name);
void ngx_http_passport_record_country(json_t *v, char *country);


#endif /* _PASSPORT_RECORD_INT_H_INCLUDED_ */
