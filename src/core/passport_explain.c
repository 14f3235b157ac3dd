
/*
 * Copyright (C) passport developers
 */


/*
 * Human-readable explanations of identifier errors, in English and
 * Vietnamese.  The sentences are in passport_catalog.h.  Pure C, no nginx
 * dependency.
 */


#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "passport_ids.h"
#include "passport_catalog.h"


size_t
ngx_http_passport_say(char *buf, size_t size, int lang, const char *en,
    const char *vi, ...)
{
    int      n;
    char     tmp[512];
    size_t   len;
    va_list  args;

    if (buf == NULL || size == 0) {
        return 0;
    }

    va_start(args, vi);
    n = vsnprintf(tmp, sizeof(tmp), lang == NGX_HTTP_PASSPORT_LANG_VI ? vi : en,
                  args);
    va_end(args);

    len = (n < 0) ? 0 : ((size_t) n >= sizeof(tmp)) ? sizeof(tmp) - 1
                                                 : (size_t) n;

    /* cut to fit, on a UTF-8 character boundary */

    if (len >= size) {
        for (len = size - 1;
             len > 0 && ((unsigned char) tmp[len] & 0xc0) == 0x80;
             len--)
        {
            /* void */
        }
    }

    memcpy(buf, tmp, len);
    buf[len] = '\0';

    return len;
}


/* how a seller ID of the kind is named in a sentence */
static const char *
ngx_http_passport_seller_kind_text(int kind, int lang)
{
    switch (kind) {
    case NGX_HTTP_PASSPORT_SELLER_TAX_CODE:
        return NGX_HTTP_PASSPORT_TEXT(KIND_TAX_CODE, lang);
    case NGX_HTTP_PASSPORT_SELLER_CITIZEN:
        return NGX_HTTP_PASSPORT_TEXT(KIND_CITIZEN, lang);
    case NGX_HTTP_PASSPORT_SELLER_LEI:
        return NGX_HTTP_PASSPORT_TEXT(KIND_LEI, lang);
    default:
        return NGX_HTTP_PASSPORT_TEXT(KIND_SELLER, lang);
    }
}


size_t
ngx_http_passport_seller_explain(const ngx_http_passport_seller_t *sl,
    int lang, char *buf, size_t size)
{
    int          found, expected;
    const char  *kind;

    found = sl->found % 1000;
    expected = sl->expected % 1000;

    switch (sl->err) {

    case NGX_HTTP_PASSPORT_ID_OK:
        kind = ngx_http_passport_seller_kind_text(sl->kind, lang);
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(SELLER_VALID),
                                     kind);

    case NGX_HTTP_PASSPORT_ID_EMPTY:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(SELLER_EMPTY));

    case NGX_HTTP_PASSPORT_ID_SHAPE:
        if (sl->kind == NGX_HTTP_PASSPORT_SELLER_TAX_CODE) {
            return ngx_http_passport_say(buf, size, lang,
                                   NGX_HTTP_PASSPORT_MSG(SELLER_TAX_ZEROS));
        }

        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(SELLER_SHAPE));

    case NGX_HTTP_PASSPORT_ID_CHECK_DIGIT:
        if (sl->kind == NGX_HTTP_PASSPORT_SELLER_LEI) {
            return ngx_http_passport_say(buf, size, lang,
                             NGX_HTTP_PASSPORT_MSG(SELLER_LEI_CHECK_DIGIT),
                             found, expected);
        }

        return ngx_http_passport_say(buf, size, lang,
                             NGX_HTTP_PASSPORT_MSG(SELLER_TAX_CHECK_DIGIT),
                             found, expected);

    case NGX_HTTP_PASSPORT_ID_BRANCH:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(SELLER_BRANCH));

    case NGX_HTTP_PASSPORT_ID_PROVINCE:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(SELLER_PROVINCE),
                                     found);

    case NGX_HTTP_PASSPORT_ID_CENTURY:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(SELLER_CENTURY),
                                     found);

    case NGX_HTTP_PASSPORT_ID_NO_VALID_CODE:
        return ngx_http_passport_say(buf, size, lang,
                               NGX_HTTP_PASSPORT_MSG(SELLER_NO_VALID_CODE),
                               sl->id);

    case NGX_HTTP_PASSPORT_ID_TOO_LONG:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(SELLER_TOO_LONG));

    case NGX_HTTP_PASSPORT_ID_OVERSIZE:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(SELLER_OVERSIZE),
                                     (unsigned long)
                                         NGX_HTTP_PASSPORT_INPUT_MAX);

    default:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(SELLER_INVALID));
    }
}


/* an AI the parser wrote (printable, NUL terminated), bounded to 4 */
static void
ngx_http_passport_ai_text(char *dst, const char *ai)
{
    size_t       n;
    const char  *p;

    p = memchr(ai, '\0', 4);
    n = p ? (size_t) (p - ai) : 4;
    memcpy(dst, ai, n);
    dst[n] = '\0';
}


/*
 * The part of a code an AI holds, in plain words with the AI in brackets
 * ("lot (AI 10)"), into buf (at least 64 bytes).
 */
static const char *
ngx_http_passport_ai_part(char *buf, size_t size, const char *ai, int lang)
{
    size_t  i;
    static const struct {
        const char  *ai;
        const char  *text[2];
    } parts[] = {
        { "00", { NGX_HTTP_PASSPORT_MSG(AI_00) } },
        { "01", { NGX_HTTP_PASSPORT_MSG(AI_01) } },
        { "10", { NGX_HTTP_PASSPORT_MSG(AI_10) } },
        { "11", { NGX_HTTP_PASSPORT_MSG(AI_11) } },
        { "13", { NGX_HTTP_PASSPORT_MSG(AI_13) } },
        { "15", { NGX_HTTP_PASSPORT_MSG(AI_15) } },
        { "17", { NGX_HTTP_PASSPORT_MSG(AI_17) } },
        { "21", { NGX_HTTP_PASSPORT_MSG(AI_21) } },
        { "422", { NGX_HTTP_PASSPORT_MSG(AI_422) } }
    };

    for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (strcmp(parts[i].ai, ai) == 0) {
            return parts[i].text[lang == NGX_HTTP_PASSPORT_LANG_VI];
        }
    }

    (void) ngx_http_passport_say(buf, size, lang,
                                 NGX_HTTP_PASSPORT_MSG(AI_OTHER), ai);

    return buf;
}


/* the errors that name an AI of the code */
static size_t
ngx_http_passport_code_ai_explain(const ngx_http_passport_code_t *code,
    int lang, char *buf, size_t size)
{
    char           ai[5], ai2[5], b1[64], b2[64];
    const char    *part, *part2;
    unsigned long  pos;

    ngx_http_passport_ai_text(ai, code->ai);
    ngx_http_passport_ai_text(ai2, code->ai2);
    part = ngx_http_passport_ai_part(b1, sizeof(b1), ai, lang);
    part2 = ngx_http_passport_ai_part(b2, sizeof(b2), ai2, lang);
    pos = (unsigned long) code->pos + 1;

    switch (code->err) {

    case NGX_HTTP_PASSPORT_ID_CHECK_DIGIT:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_CHECK_DIGIT),
                                     part, code->found % 1000,
                                     code->expected % 1000);

    case NGX_HTTP_PASSPORT_ID_UNKNOWN_AI:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_UNKNOWN_AI),
                                     ai);

    case NGX_HTTP_PASSPORT_ID_AI_LENGTH:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_AI_LENGTH),
                                     part);

    case NGX_HTTP_PASSPORT_ID_AI_CHARSET:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_AI_CHARSET),
                                     pos, part);

    case NGX_HTTP_PASSPORT_ID_AI_DATE:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_AI_DATE),
                                     part);

    case NGX_HTTP_PASSPORT_ID_AI_COUNTRY:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_AI_COUNTRY),
                                     part);

    case NGX_HTTP_PASSPORT_ID_AI_DUPLICATE:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_AI_DUPLICATE),
                                     part);

    case NGX_HTTP_PASSPORT_ID_AI_REPEATED:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_AI_REPEATED),
                                     part);

    case NGX_HTTP_PASSPORT_ID_AI_REQUIRES:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_AI_REQUIRES),
                                     part, part2);

    case NGX_HTTP_PASSPORT_ID_AI_EXCLUDES:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_AI_EXCLUDES),
                                     part, part2);

    default:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_INVALID));
    }
}


size_t
ngx_http_passport_code_explain(const ngx_http_passport_code_t *code,
    int lang, char *buf, size_t size)
{
    unsigned long  pos;

    pos = (unsigned long) code->pos + 1;

    switch (code->err) {

    case NGX_HTTP_PASSPORT_ID_OK:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_VALID));

    case NGX_HTTP_PASSPORT_ID_EMPTY:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_EMPTY));

    case NGX_HTTP_PASSPORT_ID_SHAPE:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_SHAPE));

    case NGX_HTTP_PASSPORT_ID_NO_KEY:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_NO_KEY));

    case NGX_HTTP_PASSPORT_ID_DL_SYNTAX:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_DL_SYNTAX),
                                     pos);

    case NGX_HTTP_PASSPORT_ID_PERCENT:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_PERCENT),
                                     pos);

    case NGX_HTTP_PASSPORT_ID_TOO_LONG:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_TOO_LONG));

    case NGX_HTTP_PASSPORT_ID_OVERSIZE:
        return ngx_http_passport_say(buf, size, lang,
                                     NGX_HTTP_PASSPORT_MSG(TRACE_OVERSIZE),
                                     (unsigned long)
                                         NGX_HTTP_PASSPORT_INPUT_MAX);

    default:
        /* the errors about one AI, the seller errors, anything unknown */
        return ngx_http_passport_code_ai_explain(code, lang, buf, size);
    }
}
