
/*
 * Copyright (C) passport developers
 */


/*
 * The rules a registry's answers decide: a seller registered and active
 * (for an LEI, GLEIF's entity and registration statuses), a code
 * registered and neither recalled nor revoked, the seller its owner or
 * one of its authorised sellers, the origin the one registered.  The
 * answers come parsed (passport_record.c, passport_gleif.c) or packed
 * from the cache (passport_record_pack.c); this file reads either and
 * parses nothing.  Pure C, no nginx dependency.
 */


#include <stdio.h>
#include <string.h>

#include "passport_record_int.h"


static const char *ngx_http_passport_lei_entity_text(const char *status,
    int lang, char *buf, size_t size);
static const char *ngx_http_passport_lei_reg_text(const char *status,
    int lang, char *buf, size_t size);


int
ngx_http_passport_record_authorized(const ngx_http_passport_record_t *rec,
    const char *seller, size_t len)
{
    char     id[NGX_HTTP_PASSPORT_SELLER_MAX];
    char     entry[NGX_HTTP_PASSPORT_SELLER_MAX];
    size_t   i, n;
    json_t  *list, *v;

    if (rec->rc != NGX_HTTP_PASSPORT_REC_OK || seller == NULL
        || ngx_http_passport_record_norm(seller, len, id)
           != NGX_HTTP_PASSPORT_NORM_OK)
    {
        return 0;
    }

    if (strcmp(id, rec->owner) == 0) {
        return 1;
    }

    if (rec->root == NULL) {
        return ngx_http_passport_pack_has_id(rec->sellers, rec->sellers_len,
                                             id, strlen(id));
    }

    list = json_object_get(rec->root, "authorized_sellers");
    n = json_array_size(list);

    for (i = 0; i < n; i++) {
        v = json_array_get(list, i);

        if (json_is_string(v)
            && ngx_http_passport_record_norm(json_string_value(v),
                                             json_string_length(v), entry)
               == NGX_HTTP_PASSPORT_NORM_OK
            && strcmp(id, entry) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * For REC_NOT_FOUND the caller copies the asked (normalised) ID into e->id
 * so that the detail names the seller; an empty e->id is left out.
 */

int
ngx_http_passport_entity_rules(const ngx_http_passport_entity_t *e,
    int lang, ngx_http_passport_error_t *err)
{
    int          found;
    char         id[NGX_HTTP_PASSPORT_REC_TEXT];
    const char  *end;

    /* nothing but rc is read for REC_ERROR */

    found = (e->rc == NGX_HTTP_PASSPORT_REC_OK);

    if (!found && e->rc != NGX_HTTP_PASSPORT_REC_NOT_FOUND) {
        return 0;
    }

    if (found && !e->lei && strcmp(e->status, "active") == 0) {
        return 0;
    }

    end = memchr(e->id, '\0', sizeof(e->id));
    ngx_http_passport_record_show(id, e->id,
                                  end ? (size_t) (end - e->id) : 0,
                                  NGX_HTTP_PASSPORT_REC_SHOW);

    if (found && e->lei) {
        return ngx_http_passport_lei_rules(e, id, lang, err);
    }

    if (!found) {
        err->reason = NGX_HTTP_PASSPORT_SELLER_NOT_REGISTERED;

        if (e->lei) {
            /* GLEIF's 404: not the national registry's */
            ngx_http_passport_error_detail(err, lang,
                NGX_HTTP_PASSPORT_MSG(RULE_SELLER_LEI_NOT_REGISTERED),
                id, id[0] ? " " : "");
            return 1;
        }

        ngx_http_passport_error_detail(err, lang,
            NGX_HTTP_PASSPORT_MSG(RULE_SELLER_NOT_REGISTERED),
            id, id[0] ? " " : "");
        return 1;
    }

    err->reason = NGX_HTTP_PASSPORT_SELLER_INACTIVE;
    ngx_http_passport_error_detail(err, lang,
        NGX_HTTP_PASSPORT_MSG(RULE_SELLER_INACTIVE),
        id, id[0] ? " " : "",
        ngx_http_passport_status_text(e->status, lang));

    return 1;
}


int
ngx_http_passport_record_rules(const ngx_http_passport_record_t *rec,
    const char *seller, size_t seller_len, int origin, int lang,
    ngx_http_passport_error_t *err)
{
    char         id[NGX_HTTP_PASSPORT_REC_TEXT];
    const char  *claimed, *registered;

    if (rec->rc == NGX_HTTP_PASSPORT_REC_NOT_FOUND) {
        err->reason = NGX_HTTP_PASSPORT_CODE_NOT_REGISTERED;
        ngx_http_passport_error_detail(err, lang,
            NGX_HTTP_PASSPORT_MSG(RULE_CODE_NOT_REGISTERED));
        return 1;
    }

    if (rec->rc != NGX_HTTP_PASSPORT_REC_OK) {
        return 0;
    }

    if (strcmp(rec->status, "recalled") == 0) {
        err->reason = NGX_HTTP_PASSPORT_CODE_RECALLED;
        ngx_http_passport_error_detail(err, lang,
            NGX_HTTP_PASSPORT_MSG(RULE_CODE_RECALLED));
        return 1;
    }

    if (strcmp(rec->status, "revoked") == 0) {
        err->reason = NGX_HTTP_PASSPORT_CODE_REVOKED;
        ngx_http_passport_error_detail(err, lang,
            NGX_HTTP_PASSPORT_MSG(RULE_CODE_REVOKED));
        return 1;
    }

    if (strcmp(rec->status, "active") != 0) {
        err->reason = NGX_HTTP_PASSPORT_CODE_REVOKED;
        ngx_http_passport_error_detail(err, lang,
            NGX_HTTP_PASSPORT_MSG(RULE_CODE_STATUS),
            ngx_http_passport_status_text(rec->status, lang));
        return 1;
    }

    if (seller && !ngx_http_passport_record_authorized(rec, seller,
                                                       seller_len))
    {
        err->reason = NGX_HTTP_PASSPORT_CODE_OWNER_MISMATCH;
        ngx_http_passport_error_detail(err, lang,
            NGX_HTTP_PASSPORT_MSG(RULE_CODE_OWNER),
            ngx_http_passport_record_show(id, seller, seller_len,
                                          NGX_HTTP_PASSPORT_REC_SHOW),
            rec->owner);
        return 1;
    }

    if (origin >= 0 && rec->origin >= 0 && origin != rec->origin) {
        claimed = ngx_http_passport_country_alpha2(origin);
        registered = ngx_http_passport_country_alpha2(rec->origin);

        err->reason = NGX_HTTP_PASSPORT_ORIGIN_MISMATCH;
        ngx_http_passport_error_detail(err, lang,
            NGX_HTTP_PASSPORT_MSG(RULE_ORIGIN_REGISTRY),
            claimed ? claimed : "?", origin,
            registered ? registered : "?", rec->origin);
        return 1;
    }

    return 0;
}


int
ngx_http_passport_lei_rules(const ngx_http_passport_entity_t *e,
    const char *id, int lang, ngx_http_passport_error_t *err)
{
    char  entity[NGX_HTTP_PASSPORT_CAUSE_MAX];
    char  reg[NGX_HTTP_PASSPORT_CAUSE_MAX];

    if (strcmp(e->status, "active") == 0
        && (strcmp(e->lei_status, "issued") == 0
            || strcmp(e->lei_status, "pending_transfer") == 0
            || strcmp(e->lei_status, "pending_archival") == 0))
    {
        return 0;
    }

    err->reason = NGX_HTTP_PASSPORT_SELLER_INACTIVE;
    ngx_http_passport_error_detail(err, lang,
        NGX_HTTP_PASSPORT_MSG(RULE_SELLER_LEI_INACTIVE),
        id, id[0] ? " " : "",
        ngx_http_passport_lei_entity_text(e->status, lang, entity,
                                          sizeof(entity)),
        ngx_http_passport_lei_reg_text(e->lei_status, lang, reg,
                                       sizeof(reg)));

    return 1;
}


static const char *
ngx_http_passport_lei_entity_text(const char *status, int lang, char *buf,
    size_t size)
{
    if (strcmp(status, "active") == 0) {
        return NGX_HTTP_PASSPORT_TEXT(LEI_ENTITY_ACTIVE, lang);
    }

    if (strcmp(status, "inactive") == 0) {
        return NGX_HTTP_PASSPORT_TEXT(LEI_ENTITY_INACTIVE, lang);
    }

    (void) snprintf(buf, size, NGX_HTTP_PASSPORT_TEXT(LEI_ENTITY_OTHER, lang),
                    status);
    return buf;
}


static const char *
ngx_http_passport_lei_reg_text(const char *status, int lang, char *buf,
    size_t size)
{
    if (strcmp(status, "issued") == 0) {
        return NGX_HTTP_PASSPORT_TEXT(LEI_REG_ISSUED, lang);
    }

    if (strcmp(status, "lapsed") == 0) {
        return NGX_HTTP_PASSPORT_TEXT(LEI_REG_LAPSED, lang);
    }

    if (strcmp(status, "retired") == 0) {
        return NGX_HTTP_PASSPORT_TEXT(LEI_REG_RETIRED, lang);
    }

    if (strcmp(status, "annulled") == 0) {
        return NGX_HTTP_PASSPORT_TEXT(LEI_REG_ANNULLED, lang);
    }

    if (strcmp(status, "merged") == 0) {
        return NGX_HTTP_PASSPORT_TEXT(LEI_REG_MERGED, lang);
    }

    if (strcmp(status, "duplicate") == 0) {
        return NGX_HTTP_PASSPORT_TEXT(LEI_REG_DUPLICATE, lang);
    }

    (void) snprintf(buf, size, NGX_HTTP_PASSPORT_TEXT(LEI_REG_OTHER, lang),
                    status);
    return buf;
}
