
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_RECORD_H_INCLUDED_
#define _PASSPORT_RECORD_H_INCLUDED_


/*
 * Registry records: parsing the registry's answers (docs/
 * registry-protocol.md) and the cross-check rules applied to them.
 *
 * Pure C on jansson, no nginx dependency (t/unit/test_record.c).
 */


#include <stddef.h>

#include <jansson.h>

#include "passport_ids.h"
#include "passport_verdict.h"


/* outcome of a lookup */
#define NGX_HTTP_PASSPORT_REC_OK          0   /* 200 with a valid record */
#define NGX_HTTP_PASSPORT_REC_NOT_FOUND   1   /* 404 */
#define NGX_HTTP_PASSPORT_REC_ERROR       2   /* anything else; cause set */

#define NGX_HTTP_PASSPORT_STATUS_MAX      24
#define NGX_HTTP_PASSPORT_CAUSE_MAX       160


typedef struct {
    int            rc;                                   /* REC_* */
    char           cause[NGX_HTTP_PASSPORT_CAUSE_MAX];   /* for REC_ERROR */
    char           status[NGX_HTTP_PASSPORT_STATUS_MAX]; /* "active", ... */
    char           id[NGX_HTTP_PASSPORT_SELLER_MAX];     /* normalised */
} ngx_http_passport_entity_t;


typedef struct {
    int            rc;                                   /* REC_* */
    char           cause[NGX_HTTP_PASSPORT_CAUSE_MAX];
    char           status[NGX_HTTP_PASSPORT_STATUS_MAX]; /* "active",
                                                            "recalled",
                                                            "revoked" */
    char           owner[NGX_HTTP_PASSPORT_SELLER_MAX];  /* normalised */
    int            origin;              /* ISO 3166-1 numeric, -1: none */
    json_t        *root;                /* holds authorized_sellers */
} ngx_http_passport_record_t;


/*
 * Parses the answer to GET {base}/entities/{asked}: http_status is the HTTP
 * status (200, 404, ...), body the response body.  The record must be a
 * JSON object with string "id" equal to the asked (normalised) ID and
 * string "status"; anything else is REC_ERROR with a cause.  Returns
 * out->rc.
 */
int ngx_http_passport_entity_parse(long http_status,
    const unsigned char *body, size_t len, const char *asked,
    size_t asked_len, ngx_http_passport_entity_t *out);

/*
 * Parses the answer to GET {base}/codes/{asked}: "code" must equal the
 * asked canonical code, "status" and "owner" are required strings,
 * "origin" (alpha-2 or numeric) is required, "authorized_sellers" (array
 * of strings) and "product" are optional.  On REC_OK out->root holds a
 * reference: release it with ngx_http_passport_record_free().
 */
int ngx_http_passport_record_parse(long http_status,
    const unsigned char *body, size_t len, const char *asked,
    size_t asked_len, ngx_http_passport_record_t *out);

void ngx_http_passport_record_free(ngx_http_passport_record_t *rec);

/* the seller (normalised) is the owner or one of the authorized sellers */
int ngx_http_passport_record_authorized(const ngx_http_passport_record_t *rec,
    const char *seller, size_t len);

/*
 * Cross-checks.  Each returns 1 and fills err (reason and detail) on the
 * first problem found, 0 when the record passes.
 *
 * entity: REC_NOT_FOUND -> SELLER_NOT_REGISTERED; status other than
 * "active" -> SELLER_INACTIVE, the detail naming the status.
 *
 * record: REC_NOT_FOUND -> CODE_NOT_REGISTERED; "recalled" ->
 * CODE_RECALLED; "revoked" -> CODE_REVOKED (any other status but "active"
 * -> CODE_REVOKED too, naming it); seller (may be NULL: unknown, no check)
 * neither owner nor authorized -> CODE_OWNER_MISMATCH; claimed origin
 * (-1: none) differs from the record's -> ORIGIN_MISMATCH.
 */
int ngx_http_passport_entity_rules(const ngx_http_passport_entity_t *e,
    int lang, ngx_http_passport_error_t *err);
int ngx_http_passport_record_rules(const ngx_http_passport_record_t *rec,
    const char *seller, size_t seller_len, int origin, int lang,
    ngx_http_passport_error_t *err);


#endif /* _PASSPORT_RECORD_H_INCLUDED_ */
