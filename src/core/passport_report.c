
/*
 * Copyright (C) passport developers
 */


#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "passport_report.h"


/*
 * One writer serves both passes, as for problem documents: with p == NULL
 * it only counts.
 */

typedef struct {
    unsigned char        *p;
    size_t                n;
} ngx_http_passport_report_out_t;


static void ngx_http_passport_report_put(ngx_http_passport_report_out_t *out,
    const void *s, size_t len);
static void ngx_http_passport_report_str(ngx_http_passport_report_out_t *out,
    const char *name, const unsigned char *s, size_t len, size_t max);
static void ngx_http_passport_report_reasons(
    ngx_http_passport_report_out_t *out, const int *reasons, size_t n);
static void ngx_http_passport_report_name(
    ngx_http_passport_report_out_t *out, const char *member,
    const char *name);
static void ngx_http_passport_report_opt(ngx_http_passport_report_out_t *out,
    const char *member, const void *s, size_t len, size_t max);
static void ngx_http_passport_report_item(
    ngx_http_passport_report_out_t *out,
    const ngx_http_passport_report_item_t *it);
static void ngx_http_passport_report_items(
    ngx_http_passport_report_out_t *out,
    const ngx_http_passport_report_t *rec, size_t kept);
static void ngx_http_passport_report_verdict(
    ngx_http_passport_report_out_t *out,
    const ngx_http_passport_report_t *rec, size_t kept);
static void ngx_http_passport_report_out(ngx_http_passport_report_out_t *out,
    const ngx_http_passport_report_t *rec, size_t kept);
static size_t ngx_http_passport_report_fit(
    const ngx_http_passport_report_t *rec);
static void ngx_http_passport_report_time(char *buf, long long ms);
static int ngx_http_passport_report_no_pass(char *buf, int size, int rw,
    void *data);


static const char  *const ngx_http_passport_report_types[] = {
    "verdict", "recovery", "rotation", "segment"
};

static const char  *const ngx_http_passport_report_modes[] = {
    "enforce", "flag", "monitor"
};

/* where year, month, ..., millisecond start, each with its separator */
static const int  ngx_http_passport_report_time_at[] = {
    0, 5, 8, 11, 14, 17, 20, 24
};


static void
ngx_http_passport_report_put(ngx_http_passport_report_out_t *out,
    const void *s, size_t len)
{
    if (out->p) {
        memcpy(out->p + out->n, s, len);
    }

    out->n += len;
}


/* name (e.g. ,"node":) then s as a JSON string, escaped and cut at max */

static void
ngx_http_passport_report_str(ngx_http_passport_report_out_t *out,
    const char *name, const unsigned char *s, size_t len, size_t max)
{
    ngx_http_passport_report_put(out, name, strlen(name));
    ngx_http_passport_report_put(out, "\"", 1);

    if (s == NULL) {
        len = 0;
    }

    if (out->p) {
        out->n = ngx_http_passport_json_escape(out->p + out->n, s, len, max)
                 - out->p;

    } else {
        out->n += ngx_http_passport_json_escape_size(s, len, max);
    }

    ngx_http_passport_report_put(out, "\"", 1);
}


static void
ngx_http_passport_report_reasons(ngx_http_passport_report_out_t *out,
    const int *reasons, size_t n)
{
    size_t       i;
    const char  *name;

    ngx_http_passport_report_put(out, "[", 1);

    for (i = 0; i < n; i++) {
        if (i) {
            ngx_http_passport_report_put(out, ",", 1);
        }

        name = ngx_http_passport_reason_name(reasons[i]);

        ngx_http_passport_report_put(out, "\"", 1);
        ngx_http_passport_report_put(out, name, strlen(name));
        ngx_http_passport_report_put(out, "\"", 1);
    }

    ngx_http_passport_report_put(out, "]", 1);
}


/* a name that is one of ours, not input: written whole */

static void
ngx_http_passport_report_name(ngx_http_passport_report_out_t *out,
    const char *member, const char *name)
{
    ngx_http_passport_report_str(out, member, (const unsigned char *) name,
                                 strlen(name), (size_t) -1);
}


/* an optional string member: left out when s is NULL */

static void
ngx_http_passport_report_opt(ngx_http_passport_report_out_t *out,
    const char *member, const void *s, size_t len, size_t max)
{
    if (s) {
        ngx_http_passport_report_str(out, member, s, len, max);
    }
}


#define ngx_http_passport_report_cstr(s)  (s), ((s) ? strlen(s) : 0)


/*
 * {"pointer":...,"code":...[,"seller":...][,"seller_status":...]
 * [,"seller_name":...][,"seller_country":...],"reasons":[...]
 * [,"status":...][,"owner":...][,"cause":...]}
 */

static void
ngx_http_passport_report_item(ngx_http_passport_report_out_t *out,
    const ngx_http_passport_report_item_t *it)
{
    ngx_http_passport_report_str(out, "{\"pointer\":", it->pointer,
                                 it->pointer_len,
                                 NGX_HTTP_PASSPORT_REPORT_PTR_MAX);
    ngx_http_passport_report_str(out, ",\"code\":", it->code, it->code_len,
                                 NGX_HTTP_PASSPORT_VALUE_MAX);
    ngx_http_passport_report_opt(out, ",\"seller\":", it->seller,
                                 it->seller_len, NGX_HTTP_PASSPORT_VALUE_MAX);
    ngx_http_passport_report_opt(out, ",\"seller_status\":",
                            ngx_http_passport_report_cstr(it->seller_status),
                            NGX_HTTP_PASSPORT_REPORT_STATUS_MAX);
    ngx_http_passport_report_opt(out, ",\"seller_name\":", it->seller_name,
                                 it->seller_name_len,
                                 NGX_HTTP_PASSPORT_REPORT_NAME_MAX);
    ngx_http_passport_report_opt(out, ",\"seller_country\":",
                            ngx_http_passport_report_cstr(it->seller_country),
                            NGX_HTTP_PASSPORT_REPORT_COUNTRY_MAX);
    ngx_http_passport_report_put(out, ",\"reasons\":", 11);
    ngx_http_passport_report_reasons(out, it->reasons, it->nreasons);
    ngx_http_passport_report_opt(out, ",\"status\":",
                                 ngx_http_passport_report_cstr(it->status),
                                 NGX_HTTP_PASSPORT_REPORT_STATUS_MAX);
    ngx_http_passport_report_opt(out, ",\"owner\":",
                                 ngx_http_passport_report_cstr(it->owner),
                                 NGX_HTTP_PASSPORT_VALUE_MAX);
    ngx_http_passport_report_opt(out, ",\"cause\":",
                                 ngx_http_passport_report_cstr(it->cause),
                                 NGX_HTTP_PASSPORT_REPORT_CAUSE_MAX);
    ngx_http_passport_report_put(out, "}", 1);
}


/* ,"items":[...] with the first kept items, and how many were left out */

static void
ngx_http_passport_report_items(ngx_http_passport_report_out_t *out,
    const ngx_http_passport_report_t *rec, size_t kept)
{
    char    num[32];
    size_t  i;

    ngx_http_passport_report_put(out, ",\"items\":[", 10);

    for (i = 0; i < kept; i++) {
        if (i) {
            ngx_http_passport_report_put(out, ",", 1);
        }

        ngx_http_passport_report_item(out, &rec->items[i]);
    }

    ngx_http_passport_report_put(out, "]", 1);

    if (kept < rec->nitems) {
        snprintf(num, sizeof(num), "%llu",
                 (unsigned long long) (rec->nitems - kept));
        ngx_http_passport_report_put(out, ",\"items_omitted\":", 17);
        ngx_http_passport_report_put(out, num, strlen(num));
    }
}


/*
 * How many items fit in a line of LINE_CAP bytes: the record without
 * items, its hash, signature and "\n", room for "items_omitted", then
 * items while they fit.
 */

static size_t
ngx_http_passport_report_fit(const ngx_http_passport_report_t *rec)
{
    size_t                          i, room;
    ngx_http_passport_report_out_t  out = { NULL, 0 };

    if (rec->type != NGX_HTTP_PASSPORT_REPORT_VERDICT) {
        return 0;
    }

    ngx_http_passport_report_out(&out, rec, 0);

    /*
     * out.n has ,"items_omitted":<nitems>, more than it will be; then
     * ,"hash":"<64>","sig":"<88>"}\n
     */

    out.n += 9 + NGX_HTTP_PASSPORT_REPORT_HEX + 1
             + 8 + NGX_HTTP_PASSPORT_REPORT_SIG + 1 + 2;

    if (out.n >= NGX_HTTP_PASSPORT_REPORT_LINE_CAP) {
        return 0;
    }

    room = NGX_HTTP_PASSPORT_REPORT_LINE_CAP - out.n;

    for (i = 0; i < rec->nitems; i++) {
        out.n = (i > 0);
        ngx_http_passport_report_item(&out, &rec->items[i]);

        if (out.n > room) {
            break;
        }

        room -= out.n;
    }

    return i;
}


/* the members of a verdict record, from ,"request_id": to ,"uri": */

static void
ngx_http_passport_report_verdict(ngx_http_passport_report_out_t *out,
    const ngx_http_passport_report_t *rec, size_t kept)
{
    size_t       len;
    const char  *s;

    ngx_http_passport_report_str(out, ",\"request_id\":", rec->request_id,
                                 rec->request_id_len,
                                 NGX_HTTP_PASSPORT_REPORT_ID_MAX);

    s = ngx_http_passport_verdict_name(rec->verdict);
    ngx_http_passport_report_name(out, ",\"verdict\":", s);

    s = ngx_http_passport_report_mode_name(rec->mode);
    ngx_http_passport_report_name(out, ",\"mode\":", s);

    if (rec->seller) {
        ngx_http_passport_report_str(out, ",\"seller\":", rec->seller,
                                     rec->seller_len,
                                     NGX_HTTP_PASSPORT_VALUE_MAX);

    } else {
        ngx_http_passport_report_put(out, ",\"seller\":null", 14);
    }

    ngx_http_passport_report_opt(out, ",\"seller_status\":",
                            ngx_http_passport_report_cstr(rec->seller_status),
                            NGX_HTTP_PASSPORT_REPORT_STATUS_MAX);
    ngx_http_passport_report_opt(out, ",\"seller_name\":", rec->seller_name,
                                 rec->seller_name_len,
                                 NGX_HTTP_PASSPORT_REPORT_NAME_MAX);
    ngx_http_passport_report_opt(out, ",\"seller_country\":",
                           ngx_http_passport_report_cstr(rec->seller_country),
                           NGX_HTTP_PASSPORT_REPORT_COUNTRY_MAX);
    ngx_http_passport_report_opt(out, ",\"cause\":",
                                 ngx_http_passport_report_cstr(rec->cause),
                                 NGX_HTTP_PASSPORT_REPORT_CAUSE_MAX);

    ngx_http_passport_report_put(out, ",\"reasons\":", 11);
    ngx_http_passport_report_reasons(out, rec->reasons, rec->nreasons);

    ngx_http_passport_report_items(out, rec, kept);

    ngx_http_passport_report_str(out, ",\"method\":", rec->method,
                                 rec->method_len,
                                 NGX_HTTP_PASSPORT_REPORT_METHOD_MAX);

    /* the query string is left out */

    len = 0;

    while (rec->uri && len < rec->uri_len && rec->uri[len] != '?') {
        len++;
    }

    ngx_http_passport_report_str(out, ",\"uri\":", rec->uri, len,
                                 NGX_HTTP_PASSPORT_REPORT_URI_MAX);
}


/* the canonical serialisation without its closing brace */

static void
ngx_http_passport_report_out(ngx_http_passport_report_out_t *out,
    const ngx_http_passport_report_t *rec, size_t kept)
{
    char         num[32];
    const char  *s;

    snprintf(num, sizeof(num), "%llu", rec->seq);
    ngx_http_passport_report_put(out, "{\"seq\":", 7);
    ngx_http_passport_report_put(out, num, strlen(num));

    ngx_http_passport_report_time(num, rec->time_ms);
    ngx_http_passport_report_name(out, ",\"time\":", num);

    ngx_http_passport_report_str(out, ",\"node\":", rec->node, rec->node_len,
                                 NGX_HTTP_PASSPORT_REPORT_NODE_MAX);

    if (rec->kid) {
        ngx_http_passport_report_str(out, ",\"kid\":",
                                     (const unsigned char *) rec->kid,
                                     NGX_HTTP_PASSPORT_REPORT_KID,
                                     (size_t) -1);
    }

    ngx_http_passport_report_opt(out, ",\"operator\":", rec->oper,
                                 rec->oper_len,
                                 NGX_HTTP_PASSPORT_REPORT_OPERATOR_MAX);

    s = ngx_http_passport_report_type_name(rec->type);
    ngx_http_passport_report_name(out, ",\"type\":", s);

    if (rec->type == NGX_HTTP_PASSPORT_REPORT_VERDICT) {
        ngx_http_passport_report_verdict(out, rec, kept);

    } else {
        ngx_http_passport_report_str(out, ",\"detail\":", rec->detail,
                                     rec->detail_len,
                                     NGX_HTTP_PASSPORT_REPORT_DETAIL_MAX);
    }

    /* 64 hex digits, never more, whatever rec->prev holds after them */

    ngx_http_passport_report_str(out, ",\"prev\":",
                                 (const unsigned char *) (rec->prev
                                     ? rec->prev
                                     : NGX_HTTP_PASSPORT_REPORT_ZERO),
                                 NGX_HTTP_PASSPORT_REPORT_HEX, (size_t) -1);
}


/* RFC 3339 UTC with milliseconds, 24 characters (civil from days) */

static void
ngx_http_passport_report_time(char *buf, long long ms)
{
    int        i, j;
    long long  days, rem, z, era, doe, yoe, y, doy, mp, d, m, v[7];

    if (ms < 0 || ms > NGX_HTTP_PASSPORT_REPORT_TIME_MAX) {
        ms = 0;
    }

    days = ms / 86400000;
    rem = ms % 86400000;

    z = days + 719468;
    era = z / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += (m <= 2);

    v[0] = y;
    v[1] = m;
    v[2] = d;
    v[3] = rem / 3600000;
    v[4] = rem / 60000 % 60;
    v[5] = rem / 1000 % 60;
    v[6] = rem % 1000;

    memcpy(buf, "0000-00-00T00:00:00.000Z", 25);

    for (i = 0; i < 7; i++) {
        for (j = ngx_http_passport_report_time_at[i + 1] - 2;
             j >= ngx_http_passport_report_time_at[i];
             j--)
        {
            buf[j] = (char) ('0' + v[i] % 10);
            v[i] /= 10;
        }
    }
}


int
ngx_http_passport_report_digest(const unsigned char *p, size_t len,
    unsigned char *md)
{
    int          ok;
    EVP_MD_CTX  *ctx;

    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        return -1;
    }

    ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)
         && EVP_DigestUpdate(ctx, p, len)
         && EVP_DigestUpdate(ctx, "}", 1)
         && EVP_DigestFinal_ex(ctx, md, NULL);

    EVP_MD_CTX_free(ctx);

    return ok ? 0 : -1;
}


void
ngx_http_passport_report_hex(char *dst, const unsigned char *md)
{
    size_t             i;
    static const char  hex[] = "0123456789abcdef";

    for (i = 0; i < 32; i++) {
        dst[2 * i] = hex[md[i] >> 4];
        dst[2 * i + 1] = hex[md[i] & 0xf];
    }

    dst[NGX_HTTP_PASSPORT_REPORT_HEX] = '\0';
}


const char *
ngx_http_passport_report_type_name(int type)
{
    if (type < 0 || type > NGX_HTTP_PASSPORT_REPORT_SEGMENT) {
        return "";
    }

    return ngx_http_passport_report_types[type];
}


const char *
ngx_http_passport_report_mode_name(int mode)
{
    if (mode < 0 || mode > NGX_HTTP_PASSPORT_MODE_MONITOR) {
        return "";
    }

    return ngx_http_passport_report_modes[mode];
}


void
ngx_http_passport_report_chain_init(ngx_http_passport_report_chain_t *c)
{
    c->seq = 0;
    memcpy(c->hash, NGX_HTTP_PASSPORT_REPORT_ZERO,
           NGX_HTTP_PASSPORT_REPORT_HEX + 1);
}


void
ngx_http_passport_report_chain_advance(ngx_http_passport_report_chain_t *c,
    const ngx_http_passport_report_line_t *line)
{
    c->seq = line->seq;
    memcpy(c->hash, line->hash, NGX_HTTP_PASSPORT_REPORT_HEX + 1);
}


size_t
ngx_http_passport_report_size(const ngx_http_passport_report_t *rec)
{
    ngx_http_passport_report_out_t  out = { NULL, 0 };

    ngx_http_passport_report_out(&out, rec,
                                 ngx_http_passport_report_fit(rec));

    /* ,"hash":"<64>","sig":"<88>"}\n */

    return out.n + sizeof(",\"hash\":\"\"") - 1 + NGX_HTTP_PASSPORT_REPORT_HEX
           + sizeof(",\"sig\":\"\"") - 1 + NGX_HTTP_PASSPORT_REPORT_SIG + 2;
}


unsigned char *
ngx_http_passport_report_write(unsigned char *buf,
    const ngx_http_passport_report_t *rec, EVP_PKEY *key, char *hash)
{
    int                             ok;
    size_t                          siglen;
    EVP_MD_CTX                     *ctx;
    unsigned char                   md[32], sig[64];
    ngx_http_passport_report_out_t  out = { buf, 0 };

    if (rec->type < 0 || rec->type > NGX_HTTP_PASSPORT_REPORT_SEGMENT
        || rec->seq == 0 || rec->seq > NGX_HTTP_PASSPORT_REPORT_SEQ_MAX
        || rec->time_ms < 0 || rec->time_ms > NGX_HTTP_PASSPORT_REPORT_TIME_MAX
        || (rec->type == NGX_HTTP_PASSPORT_REPORT_VERDICT
            && ((rec->verdict != NGX_HTTP_PASSPORT_VERDICT_FLAG
                 && rec->verdict != NGX_HTTP_PASSPORT_VERDICT_BLOCK)
                || rec->mode < 0
                || rec->mode > NGX_HTTP_PASSPORT_MODE_MONITOR)))
    {
        return NULL;
    }

    ngx_http_passport_report_out(&out, rec,
                                 ngx_http_passport_report_fit(rec));

    if (ngx_http_passport_report_digest(buf, out.n, md) != 0) {
        return NULL;
    }

    ngx_http_passport_report_hex(hash, md);

    ngx_http_passport_report_put(&out, ",\"hash\":\"", 9);
    ngx_http_passport_report_put(&out, hash, NGX_HTTP_PASSPORT_REPORT_HEX);
    ngx_http_passport_report_put(&out, "\"", 1);

    if (key) {
        ctx = EVP_MD_CTX_new();
        if (ctx == NULL) {
            return NULL;
        }

        siglen = sizeof(sig);

        ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1
             && EVP_DigestSign(ctx, sig, &siglen, md, sizeof(md)) == 1
             && siglen == sizeof(sig);

        EVP_MD_CTX_free(ctx);

        if (!ok) {
            return NULL;
        }

        ngx_http_passport_report_put(&out, ",\"sig\":\"", 8);
        EVP_EncodeBlock(buf + out.n, sig, sizeof(sig));
        out.n += NGX_HTTP_PASSPORT_REPORT_SIG;
        ngx_http_passport_report_put(&out, "\"", 1);
    }

    ngx_http_passport_report_put(&out, "}\n", 2);

    return buf + out.n;
}


/* encrypted keys are not supported: never prompt for a pass phrase */

static int
ngx_http_passport_report_no_pass(char *buf, int size, int rw, void *data)
{
    (void) buf;
    (void) size;
    (void) rw;
    (void) data;

    return 0;
}


EVP_PKEY *
ngx_http_passport_report_key_read(const char *path, int need_private,
    char *why, size_t why_size)
{
    FILE      *f;
    EVP_PKEY  *key;

    f = fopen(path, "r");
    if (f == NULL) {
        snprintf(why, why_size, "cannot open %s: %s", path,
                 strerror(errno));
        return NULL;
    }

    key = PEM_read_PrivateKey(f, NULL, ngx_http_passport_report_no_pass,
                              NULL);

    if (key == NULL && !need_private) {
        rewind(f);
        key = PEM_read_PUBKEY(f, NULL, ngx_http_passport_report_no_pass,
                              NULL);
    }

    fclose(f);
    ERR_clear_error();

    if (key == NULL) {
        snprintf(why, why_size, "%s: no PEM %s key", path,
                 need_private ? "private" : "public or private");
        return NULL;
    }

    if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
        snprintf(why, why_size, "%s: not an Ed25519 key", path);
        EVP_PKEY_free(key);
        return NULL;
    }

    return key;
}


int
ngx_http_passport_report_kid(EVP_PKEY *key, char *kid)
{
    int             len;
    char            hex[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
    unsigned char  *der, *p, md[32];

    len = i2d_PUBKEY(key, NULL);
    if (len <= 0) {
        return -1;
    }

    der = OPENSSL_malloc(len);
    if (der == NULL) {
        return -1;
    }

    p = der;

    if (i2d_PUBKEY(key, &p) != len
        || EVP_Digest(der, len, md, NULL, EVP_sha256(), NULL) != 1)
    {
        OPENSSL_free(der);
        return -1;
    }

    OPENSSL_free(der);

    ngx_http_passport_report_hex(hex, md);
    memcpy(kid, hex, NGX_HTTP_PASSPORT_REPORT_KID);
    kid[NGX_HTTP_PASSPORT_REPORT_KID] = '\0';

    return 0;
}


const char *
ngx_http_passport_report_result_name(int rc)
{
    switch (rc) {
    case NGX_HTTP_PASSPORT_REPORT_OK:
        return "intact";
    case NGX_HTTP_PASSPORT_REPORT_SYNTAX:
        return "truncated or unparseable";
    case NGX_HTTP_PASSPORT_REPORT_EDITED:
        return "edited";
    case NGX_HTTP_PASSPORT_REPORT_SIGNATURE:
        return "bad signature";
    case NGX_HTTP_PASSPORT_REPORT_GAP:
        return "deleted";
    case NGX_HTTP_PASSPORT_REPORT_BACK:
        return "reordered";
    case NGX_HTTP_PASSPORT_REPORT_BROKEN:
        return "chain broken";
    default:
        return "error";
    }
}


/*
 * Building a verdict record from the problems.  A table of pointers,
 * open addressing, at least twice as many slots as keys, finds the item
 * and the code of a pointer in constant time.
 */

typedef struct {
    const unsigned char  *key;          /* NULL: a free slot */
    size_t                len;
    size_t                code;         /* index + 1 in codes; 0: none */
    size_t                item;         /* index + 1 in items; 0: none */
} ngx_http_passport_report_slot_t;


static size_t
ngx_http_passport_report_slots(size_t nerrors, size_t ncodes)
{
    size_t  n;

    for (n = 16; n < 2 * (nerrors + ncodes); n *= 2) {
        /* void */
    }

    return n;
}


size_t
ngx_http_passport_report_build_size(size_t nerrors, size_t ncodes)
{
    return ngx_http_passport_report_slots(nerrors, ncodes)
               * sizeof(ngx_http_passport_report_slot_t)
           + nerrors * (sizeof(ngx_http_passport_report_item_t)
                        + sizeof(size_t) + 2 * sizeof(int));
}


/* the slot of a pointer: its own, or the free one where it would go */

static ngx_http_passport_report_slot_t *
ngx_http_passport_report_slot(ngx_http_passport_report_slot_t *slots,
    size_t mask, unsigned long seed, const unsigned char *key, size_t len)
{
    size_t                            i;
    unsigned long long                h;
    ngx_http_passport_report_slot_t  *s;

    /* FNV-1a, from a seed */

    h = 14695981039346656037ULL ^ seed;

    for (i = 0; i < len; i++) {
        h = (h ^ key[i]) * 1099511628211ULL;
    }

    h ^= h >> 29;

    for (i = (size_t) h & mask; ; i = (i + 1) & mask) {
        s = &slots[i];

        if (s->key == NULL
            || (s->len == len && memcmp(s->key, key, len) == 0))
        {
            return s;
        }
    }
}


/* an item's code and evidence from what is known of its pointer */

static void
ngx_http_passport_report_known(ngx_http_passport_report_item_t *it,
    const ngx_http_passport_report_code_t *c)
{
    it->seller = NULL;
    it->seller_len = 0;
    it->seller_status = NULL;
    it->seller_name = NULL;
    it->seller_name_len = 0;
    it->seller_country = NULL;
    it->status = NULL;
    it->owner = NULL;
    it->cause = NULL;

    if (c == NULL) {
        return;
    }

    if (c->code) {
        it->code = c->code;
        it->code_len = c->code_len;
    }

    it->seller = c->seller_len ? c->seller : NULL;
    it->seller_len = c->seller_len;
    it->seller_status = c->seller_status;
    it->seller_name = c->seller_name_len ? c->seller_name : NULL;
    it->seller_name_len = c->seller_name_len;
    it->seller_country = c->seller_country;
    it->status = c->status;
    it->owner = c->owner;
}


void
ngx_http_passport_report_build(ngx_http_passport_report_t *rec, void *mem,
    const ngx_http_passport_error_t *errors, size_t nerrors,
    const ngx_http_passport_report_code_t *codes, size_t ncodes,
    unsigned long seed)
{
    int                              *reasons, *ireasons, r;
    char                              seen[NGX_HTTP_PASSPORT_NREASONS];
    size_t                            i, k, n, mask, *of;
    ngx_http_passport_report_slot_t  *slots, *s;
    ngx_http_passport_report_item_t  *items, *it;

    n = ngx_http_passport_report_slots(nerrors, ncodes);
    mask = n - 1;

    slots = mem;
    items = (ngx_http_passport_report_item_t *) (slots + n);
    of = (size_t *) (items + nerrors);
    reasons = (int *) (of + nerrors);
    ireasons = reasons + nerrors;

    memset(slots, 0, n * sizeof(ngx_http_passport_report_slot_t));
    memset(seen, 0, sizeof(seen));

    for (i = 0; i < ncodes; i++) {
        s = ngx_http_passport_report_slot(slots, mask, seed,
                                          codes[i].pointer,
                                          codes[i].pointer_len);
        if (s->key == NULL) {
            s->key = codes[i].pointer;
            s->len = codes[i].pointer_len;
            s->code = i + 1;
        }
    }

    rec->reasons = reasons;
    rec->nreasons = 0;
    rec->cause = NULL;
    rec->items = items;
    rec->nitems = 0;

    /* the record's reasons, the items, how many reasons each has */

    for (i = 0; i < nerrors; i++) {
        r = errors[i].reason;
        of[i] = 0;

        if (r < 0 || r >= NGX_HTTP_PASSPORT_NREASONS) {
            continue;
        }

        if (r == NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE
            && (errors[i].pointer == NULL || errors[i].pointer_len == 0)
            && rec->cause == NULL)
        {
            rec->cause = errors[i].cause;
        }

        if (!seen[r]) {
            seen[r] = 1;
            reasons[rec->nreasons++] = r;
        }

        if (errors[i].pointer == NULL || errors[i].pointer_len == 0) {
            continue;
        }

        s = ngx_http_passport_report_slot(slots, mask, seed,
                                          errors[i].pointer,
                                          errors[i].pointer_len);

        if (s->item == 0) {
            it = &items[rec->nitems];
            it->pointer = errors[i].pointer;
            it->pointer_len = errors[i].pointer_len;
            it->code = errors[i].value;
            it->code_len = errors[i].value ? errors[i].value_len : 0;
            it->nreasons = 0;
            ngx_http_passport_report_known(it,
                                        s->code ? &codes[s->code - 1] : NULL);

            s->key = errors[i].pointer;
            s->len = errors[i].pointer_len;
            s->item = ++rec->nitems;
        }

        of[i] = s->item;
        items[s->item - 1].nreasons++;
    }

    /* each item's slice of ireasons, filled in the order of the problems */

    for (k = 0, n = 0; k < rec->nitems; k++) {
        items[k].reasons = ireasons + n;
        n += items[k].nreasons;
        items[k].nreasons = 0;
    }

    for (i = 0; i < nerrors; i++) {
        if (of[i]) {
            it = &items[of[i] - 1];
            ireasons[(it->reasons - ireasons) + it->nreasons++]
                = errors[i].reason;

            if (errors[i].reason == NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE
                && it->cause == NULL)
            {
                it->cause = errors[i].cause;
            }
        }
    }
}
