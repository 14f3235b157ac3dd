
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


int
main(void)
{
    test_lang();
    test_reasons();
    test_escape();
    test_problem();
    test_rules();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
