
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
      { NGX_HTTP_PASSPORT_MSG(TITLE_BODY_TOO_COMPLEX) } },

    { "ORIGIN_INVALID", "origin-invalid", 0, 0,
      { NGX_HTTP_PASSPORT_MSG(TITLE_ORIGIN_INVALID) } }
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


/*
 * Appends sep and a sentence to err->detail, cut to fit on a UTF-8
 * character boundary.
 */

void
ngx_http_passport_error_append(ngx_http_passport_error_t *err, int lang,
    const char *sep, const char *en, const char *vi, ...)
{
    int      n;
    char     tmp[NGX_HTTP_PASSPORT_DETAIL_MAX];
    size_t   len, room;
    va_list  args;

    va_start(args, vi);
    n = vsnprintf(tmp, sizeof(tmp), lang == NGX_HTTP_PASSPORT_LANG_VI ? vi : en,
                  args);
    va_end(args);

    len = strlen(err->detail);

    if (n <= 0 || len + strlen(sep) >= sizeof(err->detail) - 1) {
        return;
    }

    memcpy(err->detail + len, sep, strlen(sep));
    len += strlen(sep);

    room = sizeof(err->detail) - 1 - len;
    n = (size_t) n < sizeof(tmp) ? n : (int) sizeof(tmp) - 1;

    if ((size_t) n > room) {
        for (n = (int) room;
             n > 0 && ((unsigned char) tmp[n] & 0xc0) == 0x80;
             n--)
        {
            /* void */
        }
    }

    memcpy(err->detail + len, tmp, n);
    err->detail[len + n] = '\0';
}


/*
 * A registry status in the language: a known one in words, any other as
 * sent in English and as STATUS_OTHER in Vietnamese, so that no English
 * word is left in a Vietnamese sentence.
 */

const char *
ngx_http_passport_status_text(const char *status, int lang)
{
    size_t  i;
    static const struct {
        const char  *status;
        const char  *text[2];
    } statuses[] = {
        { "suspended", { NGX_HTTP_PASSPORT_MSG(STATUS_SUSPENDED) } },
        { "dissolved", { NGX_HTTP_PASSPORT_MSG(STATUS_DISSOLVED) } },
        { "inactive", { NGX_HTTP_PASSPORT_MSG(STATUS_INACTIVE) } },
        { "closed", { NGX_HTTP_PASSPORT_MSG(STATUS_CLOSED) } },
        { "terminated", { NGX_HTTP_PASSPORT_MSG(STATUS_TERMINATED) } },
        { "bankrupt", { NGX_HTTP_PASSPORT_MSG(STATUS_BANKRUPT) } },
        { "blocked", { NGX_HTTP_PASSPORT_MSG(STATUS_BLOCKED) } },
        { "pending", { NGX_HTTP_PASSPORT_MSG(STATUS_PENDING) } },
        { "expired", { NGX_HTTP_PASSPORT_MSG(STATUS_EXPIRED) } },
        { "lapsed", { NGX_HTTP_PASSPORT_MSG(STATUS_LAPSED) } },
        { "retired", { NGX_HTTP_PASSPORT_MSG(STATUS_RETIRED) } },
        { "withdrawn", { NGX_HTTP_PASSPORT_MSG(STATUS_WITHDRAWN) } },
        { "recalled", { NGX_HTTP_PASSPORT_MSG(STATUS_RECALLED) } },
        { "revoked", { NGX_HTTP_PASSPORT_MSG(STATUS_REVOKED) } }
    };

    lang = (lang == NGX_HTTP_PASSPORT_LANG_VI);

    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        if (strcmp(statuses[i].status, status) == 0) {
            return statuses[i].text[lang];
        }
    }

    return lang ? NGX_HTTP_PASSPORT_MSG_STATUS_OTHER_VI : status;
}


/*
 * Whether the cause of a failed lookup is about the registry's answer (it
 * answered, but not with a usable record) rather than about reaching it:
 * the causes of passport_record.c and the too large body, matched on
 * their text up to the first conversion.
 */

int
ngx_http_passport_cause_is_answer(const char *cause)
{
    size_t       i, n;
    const char  *fmt;
    static const char *const  answers[] = {
        NGX_HTTP_PASSPORT_MSG_CAUSE_HTTP_STATUS_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_JSON_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_OBJECT_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_NO_STRING_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_EMPTY_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_TOO_LONG_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_INVALID_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_OTHER_ID_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_STRING_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_ARRAY_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_ITEM_NOT_STRING_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_NO_ORIGIN_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_ORIGIN_NOT_CODE_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_ORIGIN_UNKNOWN_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_ORIGIN_NUMBER_EN,
        NGX_HTTP_PASSPORT_MSG_CAUSE_BODY_TOO_LARGE_EN
    };

    if (cause == NULL) {
        return 0;
    }

    for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
        fmt = answers[i];
        n = strcspn(fmt, "%");

        if (strncmp(cause, fmt, n) == 0) {
            return 1;
        }
    }

    return 0;
}


/*
 * REGISTRY_UNAVAILABLE: what the seller can do, in the language; the
 * cause (libcurl's text, an address, a record detail) is kept in
 * err->cause for the error log and never written into the detail.
 */

void
ngx_http_passport_registry_rules(ngx_http_passport_error_t *err, int lang,
    int seller, const char *cause, unsigned retry)
{
    const char  *what;

    err->reason = NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE;
    err->cause = cause;

    what = seller ? NGX_HTTP_PASSPORT_TEXT(LOOKUP_SELLER, lang)
                  : NGX_HTTP_PASSPORT_TEXT(LOOKUP_CODE, lang);

    if (retry == 0) {
        retry = 1;
    }

    if (ngx_http_passport_cause_is_answer(cause)) {
        ngx_http_passport_error_detail(err, lang,
            NGX_HTTP_PASSPORT_MSG(REGISTRY_BAD_ANSWER), what, retry);

    } else {
        ngx_http_passport_error_detail(err, lang,
            NGX_HTTP_PASSPORT_MSG(REGISTRY_UNREACHABLE), what, retry);
    }
}
