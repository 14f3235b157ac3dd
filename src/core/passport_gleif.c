
/*
 * Copyright (C) passport developers
 */


/*
 * LEI records as GLEIF's API serves them (GET {base}/lei-records/{lei},
 * JSON:API): the record of a foreign seller identified by its LEI, and
 * whether it is in force.  Everything GLEIF sends is untrusted, as the
 * registry's records are.  Pure C, no nginx dependency.
 */


#include <stdio.h>
#include <string.h>

#include "passport_record_int.h"


static int ngx_http_passport_lei_string(json_t *v, const char *key,
    char *buf, const char *asked, size_t asked_len, char *cause);
static void ngx_http_passport_lei_extras(json_t *entity,
    ngx_http_passport_entity_t *out);


int
ngx_http_passport_lei_parse(long http_status, const unsigned char *body,
    size_t len, const char *asked, size_t asked_len,
    ngx_http_passport_entity_t *out)
{
    int      rc;
    json_t  *root, *data, *attrs, *entity, *reg;

    memset(out, 0, sizeof(ngx_http_passport_entity_t));
    out->lei = 1;

    rc = ngx_http_passport_record_load(http_status, body, len, out->cause,
                                       &root);
    if (rc != NGX_HTTP_PASSPORT_REC_OK) {
        return out->rc = rc;
    }

    /* json_object_get() of a non-object is NULL: "has no ... string" */

    data = json_object_get(root, "data");
    attrs = json_object_get(data, "attributes");
    entity = json_object_get(attrs, "entity");
    reg = json_object_get(attrs, "registration");

    if (ngx_http_passport_lei_string(json_object_get(data, "id"), "data.id",
                                     NULL, asked, asked_len, out->cause)
        || ngx_http_passport_lei_string(json_object_get(attrs, "lei"),
                                        "data.attributes.lei", NULL, asked,
                                        asked_len, out->cause)
        || ngx_http_passport_lei_string(json_object_get(entity, "status"),
                                        "data.attributes.entity.status",
                                        out->status, NULL, 0, out->cause)
        || ngx_http_passport_lei_string(json_object_get(reg, "status"),
                                        "data.attributes.registration.status",
                                        out->lei_status, NULL, 0, out->cause))
    {
        rc = NGX_HTTP_PASSPORT_REC_ERROR;
        out->status[0] = '\0';
        out->lei_status[0] = '\0';

    } else {
        memcpy(out->id, asked, asked_len);
        out->id[asked_len] = '\0';
        ngx_http_passport_lei_extras(entity, out);
    }

    json_decref(root);

    return out->rc = rc;
}


/*
 * A required string: the asked LEI byte for byte (GLEIF writes LEIs in
 * upper case, as we ask), or with buf a status, lower-cased into it.
 */

static int
ngx_http_passport_lei_string(json_t *v, const char *key, char *buf,
    const char *asked, size_t asked_len, char *cause)
{
    char         got[NGX_HTTP_PASSPORT_REC_TEXT];
    char         want[NGX_HTTP_PASSPORT_REC_TEXT];
    size_t       len;
    const char  *s;

    if (!json_is_string(v)) {
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_NO_STRING_EN, key);
    }

    s = json_string_value(v);
    len = json_string_length(v);
    ngx_http_passport_record_show(got, s, len, NGX_HTTP_PASSPORT_REC_SHOW);

    if (buf == NULL) {
        if (asked_len >= NGX_HTTP_PASSPORT_SELLER_MAX || len != asked_len
            || memcmp(s, asked, len) != 0)
        {
            return ngx_http_passport_record_fail(cause,
                       NGX_HTTP_PASSPORT_MSG_CAUSE_OTHER_ID_EN, got,
                       ngx_http_passport_record_show(want, asked, asked_len,
                                                NGX_HTTP_PASSPORT_REC_SHOW));
        }

        return NGX_HTTP_PASSPORT_REC_OK;
    }

    switch (ngx_http_passport_record_lower(s, len, buf)) {

    case NGX_HTTP_PASSPORT_NORM_OK:
        return NGX_HTTP_PASSPORT_REC_OK;

    case NGX_HTTP_PASSPORT_NORM_EMPTY:
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_EMPTY_EN, key);

    case NGX_HTTP_PASSPORT_NORM_LONG:
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_TOO_LONG_EN, key,
                   (unsigned long) len);

    default:
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_INVALID_EN, key, got);
    }
}


/* the legal name and the legal address's country, when they are usable */

static void
ngx_http_passport_lei_extras(json_t *entity, ngx_http_passport_entity_t *out)
{
    ngx_http_passport_record_name(
        json_object_get(json_object_get(entity, "legalName"), "name"),
        out->name);
    ngx_http_passport_record_country(
        json_object_get(json_object_get(entity, "legalAddress"), "country"),
        out->country);
}
