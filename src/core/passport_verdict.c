
/*
 * Copyright (C) passport developers
 */


#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "passport_verdict.h"


typedef struct {
    const char   *name;
    const char   *slug;
    int           status;      /* 0: the configured passport_status */
    int           body;        /* a problem with the body as a whole */
    const char   *title[2];
} ngx_http_passport_reason_t;


static const ngx_http_passport_reason_t  ngx_http_passport_reasons[] = {

    { "BODY_NOT_JSON", "body-not-json", 415, 1,
      { NGX_HTTP_PASSPORT_MSG(TITLE_BODY_NOT_JSON) } },

    { "BODY_MALFORMED", "body-malformed", 400, 1,
      { NGX_HTTP_PASSPORT_MSG(TITLE_BODY_MALFORMED) } },

    { "TOO_MANY_ITEMS", "too-many-items", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_TOO_MANY_ITEMS) } },

    { "SELLER_MISSING", "seller-missing", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_SELLER_MISSING) } },

    { "SELLER_ID_INVALID", "seller-id-invalid", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_SELLER_ID_INVALID) } },

    { "CODE_MISSING", "code-missing", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_CODE_MISSING) } },

    { "CODE_INVALID", "code-invalid", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_CODE_INVALID) } },

    { "CODE_EXPIRED", "code-expired", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_CODE_EXPIRED) } },

    { "ORIGIN_MISMATCH", "origin-mismatch", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_ORIGIN_MISMATCH) } },

    { "SELLER_NOT_REGISTERED", "seller-not-registered", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_SELLER_NOT_REGISTERED) } },

    { "SELLER_INACTIVE", "seller-inactive", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_SELLER_INACTIVE) } },

    { "CODE_NOT_REGISTERED", "code-not-registered", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_CODE_NOT_REGISTERED) } },

    { "CODE_RECALLED", "code-recalled", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_CODE_RECALLED) } },

    { "CODE_REVOKED", "code-revoked", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_CODE_REVOKED) } },

    { "CODE_OWNER_MISMATCH", "code-owner-mismatch", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_CODE_OWNER_MISMATCH) } },

    { "REGISTRY_UNAVAILABLE", "registry-unavailable", 503, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_REGISTRY_UNAVAILABLE) } },

    { "REGISTRY_BUSY", "registry-busy", 503, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_REGISTRY_BUSY) } },

    { "BODY_TOO_COMPLEX", "body-too-complex", 413, 1,
      { NGX_HTTP_PASSPORT_MSG(TITLE_BODY_TOO_COMPLEX) } }
};


const char *
ngx_http_passport_reason_name(int reason)
{
    if (reason < 0 || reason >= NGX_HTTP_PASSPORT_NREASONS) {
        return "UNKNOWN";
    }

    return ngx_http_passport_reasons[reason].name;
}


const char *
ngx_http_passport_reason_slug(int reason)
{
    if (reason < 0 || reason >= NGX_HTTP_PASSPORT_NREASONS) {
        return "unknown";
    }

    return ngx_http_passport_reasons[reason].slug;
}


const char *
ngx_http_passport_reason_title(int reason, int lang)
{
    if (reason < 0 || reason >= NGX_HTTP_PASSPORT_NREASONS) {
        return "";
    }

    return ngx_http_passport_reasons[reason]
               .title[lang == NGX_HTTP_PASSPORT_LANG_VI];
}


int
ngx_http_passport_reason_is_body(int reason)
{
    if (reason < 0 || reason >= NGX_HTTP_PASSPORT_NREASONS) {
        return 0;
    }

    return ngx_http_passport_reasons[reason].body;
}


/*
 * 1 when every problem is about the body as a whole (not JSON, malformed,
 * too many items) and none about a seller or an item: junk, which the
 * report log leaves out unless asked.  0 for no problems.
 */

int
ngx_http_passport_errors_whole_body(const ngx_http_passport_error_t *errors,
    size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (!ngx_http_passport_reason_is_body(errors[i].reason)
            && errors[i].reason != NGX_HTTP_PASSPORT_TOO_MANY_ITEMS)
        {
            return 0;
        }
    }

    return n > 0;
}


int
ngx_http_passport_reason_status(int reason, int block_status)
{
    if (reason < 0 || reason >= NGX_HTTP_PASSPORT_NREASONS
        || ngx_http_passport_reasons[reason].status == 0)
    {
        return block_status;
    }

    return ngx_http_passport_reasons[reason].status;
}


const char *
ngx_http_passport_verdict_name(int verdict)
{
    switch (verdict) {
    case NGX_HTTP_PASSPORT_VERDICT_PASS:
        return "pass";
    case NGX_HTTP_PASSPORT_VERDICT_FLAG:
        return "flag";
    case NGX_HTTP_PASSPORT_VERDICT_BLOCK:
        return "block";
    default:
        return "";
    }
}


int
ngx_http_passport_verdict(int mode, size_t nproblems, size_t nunavailable,
    int on_error)
{
    if (nproblems == 0) {

        if (nunavailable == 0 || on_error == NGX_HTTP_PASSPORT_ON_ERROR_PASS) {
            return NGX_HTTP_PASSPORT_VERDICT_PASS;
        }

        if (on_error == NGX_HTTP_PASSPORT_ON_ERROR_FLAG) {
            return NGX_HTTP_PASSPORT_VERDICT_FLAG;
        }
    }

    /* monitor records what enforce would have done */

    return (mode == NGX_HTTP_PASSPORT_MODE_FLAG)
           ? NGX_HTTP_PASSPORT_VERDICT_FLAG : NGX_HTTP_PASSPORT_VERDICT_BLOCK;
}


/*
 * Accept-Language (RFC 9110, 12.5.4): the language range with the highest
 * weight among the ones we speak wins; ties go to the first listed.
 */

int
ngx_http_passport_lang(const unsigned char *s, size_t len)
{
    int                   lang, best_lang;
    size_t                i, tag, tag_len;
    unsigned              q, best_q, frac;
    const unsigned char  *end;

    best_lang = NGX_HTTP_PASSPORT_LANG_EN;
    best_q = 0;
    end = s + len;

    i = 0;

    while (i < len) {

        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) {
            i++;
        }

        tag = i;

        while (i < len && s[i] != ';' && s[i] != ',' && s[i] != ' ') {
            i++;
        }

        tag_len = i - tag;
        q = 1000;

        while (i < len && s[i] != ',') {
            if (s[i] == 'q' && i + 1 < len && s[i + 1] == '='
                && (i == 0 || s[i - 1] == ';' || s[i - 1] == ' '))
            {
                i += 2;
                q = 0;

                if (i < len && s[i] == '1') {
                    q = 1000;

                } else if (i + 1 < len && s[i] == '0' && s[i + 1] == '.') {
                    i += 2;
                    frac = 100;

                    while (s + i < end && s[i] >= '0' && s[i] <= '9'
                           && frac > 0)
                    {
                        q += (s[i] - '0') * frac;
                        frac /= 10;
                        i++;
                    }
                }

                continue;
            }

            i++;
        }

        if (tag_len >= 2
            && (tag_len == 2 || s[tag + 2] == '-')
            && (s[tag] | 0x20) == 'v' && (s[tag + 1] | 0x20) == 'i')
        {
            lang = NGX_HTTP_PASSPORT_LANG_VI;

        } else if (tag_len >= 2
                   && (tag_len == 2 || s[tag + 2] == '-')
                   && (s[tag] | 0x20) == 'e' && (s[tag + 1] | 0x20) == 'n')
        {
            lang = NGX_HTTP_PASSPORT_LANG_EN;

        } else {
            continue;
        }

        if (q > best_q) {
            best_q = q;
            best_lang = lang;
        }
    }

    return best_lang;
}


void
ngx_http_passport_error_detail(ngx_http_passport_error_t *err, int lang,
    const char *en, const char *vi, ...)
{
    va_list  args;

    va_start(args, vi);
    ngx_http_passport_error_vdetail(err, lang, en, vi, args);
    va_end(args);
}


void
ngx_http_passport_error_vdetail(ngx_http_passport_error_t *err, int lang,
    const char *en, const char *vi, va_list args)
{
    if (vsnprintf(err->detail, sizeof(err->detail),
                  lang == NGX_HTTP_PASSPORT_LANG_VI ? vi : en, args)
        < 0)
    {
        err->detail[0] = '\0';
    }
}


int
ngx_http_passport_code_rules(const ngx_http_passport_code_t *code,
    int origin, long today, int lang, ngx_http_passport_error_t *err)
{
    const char  *claimed, *marked;

    if (code->err != NGX_HTTP_PASSPORT_ID_OK) {
        err->reason = NGX_HTTP_PASSPORT_CODE_INVALID;
        ngx_http_passport_code_explain(code, lang, err->detail,
                                       sizeof(err->detail));
        return 1;
    }

    if (code->has_expiry && code->expiry < today) {
        err->reason = NGX_HTTP_PASSPORT_CODE_EXPIRED;
        ngx_http_passport_error_detail(err, lang,
            NGX_HTTP_PASSPORT_MSG(RULE_EXPIRED),
            code->expiry / 10000, code->expiry / 100 % 100,
            code->expiry % 100, today / 10000, today / 100 % 100,
            today % 100);
        return 1;
    }

    if (code->has_origin && origin >= 0 && code->origin != origin) {
        claimed = ngx_http_passport_country_alpha2(origin);
        marked = ngx_http_passport_country_alpha2(code->origin);

        err->reason = NGX_HTTP_PASSPORT_ORIGIN_MISMATCH;
        ngx_http_passport_error_detail(err, lang,
            NGX_HTTP_PASSPORT_MSG(RULE_ORIGIN_CODE),
            claimed ? claimed : "?", origin,
            marked ? marked : "?", code->origin);
        return 1;
    }

    return 0;
}


void
ngx_http_passport_seller_rules(const ngx_http_passport_seller_t *sl,
    int lang, ngx_http_passport_error_t *err)
{
    err->reason = NGX_HTTP_PASSPORT_SELLER_ID_INVALID;
    ngx_http_passport_seller_explain(sl, lang, err->detail,
                                     sizeof(err->detail));
}
