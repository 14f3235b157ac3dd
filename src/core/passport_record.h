
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
#define NGX_HTTP_PASSPORT_NAME_MAX        128


typedef struct {
    int            rc;                                   /* REC_* */
    char           cause[NGX_HTTP_PASSPORT_CAUSE_MAX];   /* for REC_ERROR */
    char           status[NGX_HTTP_PASSPORT_STATUS_MAX]; /* "active", ... */
    char           id[NGX_HTTP_PASSPORT_SELLER_MAX];     /* normalised */

    /* for the report: the (legal) name, cut, and the country (GLEIF:
       of the legal address), alpha-2; "" when not given */
    char           name[NGX_HTTP_PASSPORT_NAME_MAX];
    char           country[4];

    /* an LEI record of GLEIF (passport_gleif.c); status: the entity's */
    char           lei_status[NGX_HTTP_PASSPORT_STATUS_MAX]; /* its LEI */
    unsigned       lei:1;
} ngx_http_passport_entity_t;


typedef struct {
    int            rc;                                   /* REC_* */
    char           cause[NGX_HTTP_PASSPORT_CAUSE_MAX];
    char           status[NGX_HTTP_PASSPORT_STATUS_MAX]; /* "active",
                                                            "recalled",
                                                            "revoked" */
    char           owner[NGX_HTTP_PASSPORT_SELLER_MAX];  /* normalised */
    int            origin;              /* ISO 3166-1 numeric, -1: none */
    size_t         code_len;            /* < the asked length: the record
                                           of an ancestor */
    json_t        *root;                /* holds authorized_sellers */

    /* or, unpacked (no root): the packed authorized sellers, in bytes
       that outlive the record */
    const unsigned char  *sellers;
    size_t         sellers_len;
} ngx_http_passport_record_t;


/*
 * Parses the answer to GET {base}/entities/{asked}: http_status is the HTTP
 * status (200, 404, ...), body the response body.  The record must be a
 * JSON object with string "id" equal to the asked (normalised) ID and
 * string "status"; anything else is REC_ERROR with a cause.  "name" and
 * "country" are optional strings (or null), kept in out when usable.
 * Returns out->rc.
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

/*
 * The same, where a record whose "code" is an ancestor of the asked code
 * (ngx_http_passport_code_ancestor) is that code's record too: then
 * out->code_len is the ancestor's length.
 */
int ngx_http_passport_record_parse_any(long http_status,
    const unsigned char *body, size_t len, const char *asked,
    size_t asked_len, ngx_http_passport_record_t *out);

void ngx_http_passport_record_free(ngx_http_passport_record_t *rec);

/*
 * The packed form of a parsed answer (passport_record_pack.c), what the
 * cache keeps: no JSON to parse again on a hit.  pack() writes the
 * answer into buf when it fits in size bytes and returns the length it
 * needs either way (so a first call with size 0 measures); 0 for an
 * answer that is not kept (REC_ERROR).  A code record is packed with the
 * asked code's length, for the walk-up.
 *
 * unpack() reads it back for the asked ID or code: the same rc and fields
 * the parser gave, with the asked ID as an entity's id and a code
 * record's authorized sellers left packed in p (out->sellers), so p must
 * outlive out; out->root is NULL, and record_free() need not be called.
 * Bytes that are not exactly such a record (truncated, overwritten, of
 * the other kind, for another code) give REC_ERROR with a cause, never a
 * read outside p.  The first byte is the version: a record packed by
 * another version of the module (a zone kept across a reload) starts
 * with another one.
 */
#define NGX_HTTP_PASSPORT_PACK_VERSION   2

size_t ngx_http_passport_entity_pack(const ngx_http_passport_entity_t *e,
    unsigned char *buf, size_t size);
size_t ngx_http_passport_record_pack(const ngx_http_passport_record_t *rec,
    size_t asked_len, unsigned char *buf, size_t size);
int ngx_http_passport_entity_unpack(const unsigned char *p, size_t len,
    const char *asked, size_t asked_len, ngx_http_passport_entity_t *out);
int ngx_http_passport_record_unpack(const unsigned char *p, size_t len,
    const char *asked, size_t asked_len, ngx_http_passport_record_t *out);

/*
 * Ancestors of a canonical GS1 code: "01/{gtin}" followed by qualifiers
 * 22, 10 and 21 only; its parent is the code without its last qualifier,
 * cut at the element boundary ("01/G/10/L/21/S" -> "01/G/10/L" ->
 * "01/G").  parent() returns the parent's length, 0 when there is none
 * (a GTIN alone, an opaque code, another key or qualifier).
 * ancestor() is 1 when anc is a parent, or a parent's parent, ... of code.
 */
size_t ngx_http_passport_code_parent(const char *code, size_t len);
int ngx_http_passport_code_ancestor(const char *anc, size_t anc_len,
    const char *code, size_t len);

/*
 * Parses GLEIF's answer to GET {base}/lei-records/{asked} (JSON:API):
 * data.id and data.attributes.lei must be the asked LEI,
 * data.attributes.entity.status and .registration.status are required
 * strings; the legal name and the legal address's country are kept when
 * present.  out->lei is set, out->status is the entity's status and
 * out->lei_status the registration's, lower-cased.
 */
int ngx_http_passport_lei_parse(long http_status,
    const unsigned char *body, size_t len, const char *asked,
    size_t asked_len, ngx_http_passport_entity_t *out);

/*
 * An LEI record in force: entity "active" and registration "issued",
 * "pending_transfer" or "pending_archival".  Else 1 and err is
 * SELLER_INACTIVE naming both statuses in the seller's language.
 */
int ngx_http_passport_lei_rules(const ngx_http_passport_entity_t *e,
    const char *id, int lang, ngx_http_passport_error_t *err);

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
