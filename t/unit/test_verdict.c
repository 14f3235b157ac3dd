
/*
 * Copyright (C) passport developers
 *
 * Unit tests for reasons, verdicts, Accept-Language and problem documents.
 * TAP output.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passport_verdict.h"
#include "tap.h"


#define ENF    NGX_HTTP_PASSPORT_MODE_ENFORCE
#define FLG    NGX_HTTP_PASSPORT_MODE_FLAG
#define MON    NGX_HTTP_PASSPORT_MODE_MONITOR
#define BLK    NGX_HTTP_PASSPORT_ON_ERROR_BLOCK
#define FLAGP  NGX_HTTP_PASSPORT_ON_ERROR_FLAG
#define PASSP  NGX_HTTP_PASSPORT_ON_ERROR_PASS
#define PASS   NGX_HTTP_PASSPORT_VERDICT_PASS
#define FLAG   NGX_HTTP_PASSPORT_VERDICT_FLAG
#define BLOCK  NGX_HTTP_PASSPORT_VERDICT_BLOCK


static char *
problem(const ngx_http_passport_problem_t *pr)
{
    size_t          n;
    unsigned char  *buf, *end;

    n = ngx_http_passport_problem_size(pr);
    buf = malloc(n + 1);
    if (buf == NULL) {
        abort();
    }

    end = ngx_http_passport_problem_write(buf, pr);
    ok((size_t) (end - buf) == n, "problem size matches what is written");
    *end = '\0';

    return (char *) buf;
}


static void
test_lang(void)
{
    struct {
        const char  *header;
        int          lang;
    } v[] = {
        { "vi", NGX_HTTP_PASSPORT_LANG_VI },
        { "vi-VN,vi;q=0.9,en;q=0.8", NGX_HTTP_PASSPORT_LANG_VI },
        { "en-US,en;q=0.9,vi;q=0.8", NGX_HTTP_PASSPORT_LANG_EN },
        { "fr, vi;q=0.5", NGX_HTTP_PASSPORT_LANG_VI },
        { "en;q=0.2, vi;q=0.7", NGX_HTTP_PASSPORT_LANG_VI },
        { "VI", NGX_HTTP_PASSPORT_LANG_VI },
        { "vie", NGX_HTTP_PASSPORT_LANG_EN },
        { "vi;q=0", NGX_HTTP_PASSPORT_LANG_EN },
        { "", NGX_HTTP_PASSPORT_LANG_EN },
        { "de", NGX_HTTP_PASSPORT_LANG_EN },
        { ";;;q=,,", NGX_HTTP_PASSPORT_LANG_EN },
        { "*", NGX_HTTP_PASSPORT_LANG_EN },
    };
    size_t  i;
    char    name[128];

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        snprintf(name, sizeof(name), "Accept-Language \"%s\"", v[i].header);
        ok(ngx_http_passport_lang((const unsigned char *) v[i].header,
                                  strlen(v[i].header)) == v[i].lang, name);
    }
}


static void
test_reasons(void)
{
    int  r;

    is_str(ngx_http_passport_reason_name(NGX_HTTP_PASSPORT_CODE_INVALID),
           "CODE_INVALID", "reason name");
    is_str(ngx_http_passport_reason_slug(NGX_HTTP_PASSPORT_CODE_INVALID),
           "code-invalid", "reason slug");
    ok(ngx_http_passport_reason_status(NGX_HTTP_PASSPORT_BODY_NOT_JSON, 422)
       == 415, "BODY_NOT_JSON is 415");
    ok(ngx_http_passport_reason_status(NGX_HTTP_PASSPORT_BODY_MALFORMED, 422)
       == 400, "BODY_MALFORMED is 400");
    ok(ngx_http_passport_reason_status(NGX_HTTP_PASSPORT_CODE_INVALID, 451)
       == 451, "listing problems use passport_status");
    ok(ngx_http_passport_reason_status(NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE,
                                       422) == 503,
       "REGISTRY_UNAVAILABLE is 503");
    is_str(ngx_http_passport_reason_name(99), "UNKNOWN", "out of range");

    for (r = 0; r < NGX_HTTP_PASSPORT_NREASONS; r++) {
        if (ngx_http_passport_reason_title(r, NGX_HTTP_PASSPORT_LANG_EN)[0]
            == '\0'
            || ngx_http_passport_reason_title(r, NGX_HTTP_PASSPORT_LANG_VI)[0]
               == '\0')
        {
            break;
        }
    }

    ok(r == NGX_HTTP_PASSPORT_NREASONS, "every reason has both titles");

    {
        struct {
            int          mode;
            size_t       problems, unavailable;
            int          on_error, verdict;
            const char  *name;
        } v[] = {
            { ENF, 0, 0, BLK, PASS, "no problems pass" },
            { ENF, 2, 0, BLK, BLOCK, "enforce blocks" },
            { FLG, 1, 0, BLK, FLAG, "flag flags" },
            { MON, 1, 0, BLK, BLOCK, "monitor records the would-be verdict" },
            { ENF, 0, 1, BLK, BLOCK, "registry down, block policy" },
            { ENF, 0, 3, FLAGP, FLAG, "registry down, flag policy" },
            { ENF, 0, 1, PASSP, PASS, "registry down, pass policy" },
            { FLG, 0, 1, BLK, FLAG, "registry down in flag mode" },
            { ENF, 1, 1, PASSP, BLOCK, "a real problem blocks, whatever "
                                       "the policy" },
            { MON, 0, 1, FLAGP, FLAG, "monitor, flag policy" },
        };
        size_t  i;

        for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
            ok(ngx_http_passport_verdict(v[i].mode, v[i].problems,
                                         v[i].unavailable, v[i].on_error)
               == v[i].verdict, v[i].name);
        }
    }
}


static void
test_whole_body(void)
{
    ngx_http_passport_error_t  e[3];

    memset(e, 0, sizeof(e));

    ok(!ngx_http_passport_errors_whole_body(e, 0), "junk: no problems");

    e[0].reason = NGX_HTTP_PASSPORT_BODY_NOT_JSON;
    ok(ngx_http_passport_errors_whole_body(e, 1), "junk: not JSON");

    e[0].reason = NGX_HTTP_PASSPORT_BODY_MALFORMED;
    ok(ngx_http_passport_errors_whole_body(e, 1), "junk: malformed");

    e[1].reason = NGX_HTTP_PASSPORT_TOO_MANY_ITEMS;
    ok(ngx_http_passport_errors_whole_body(e, 2),
       "junk: malformed and too many items");

    e[2].reason = NGX_HTTP_PASSPORT_SELLER_ID_INVALID;
    ok(!ngx_http_passport_errors_whole_body(e, 3),
       "not junk: a seller problem besides");

    e[0].reason = NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE;
    ok(!ngx_http_passport_errors_whole_body(e, 1),
       "not junk: the registry could not answer");

    e[0].reason = NGX_HTTP_PASSPORT_CODE_INVALID;
    ok(!ngx_http_passport_errors_whole_body(e, 1), "not junk: an item");
}


static void
test_escape(void)
{
    char           out[64];
    unsigned char *end;

    end = ngx_http_passport_json_escape((unsigned char *) out,
              (const unsigned char *) "a\"b\\c\n\x01\x7f", 8, 256);
    *end = '\0';
    is_str(out, "a\\\"b\\\\c\\n\\u0001\\u007f", "control characters escaped");

    end = ngx_http_passport_json_escape((unsigned char *) out,
              (const unsigned char *) "x\xff\xc3(y", 5, 256);
    *end = '\0';
    is_str(out, "x\xef\xbf\xbd\xef\xbf\xbd(y", "invalid UTF-8 replaced");

    end = ngx_http_passport_json_escape((unsigned char *) out,
              (const unsigned char *) "a\0b", 3, 256);
    *end = '\0';
    is_str(out, "a\\u0000b", "NUL byte escaped");

    end = ngx_http_passport_json_escape((unsigned char *) out,
              (const unsigned char *) "\xe1\xba\xa1\xe1\xba\xa1", 6, 4);
    *end = '\0';
    is_str(out, "\xe1\xba\xa1\xef\xbf\xbd",
           "a cut inside a character does not emit half of it");

    end = ngx_http_passport_json_escape((unsigned char *) out,
              (const unsigned char *) "\xed\xa0\x80", 3, 256);
    *end = '\0';
    is_str(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
           "UTF-16 surrogates are not valid UTF-8");
}


static void
test_problem(void)
{
    char                       *doc, *value, big[1000];
    ngx_http_passport_error_t   errs[2];
    ngx_http_passport_problem_t pr;

    memset(&pr, 0, sizeof(pr));
    memset(errs, 0, sizeof(errs));

    errs[0].reason = NGX_HTTP_PASSPORT_CODE_INVALID;
    errs[0].pointer = (const unsigned char *) "/items/3/trace_code";
    errs[0].pointer_len = 19;
    errs[0].value = (const unsigned char *) "123\"4";
    errs[0].value_len = 5;
    strcpy(errs[0].detail, "bad \"code\"");

    pr.status = 422;
    pr.lang = NGX_HTTP_PASSPORT_LANG_EN;
    pr.type_base = (const unsigned char *) "https://h.example/p/";
    pr.type_base_len = 20;
    pr.instance = (const unsigned char *) "abc123";
    pr.instance_len = 6;
    pr.errors = errs;
    pr.nerrors = 1;

    doc = problem(&pr);
    is_str(doc,
           "{\"type\":\"https://h.example/p/code-invalid\","
           "\"title\":\"Trace code is not valid\",\"status\":422,"
           "\"detail\":\"bad \\\"code\\\"\",\"instance\":\"abc123\","
           "\"errors\":[{\"pointer\":\"/items/3/trace_code\","
           "\"code\":\"CODE_INVALID\",\"detail\":\"bad \\\"code\\\"\","
           "\"value\":\"123\\\"4\"}]}\n",
           "single problem document");
    free(doc);

    errs[1].reason = NGX_HTTP_PASSPORT_SELLER_MISSING;
    strcpy(errs[1].detail, "none");

    memset(big, 'A', sizeof(big));
    errs[0].value = (const unsigned char *) big;
    errs[0].value_len = sizeof(big);

    pr.nerrors = 2;
    pr.lang = NGX_HTTP_PASSPORT_LANG_VI;
    pr.seller = (const unsigned char *) "0100109106";
    pr.seller_len = 10;
    pr.seller_kind = "tax_code";
    pr.seller_verdict = "valid";

    doc = problem(&pr);
    ok(strstr(doc, "\"title\":\"Mã truy xuất nguồn gốc không hợp lệ\"")
       != NULL, "Vietnamese title");
    ok(strstr(doc, "Phát hiện 2 vấn đề") != NULL, "Vietnamese summary");
    ok(strstr(doc, "\"seller\":{\"value\":\"0100109106\",\"kind\":"
                   "\"tax_code\",\"verdict\":\"valid\"}") != NULL,
       "seller object");
    ok(strstr(doc, "{\"code\":\"SELLER_MISSING\",\"detail\":\"none\"}")
       != NULL, "no pointer for a problem outside the body");
    value = strstr(doc, "\"value\":\"AAA");
    ok(value != NULL
       && strspn(value + 9, "A") == 256 && value[9 + 256] == '"',
       "value cut at 256 bytes");
    free(doc);
}


static void
test_rules(void)
{
    ngx_http_passport_code_t   code;
    ngx_http_passport_error_t  err;

    memset(&code, 0, sizeof(code));
    memset(&err, 0, sizeof(err));

    ok(ngx_http_passport_code_rules(&code, -1, 20261125,
                                    NGX_HTTP_PASSPORT_LANG_EN, &err) == 0,
       "a plain valid code passes");

    code.has_expiry = 1;
    code.expiry = 20261124;
    ok(ngx_http_passport_code_rules(&code, -1, 20261125,
                                    NGX_HTTP_PASSPORT_LANG_EN, &err) == 1
       && err.reason == NGX_HTTP_PASSPORT_CODE_EXPIRED,
       "expired yesterday");
    is_str(err.detail, "expiry date (AI 17) is 2026-11-24, before today "
                       "2026-11-25", "expiry detail");

    code.expiry = 20261125;
    ok(ngx_http_passport_code_rules(&code, -1, 20261125,
                                    NGX_HTTP_PASSPORT_LANG_EN, &err) == 0,
       "expiring today is not expired");

    code.has_origin = 1;
    code.origin = 156;
    ok(ngx_http_passport_code_rules(&code, 704, 20261125,
                                    NGX_HTTP_PASSPORT_LANG_EN, &err) == 1
       && err.reason == NGX_HTTP_PASSPORT_ORIGIN_MISMATCH,
       "AI 422 differs from the claimed origin");
    ok(strstr(err.detail, "VN (704)") && strstr(err.detail, "CN (156)"),
       "origin detail names both countries");

    ok(ngx_http_passport_code_rules(&code, 156, 20261125,
                                    NGX_HTTP_PASSPORT_LANG_EN, &err) == 0,
       "AI 422 matches the claimed origin");
    ok(ngx_http_passport_code_rules(&code, -1, 20261125,
                                    NGX_HTTP_PASSPORT_LANG_EN, &err) == 0,
       "no claimed origin, nothing to compare");

    code.err = NGX_HTTP_PASSPORT_ID_SHAPE;
    ok(ngx_http_passport_code_rules(&code, -1, 20261125,
                                    NGX_HTTP_PASSPORT_LANG_EN, &err) == 1
       && err.reason == NGX_HTTP_PASSPORT_CODE_INVALID
       && err.detail[0] != '\0',
       "unparsed code is CODE_INVALID with a detail");
}


/*
 * The catalog (passport_catalog.h): every entry listed and filled in,
 * both languages with the same conversions, and a Vietnamese that is not
 * the English left untranslated.
 */

typedef struct {
    const char  *name;
    const char  *en;
    const char  *vi;        /* NULL: English only */
} catalog_entry_t;


#define CATALOG_BOTH(name)                                                    \
    { #name, NGX_HTTP_PASSPORT_MSG(name) },
#define CATALOG_EN(name)                                                      \
    { #name, NGX_HTTP_PASSPORT_MSG_ ## name ## _EN, NULL },

static const catalog_entry_t  catalog[] = {
    NGX_HTTP_PASSPORT_CATALOG(CATALOG_BOTH)
    NGX_HTTP_PASSPORT_CATALOG_EN_ONLY(CATALOG_EN)
};

#define CATALOG_N  (sizeof(catalog) / sizeof(catalog[0]))


/*
 * The entries whose Vietnamese may be the English word for word: proper
 * names and formats only.  Each must be the same in both languages.
 */

static const char *const  catalog_same[] = {
    "TYPE_NULL",                /* the JSON literal null */
};


static const catalog_entry_t *
catalog_find(const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < CATALOG_N; i++) {
        if (strlen(catalog[i].name) == len
            && memcmp(catalog[i].name, name, len) == 0)
        {
            return &catalog[i];
        }
    }

    return NULL;
}


/* the printf conversions of s, "%d|%s|", or "!" after a dangling % */

static void
catalog_conversions(const char *s, char *out, size_t size)
{
    size_t       n, len;
    const char  *p, *start;

    n = 0;
    out[0] = '\0';

    for (p = s; *p; p++) {
        if (*p != '%') {
            continue;
        }

        if (p[1] == '%') {
            p++;
            continue;
        }

        start = p++;

        while (*p && strchr("-+ #0123456789.*hlLjzt", *p)) {
            p++;
        }

        len = (*p && strchr("diouxXeEfFgGaAcsp", *p)) ? (size_t) (p - start + 1)
                                                      : 0;

        if (len == 0 || n + len + 2 > size) {
            snprintf(out + n, size - n, "!");
            return;
        }

        memcpy(out + n, start, len);
        n += len;
        out[n++] = '|';
        out[n] = '\0';
    }
}


static int
catalog_utf8(const char *s)
{
    int                   k;
    const unsigned char  *p;

    for (p = (const unsigned char *) s; *p; p++) {
        k = (*p < 0x80) ? 0 : (*p & 0xe0) == 0xc0 ? 1
            : (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;

        if (k < 0 || (*p >= 0x80 && *p < 0xc2)) {
            return 0;
        }

        while (k--) {
            if ((*++p & 0xc0) != 0x80) {
                return 0;
            }
        }
    }

    return 1;
}


static int
catalog_ascii(const char *s)
{
    for ( /* void */ ; *s; s++) {
        if ((unsigned char) *s < 0x20 || (unsigned char) *s > 0x7e) {
            return 0;
        }
    }

    return 1;
}


/* no empty text, no white space or period at either end */

static int
catalog_trimmed(const char *s)
{
    size_t  n;

    n = strlen(s);

    return n > 0 && s[0] != ' ' && s[n - 1] != ' ' && s[n - 1] != '.';
}


static void
test_catalog(void)
{
    int                     good, bad, filled, same, convs, texts, names;
    char                    en[128], vi[128], line[256], *p, *q;
    FILE                   *f;
    size_t                  i, k, nsame, listed;
    const catalog_entry_t  *e;

    filled = 1;
    same = 1;
    convs = 1;
    texts = 1;
    names = 1;
    nsame = sizeof(catalog_same) / sizeof(catalog_same[0]);

    for (i = 0; i < CATALOG_N; i++) {
        e = &catalog[i];

        if (catalog_find(e->name, strlen(e->name)) != e) {
            printf("# %s: listed twice\n", e->name);
            names = 0;
        }

        if (!catalog_trimmed(e->en) || (e->vi && !catalog_trimmed(e->vi))) {
            printf("# %s: empty, or white space or a period at an end\n",
                   e->name);
            filled = 0;
        }

        if (!catalog_ascii(e->en) || (e->vi && !catalog_utf8(e->vi))) {
            printf("# %s: English not printable ASCII, or Vietnamese not "
                   "UTF-8\n", e->name);
            texts = 0;
        }

        if (e->vi == NULL) {
            continue;
        }

        catalog_conversions(e->en, en, sizeof(en));
        catalog_conversions(e->vi, vi, sizeof(vi));

        if (strcmp(en, vi) != 0 || strchr(en, '!')) {
            printf("# %s: conversions \"%s\" and \"%s\"\n", e->name, en, vi);
            convs = 0;
        }

        for (k = 0; k < nsame; k++) {
            if (strcmp(catalog_same[k], e->name) == 0) {
                break;
            }
        }

        if ((strcmp(e->en, e->vi) == 0) != (k < nsame)) {
            printf("# %s: Vietnamese %s the English\n", e->name,
                   k < nsame ? "differs from, but is listed as," : "is");
            same = 0;
        }
    }

    for (k = 0; k < nsame; k++) {
        e = catalog_find(catalog_same[k], strlen(catalog_same[k]));

        if (e == NULL || e->vi == NULL) {
            printf("# %s: listed as the same in both languages, but not a "
                   "catalog entry with both\n", catalog_same[k]);
            same = 0;
        }
    }

    ok(CATALOG_N > 100, "the catalog has its entries");
    ok(names, "each catalog entry is listed once");
    ok(filled, "every catalog entry is filled in, trimmed, no final period");
    ok(texts, "English is printable ASCII, Vietnamese is UTF-8");
    ok(convs, "both languages take the same conversions in the same order");
    ok(same, "Vietnamese differs from English but in the listed cases");

    /* each _EN and _VI defined in the header is in one of the lists */

    f = fopen("src/core/passport_catalog.h", "r");

    ok(f != NULL, "the catalog header is readable (from the top directory)");

    if (f == NULL) {
        return;
    }

    good = 1;
    listed = 0;

    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "#define NGX_HTTP_PASSPORT_MSG_", 30) != 0) {
            continue;
        }

        p = line + 30;
        q = p + strcspn(p, " \t\\\n");

        if (q - p > 3 && memcmp(q - 3, "_EN", 3) == 0) {
            e = catalog_find(p, q - p - 3);
            bad = (e == NULL);
            listed++;

        } else if (q - p > 3 && memcmp(q - 3, "_VI", 3) == 0) {
            e = catalog_find(p, q - p - 3);
            bad = (e == NULL || e->vi == NULL);

        } else {
            bad = 1;
        }

        if (bad) {
            printf("# not in NGX_HTTP_PASSPORT_CATALOG%s: %.*s\n",
                   memcmp(q - 3, "_VI", 3) == 0 ? "" : "(_EN_ONLY)",
                   (int) (q - p), p);
            good = 0;
        }
    }

    fclose(f);

    ok(good && listed == CATALOG_N,
       "every sentence of the header is in a catalog list");
}


static void
test_say(void)
{
    char  buf[16];
    int   lang;

    lang = NGX_HTTP_PASSPORT_LANG_VI;

    is_int(ngx_http_passport_say(buf, sizeof(buf), lang,
                                 NGX_HTTP_PASSPORT_MSG(TRACE_AI_DATE),
                                 "lot"),
           13, "say: length of what fits");
    is_str(buf, "lot không ph", "say: cut to fit, not in a character");

    ngx_http_passport_say(buf, 4, lang, NGX_HTTP_PASSPORT_MSG(SUMMARY), 2u);
    is_str(buf, "Ph", "say: never half a character");

    ngx_http_passport_say(buf, sizeof(buf), NGX_HTTP_PASSPORT_LANG_EN,
                          NGX_HTTP_PASSPORT_MSG(SUMMARY), 3u);
    is_str(buf, "3 problems were", "say: English");

    is_str(NGX_HTTP_PASSPORT_TEXT(KIND_LEI, lang), "mã LEI",
           "text: Vietnamese");
}


int
main(void)
{
    test_lang();
    test_reasons();
    test_whole_body();
    test_escape();
    test_problem();
    test_rules();
    test_catalog();
    test_say();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
