
/*
 * Copyright (C) passport developers
 */


/*
 * The packed form of a parsed registry answer: what the cache keeps, so
 * that a hit copies a few bytes and parses no JSON.  Written once, when
 * the registry answers; read on every hit.  The cache lives in shared
 * memory that a bug elsewhere could overwrite, so the reader trusts
 * nothing: every length is bounded, every byte checked, and bytes that
 * are not exactly a packed record are refused.
 *
 *   version  1 byte   NGX_HTTP_PASSPORT_PACK_VERSION
 *   type     1 byte   'E' entity, 'L' LEI record, 'C' code record
 *   rc       1 byte   REC_OK or REC_NOT_FOUND; NOT_FOUND ends here
 *
 *   E: status, name, country
 *   L: status, registration status, name, country
 *   C: answered code length (2 bytes, big-endian: the asked length, or
 *      an ancestor's, for the walk-up), status, owner (1 byte length and
 *      the normalised ID), origin (2 bytes, ISO 3166-1 numeric), the
 *      number of authorized sellers (2 bytes), then each, to the end: a
 *      1 byte length and the normalised ID
 *
 * A status is one byte, its number in the table below, or 0 followed by
 * a 1 byte length and the lower-cased status ([a-z_], 1 to 23 bytes).
 * A name is a 1 byte length (0: none) and the name as the parser cut it
 * (at most NAME_MAX - 1 bytes, no control character); a country is 2
 * upper-case letters (ISO 3166-1 alpha-2), or 2 NULs.  No rule reads
 * them: they are the report record's evidence of who the seller is.
 * The ID of an entity is the asked one (the parser checked it).
 */


#include <string.h>

#include "passport_record_int.h"


#define NGX_HTTP_PASSPORT_PACK_ENTITY  'E'
#define NGX_HTTP_PASSPORT_PACK_LEI     'L'
#define NGX_HTTP_PASSPORT_PACK_CODE    'C'


typedef struct {
    const unsigned char  *p;
    const unsigned char  *end;
} ngx_http_passport_pack_in_t;


typedef struct {
    unsigned char        *p;
    unsigned char        *end;
    size_t                len;            /* needed, written or not */
} ngx_http_passport_pack_out_t;


static const char  *ngx_http_passport_pack_statuses[] = {
    "",
    "active", "inactive", "suspended", "revoked", "recalled", "issued",
    "lapsed", "retired", "annulled", "merged", "duplicate",
    "pending_transfer", "pending_archival"
};

#define NGX_HTTP_PASSPORT_PACK_NSTATUS                                        \
    (sizeof(ngx_http_passport_pack_statuses) / sizeof(const char *))


static void
ngx_http_passport_pack_put(ngx_http_passport_pack_out_t *out,
    const void *data, size_t len)
{
    if (len == 0) {
        return;
    }

    if (out->p && (size_t) (out->end - out->p) >= len) {
        memcpy(out->p, data, len);
        out->p += len;

    } else {
        out->p = NULL;
    }

    out->len += len;
}


static void
ngx_http_passport_pack_byte(ngx_http_passport_pack_out_t *out,
    unsigned int b)
{
    unsigned char  c;

    c = (unsigned char) b;
    ngx_http_passport_pack_put(out, &c, 1);
}


static void
ngx_http_passport_pack_u16(ngx_http_passport_pack_out_t *out,
    unsigned int n)
{
    ngx_http_passport_pack_byte(out, (n >> 8) & 0xff);
    ngx_http_passport_pack_byte(out, n & 0xff);
}


/* a string of at most 255 bytes, after its length */

static void
ngx_http_passport_pack_str(ngx_http_passport_pack_out_t *out, const char *s)
{
    size_t  len;

    len = strlen(s);
    ngx_http_passport_pack_byte(out, (unsigned int) len);
    ngx_http_passport_pack_put(out, s, len);
}


static void
ngx_http_passport_pack_status(ngx_http_passport_pack_out_t *out,
    const char *status)
{
    size_t  i;

    for (i = 1; i < NGX_HTTP_PASSPORT_PACK_NSTATUS; i++) {
        if (strcmp(status, ngx_http_passport_pack_statuses[i]) == 0) {
            ngx_http_passport_pack_byte(out, (unsigned int) i);
            return;
        }
    }

    ngx_http_passport_pack_byte(out, 0);
    ngx_http_passport_pack_str(out, status);
}


static void
ngx_http_passport_pack_head(ngx_http_passport_pack_out_t *out,
    unsigned char *buf, size_t size, int type, int rc)
{
    out->p = buf;
    out->end = buf ? buf + size : NULL;
    out->len = 0;

    ngx_http_passport_pack_byte(out, NGX_HTTP_PASSPORT_PACK_VERSION);
    ngx_http_passport_pack_byte(out, (unsigned int) type);
    ngx_http_passport_pack_byte(out, (unsigned int) rc);
}


size_t
ngx_http_passport_entity_pack(const ngx_http_passport_entity_t *e,
    unsigned char *buf, size_t size)
{
    ngx_http_passport_pack_out_t  out;

    if (e->rc != NGX_HTTP_PASSPORT_REC_OK
        && e->rc != NGX_HTTP_PASSPORT_REC_NOT_FOUND)
    {
        return 0;
    }

    ngx_http_passport_pack_head(&out, buf, size,
                                e->lei ? NGX_HTTP_PASSPORT_PACK_LEI
                                       : NGX_HTTP_PASSPORT_PACK_ENTITY,
                                e->rc);

    if (e->rc == NGX_HTTP_PASSPORT_REC_OK) {
        ngx_http_passport_pack_status(&out, e->status);

        if (e->lei) {
            ngx_http_passport_pack_status(&out, e->lei_status);
        }

        ngx_http_passport_pack_str(&out, e->name);
        ngx_http_passport_pack_put(&out, e->country[0] ? e->country
                                                       : "\0\0", 2);
    }

    return out.len;
}


/*
 * The authorized sellers: from the JSON tree of a parsed record,
 * normalised (an entry that is no ID can never match and is left out), or
 * already packed.
 */

static void
ngx_http_passport_pack_sellers(ngx_http_passport_pack_out_t *out,
    const ngx_http_passport_record_t *rec)
{
    char            id[NGX_HTTP_PASSPORT_SELLER_MAX];
    size_t          i, n, count;
    json_t         *list, *v;
    unsigned char  *at;

    at = out->p;
    ngx_http_passport_pack_u16(out, 0);
    count = 0;

    if (rec->root == NULL) {
        for (i = 0; i < rec->sellers_len; i += rec->sellers[i] + 1) {
            count++;
        }

        ngx_http_passport_pack_put(out, rec->sellers, rec->sellers_len);

    } else {
        list = json_object_get(rec->root, "authorized_sellers");
        n = json_array_size(list);

        for (i = 0; i < n && count < 0xffff; i++) {
            v = json_array_get(list, i);

            if (json_is_string(v)
                && ngx_http_passport_record_norm(json_string_value(v),
                                                 json_string_length(v), id)
                   == NGX_HTTP_PASSPORT_NORM_OK)
            {
                ngx_http_passport_pack_str(out, id);
                count++;
            }
        }
    }

    /* the count goes before the list: it is written last */

    if (out->p) {
        at[0] = (unsigned char) (count >> 8);
        at[1] = (unsigned char) (count & 0xff);
    }
}


size_t
ngx_http_passport_record_pack(const ngx_http_passport_record_t *rec,
    size_t asked_len, unsigned char *buf, size_t size)
{
    ngx_http_passport_pack_out_t  out;

    if ((rec->rc != NGX_HTTP_PASSPORT_REC_OK
         && rec->rc != NGX_HTTP_PASSPORT_REC_NOT_FOUND)
        || asked_len > 0xffff)
    {
        return 0;
    }

    ngx_http_passport_pack_head(&out, buf, size, NGX_HTTP_PASSPORT_PACK_CODE,
                                rec->rc);

    if (rec->rc == NGX_HTTP_PASSPORT_REC_OK) {
        ngx_http_passport_pack_u16(&out, (unsigned int)
                                   (rec->code_len ? rec->code_len
                                                  : asked_len));
        ngx_http_passport_pack_status(&out, rec->status);
        ngx_http_passport_pack_str(&out, rec->owner);
        ngx_http_passport_pack_u16(&out, (unsigned int) rec->origin);
        ngx_http_passport_pack_sellers(&out, rec);
    }

    return out.len;
}


/* reading: each returns 0 and moves on, or -1 */

static int
ngx_http_passport_unpack_byte(ngx_http_passport_pack_in_t *in,
    unsigned int *b)
{
    if (in->p >= in->end) {
        return -1;
    }

    *b = *in->p++;

    return 0;
}


static int
ngx_http_passport_unpack_u16(ngx_http_passport_pack_in_t *in,
    unsigned int *n)
{
    if (in->end - in->p < 2) {
        return -1;
    }

    *n = ((unsigned int) in->p[0] << 8) | in->p[1];
    in->p += 2;

    return 0;
}


/* a status into buf (STATUS_MAX bytes), as the parser would write it */

static int
ngx_http_passport_unpack_status(ngx_http_passport_pack_in_t *in, char *buf)
{
    unsigned int  n, len;

    if (ngx_http_passport_unpack_byte(in, &n) != 0) {
        return -1;
    }

    if (n != 0) {
        if (n >= NGX_HTTP_PASSPORT_PACK_NSTATUS) {
            return -1;
        }

        strcpy(buf, ngx_http_passport_pack_statuses[n]);
        return 0;
    }

    if (ngx_http_passport_unpack_byte(in, &len) != 0
        || (size_t) (in->end - in->p) < len
        || ngx_http_passport_record_lower((const char *) in->p, len, buf)
           != NGX_HTTP_PASSPORT_NORM_OK)
    {
        return -1;
    }

    in->p += len;

    return 0;
}


/* a normalised ID: 1 to SELLER_MAX - 1 printable bytes, no space */

static int
ngx_http_passport_unpack_id(ngx_http_passport_pack_in_t *in, char *buf)
{
    unsigned int  i, len;

    if (ngx_http_passport_unpack_byte(in, &len) != 0
        || len == 0 || len >= NGX_HTTP_PASSPORT_SELLER_MAX
        || (size_t) (in->end - in->p) < len)
    {
        return -1;
    }

    for (i = 0; i < len; i++) {
        if (in->p[i] <= 0x20 || in->p[i] >= 0x7f) {
            return -1;
        }
    }

    if (buf) {
        memcpy(buf, in->p, len);
        buf[len] = '\0';
    }

    in->p += len;

    return 0;
}


/* a name and a country, as the parser leaves them */

static int
ngx_http_passport_unpack_extras(ngx_http_passport_pack_in_t *in,
    ngx_http_passport_entity_t *out)
{
    unsigned int  i, len;

    if (ngx_http_passport_unpack_byte(in, &len) != 0
        || len >= NGX_HTTP_PASSPORT_NAME_MAX
        || (size_t) (in->end - in->p) < len + 2)
    {
        return -1;
    }

    for (i = 0; i < len; i++) {
        if (in->p[i] < 0x20 || in->p[i] == 0x7f) {
            return -1;
        }
    }

    memcpy(out->name, in->p, len);
    out->name[len] = '\0';
    in->p += len;

    if (in->p[0] == '\0' ? in->p[1] != '\0'
        : (!ngx_http_passport_upper(in->p[0])
           || !ngx_http_passport_upper(in->p[1])))
    {
        return -1;
    }

    memcpy(out->country, in->p, 2);
    out->country[2] = '\0';
    in->p += 2;

    return 0;
}


static int
ngx_http_passport_unpack_head(ngx_http_passport_pack_in_t *in,
    const unsigned char *p, size_t len, unsigned int *type, char *cause)
{
    unsigned int  v, rc;

    in->p = p;
    in->end = p ? p + len : p;

    if (ngx_http_passport_unpack_byte(in, &v) != 0
        || v != NGX_HTTP_PASSPORT_PACK_VERSION
        || ngx_http_passport_unpack_byte(in, type) != 0
        || ngx_http_passport_unpack_byte(in, &rc) != 0
        || (rc != NGX_HTTP_PASSPORT_REC_OK
            && rc != NGX_HTTP_PASSPORT_REC_NOT_FOUND))
    {
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_CACHE_UNREADABLE_EN);
    }

    return (int) rc;
}


int
ngx_http_passport_entity_unpack(const unsigned char *p, size_t len,
    const char *asked, size_t asked_len, ngx_http_passport_entity_t *out)
{
    int                          rc;
    unsigned int                 type;
    ngx_http_passport_pack_in_t  in;

    memset(out, 0, sizeof(ngx_http_passport_entity_t));

    rc = ngx_http_passport_unpack_head(&in, p, len, &type, out->cause);

    if (rc == NGX_HTTP_PASSPORT_REC_ERROR
        || (type != NGX_HTTP_PASSPORT_PACK_ENTITY
            && type != NGX_HTTP_PASSPORT_PACK_LEI)
        || asked_len >= NGX_HTTP_PASSPORT_SELLER_MAX)
    {
        goto bad;
    }

    out->lei = (type == NGX_HTTP_PASSPORT_PACK_LEI);

    if (rc == NGX_HTTP_PASSPORT_REC_OK
        && (ngx_http_passport_unpack_status(&in, out->status) != 0
            || (out->lei
                && ngx_http_passport_unpack_status(&in, out->lei_status)
                   != 0)
            || ngx_http_passport_unpack_extras(&in, out) != 0))
    {
        goto bad;
    }

    if (in.p != in.end) {
        goto bad;
    }

    /* the ID is the asked one: found, or named as not registered */

    memcpy(out->id, asked, asked_len);
    out->id[asked_len] = '\0';

    return out->rc = rc;

bad:

    memset(out, 0, sizeof(ngx_http_passport_entity_t));

    return out->rc = ngx_http_passport_record_fail(out->cause,
                         NGX_HTTP_PASSPORT_MSG_CAUSE_CACHE_UNREADABLE_EN);
}


/*
 * out->sellers points into p: the bytes must outlive the record.  The
 * answered code must be the asked one or an ancestor of it.
 */

int
ngx_http_passport_record_unpack(const unsigned char *p, size_t len,
    const char *asked, size_t asked_len, ngx_http_passport_record_t *out)
{
    int                          rc;
    unsigned int                 i, type, code_len, origin, count;
    ngx_http_passport_pack_in_t  in;

    memset(out, 0, sizeof(ngx_http_passport_record_t));
    out->origin = -1;

    rc = ngx_http_passport_unpack_head(&in, p, len, &type, out->cause);

    if (rc == NGX_HTTP_PASSPORT_REC_ERROR
        || type != NGX_HTTP_PASSPORT_PACK_CODE)
    {
        goto bad;
    }

    if (rc == NGX_HTTP_PASSPORT_REC_NOT_FOUND) {
        if (in.p != in.end) {
            goto bad;
        }

        return out->rc = rc;
    }

    if (ngx_http_passport_unpack_u16(&in, &code_len) != 0
        || (code_len != asked_len
            && !ngx_http_passport_code_ancestor(asked, code_len, asked,
                                                asked_len))
        || ngx_http_passport_unpack_status(&in, out->status) != 0
        || ngx_http_passport_unpack_id(&in, out->owner) != 0
        || ngx_http_passport_unpack_u16(&in, &origin) != 0
        || ngx_http_passport_country_alpha2((int) origin) == NULL
        || ngx_http_passport_unpack_u16(&in, &count) != 0)
    {
        goto bad;
    }

    out->code_len = code_len;
    out->origin = (int) origin;
    out->sellers = in.p;
    out->sellers_len = in.end - in.p;

    for (i = 0; i < count; i++) {
        if (ngx_http_passport_unpack_id(&in, NULL) != 0) {
            goto bad;
        }
    }

    if (in.p != in.end) {
        goto bad;
    }

    return out->rc = rc;

bad:

    memset(out, 0, sizeof(ngx_http_passport_record_t));
    out->origin = -1;

    return out->rc = ngx_http_passport_record_fail(out->cause,
                         NGX_HTTP_PASSPORT_MSG_CAUSE_CACHE_UNREADABLE_EN);
}


/* whether the packed list holds the normalised ID id */

int
ngx_http_passport_pack_has_id(const unsigned char *list, size_t len,
    const char *id, size_t id_len)
{
    size_t  n;

    while (len > 0) {
        n = list[0];

        if (n >= len) {
            return 0;
        }

        if (n == id_len && memcmp(list + 1, id, n) == 0) {
            return 1;
        }

        list += n + 1;
        len -= n + 1;
    }

    return 0;
}
