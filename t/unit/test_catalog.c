
/*
 * Copyright (C) passport developers
 *
 * Unit tests for what a seller reads: a Vietnamese sentence has no English
 * word left in it (a registry status, a word of a cause), and a registry
 * that failed is explained without its cause.  TAP output.
 */


#include <stdio.h>
#include <string.h>

#include "passport_verdict.h"
#include "passport_record.h"
#include "tap.h"


#define VI  NGX_HTTP_PASSPORT_LANG_VI
#define EN  NGX_HTTP_PASSPORT_LANG_EN


typedef struct {
    const char  *name;
    const char  *en;
    const char  *vi;
} entry_t;


#define BOTH(name)  { #name, NGX_HTTP_PASSPORT_MSG(name) },
#define EN_ONLY(name)  { #name, NGX_HTTP_PASSPORT_MSG_ ## name ## _EN, NULL },

static const entry_t  both[] = {
    NGX_HTTP_PASSPORT_CATALOG(BOTH)
};

static const entry_t  en_only[] = {
    NGX_HTTP_PASSPORT_CATALOG_EN_ONLY(EN_ONLY)
};


/*
 * English words that must not be in a Vietnamese sentence: the statuses a
 * registry sends, and the words of the causes and of the English
 * sentences.  Names (GS1, GTIN, JSON, URI, ISO, LEI, AI, Digital Link)
 * and JSON literals are allowed.
 */

static const char *const  english[] = {
    "active", "suspended", "dissolved", "inactive", "closed", "terminated",
    "bankrupt", "blocked", "pending", "expired", "lapsed", "retired",
    "withdrawn", "recalled", "revoked", "on_hold",
    "the", "is", "not", "of", "and", "or", "see", "errors", "registry",
    "seller", "code", "record", "expected", "found", "must", "invalid",
    "unknown", "items", "listing", "problems", "response", "status",
    "connection", "refused", "timeout", "timed", "failed", "error",
    "could", "answer", "again", "seconds", "lot", "serial", "expiry",
    "barcode", "number", "date", "duplicate", "key", "depth", "syntax",
    "port", "host", "resolve", "unexpected"
};


/* the first English word of s, as a whole word, or NULL */

static const char *
english_word(const char *s, char *word, size_t size)
{
    size_t       i, n;
    const char  *p, *start;

    p = s;

    while (*p) {

        while (*p && !(((unsigned char) *p >= 0x80)
                       || (*p >= 'a' && *p <= 'z')
                       || (*p >= 'A' && *p <= 'Z') || *p == '_'))
        {
            p++;
        }

        start = p;

        while (((unsigned char) *p >= 0x80) || (*p >= 'a' && *p <= 'z')
               || (*p >= 'A' && *p <= 'Z') || *p == '_')
        {
            p++;
        }

        n = (size_t) (p - start);

        if (n == 0 || n >= size) {
            continue;
        }

        for (i = 0; i < n; i++) {
            word[i] = (char) ((start[i] >= 'A' && start[i] <= 'Z')
                              ? start[i] - 'A' + 'a' : start[i]);
        }

        word[n] = '\0';

        for (i = 0; i < sizeof(english) / sizeof(english[0]); i++) {
            if (strcmp(word, english[i]) == 0) {
                return word;
            }
        }
    }

    return NULL;
}


static void
test_vietnamese(void)
{
    int          good;
    char         word[64];
    size_t       i;
    const char  *w;

    good = 1;

    for (i = 0; i < sizeof(both) / sizeof(both[0]); i++) {
        w = english_word(both[i].vi, word, sizeof(word));

        if (w) {
            printf("# %s: English \"%s\" in \"%s\"\n", both[i].name, w,
                   both[i].vi);
            good = 0;
        }
    }

    ok(good, "no Vietnamese sentence of the catalog has an English word");

    /* the check itself finds one */

    ok(english_word("người bán đang ở trạng thái suspended", word,
                    sizeof(word)) != NULL,
       "an English status in a Vietnamese sentence is found");
}


static void
test_statuses(void)
{
    int          good;
    char         word[64];
    size_t       i;
    const char  *vi, *en;
    static const char *const  statuses[] = {
        "suspended", "dissolved", "inactive", "closed", "terminated",
        "bankrupt", "blocked", "pending", "expired", "lapsed", "retired",
        "withdrawn", "recalled", "revoked", "on_hold", "zzz"
    };

    good = 1;

    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        vi = ngx_http_passport_status_text(statuses[i], VI);
        en = ngx_http_passport_status_text(statuses[i], EN);

        if (vi == NULL || en == NULL || vi[0] == '\0'
            || english_word(vi, word, sizeof(word))
            || strstr(vi, statuses[i]))
        {
            printf("# status %s: \"%s\"\n", statuses[i], vi ? vi : "(null)");
            good = 0;
        }
    }

    ok(good, "every registry status reads as Vietnamese, known or not");

    is_str(ngx_http_passport_status_text("suspended", EN), "suspended",
           "a known status in English");
    is_str(ngx_http_passport_status_text("on_hold", EN), "on_hold",
           "any other status in English is shown as sent");
    is_str(ngx_http_passport_status_text("suspended", VI),
           "tạm ngừng hoạt động", "suspended in Vietnamese");
    is_str(ngx_http_passport_status_text("on_hold", VI), "không hoạt động",
           "any other status in Vietnamese");
}


/* the causes of a failed lookup: a seller never reads them */

static void
test_registry(void)
{
    int                        lang, answer;
    char                       word[64], name[512];
    size_t                     i, k;
    ngx_http_passport_error_t  err;
    static const struct {
        const char  *cause;
        int          answer;
    } causes[] = {
        { "Failed to connect to 127.0.0.1 port 1: Connection refused", 0 },
        { "Operation timed out after 500 milliseconds with 0 bytes "
          "received", 0 },
        { "Could not resolve host: registry.internal", 0 },
        { "Received HTTP/0.9 when not allowed", 0 },
        { NGX_HTTP_PASSPORT_MSG_CAUSE_CLIENT_DOWN_EN, 0 },
        { NGX_HTTP_PASSPORT_MSG_CAUSE_BREAKER_OPEN_EN, 0 },
        { NGX_HTTP_PASSPORT_MSG_CAUSE_NO_CONNECTION_EN, 0 },
        { "unexpected HTTP status 500", 1 },
        { "response is not JSON: '[' or '{' expected near '<'", 1 },
        { "record is for \"0100233488\", not the asked \"0100109106\"", 1 },
        { "record has no \"status\" string", 1 },
        { "record has an unknown \"origin\" \"XX\"", 1 },
        { NGX_HTTP_PASSPORT_MSG_CAUSE_BODY_TOO_LARGE_EN, 1 },
    };
    static const char *const  never[] = {
        "127.0.0.1", "port", "refused", "milliseconds", "resolve",
        "registry.internal", "HTTP/0.9", "500", "record is for",
        "0100233488", "\"status\"", "XX", "65536", "JSON:", "breaker",
        "worker_connections", "client"
    };

    for (i = 0; i < sizeof(causes) / sizeof(causes[0]); i++) {
        answer = ngx_http_passport_cause_is_answer(causes[i].cause);
        snprintf(name, sizeof(name), "cause \"%.60s\": %s", causes[i].cause,
                 causes[i].answer ? "an unusable answer" : "not reached");
        is_int(answer, causes[i].answer, name);

        for (lang = 0; lang < 2; lang++) {
            memset(&err, 0, sizeof(err));
            ngx_http_passport_registry_rules(&err, lang, (int) (i & 1),
                                             causes[i].cause, 7);

            for (k = 0; k < sizeof(never) / sizeof(never[0]); k++) {
                if (strstr(err.detail, never[k])) {
                    break;
                }
            }

            snprintf(name, sizeof(name), "%s detail for \"%.40s\" hides "
                     "the cause: %s", lang == VI ? "VI" : "EN",
                     causes[i].cause, err.detail);
            ok(k == sizeof(never) / sizeof(never[0])
               && err.cause == causes[i].cause
               && err.reason == NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE
               && strstr(err.detail, "7") != NULL
               && (lang == EN || !english_word(err.detail, word,
                                               sizeof(word))),
               name);
        }
    }

    memset(&err, 0, sizeof(err));
    ngx_http_passport_registry_rules(&err, EN, 1, causes[0].cause, 30);
    is_str(err.detail, "the traceability registry could not be reached to "
           "confirm this seller; send the listing again in 30 seconds",
           "registry not reached, English");

    ngx_http_passport_registry_rules(&err, VI, 0, causes[7].cause, 0);
    is_str(err.detail, "cơ sở dữ liệu truy xuất nguồn gốc trả lời không "
           "dùng được để xác nhận mã này; hãy gửi lại tin đăng sau 1 giây",
           "registry answer unusable, Vietnamese, at least 1 second");
}


/* the English-only entries are operators' and regulators' words */

static void
test_en_only(void)
{
    int     good;
    size_t  i;

    good = 1;

    for (i = 0; i < sizeof(en_only) / sizeof(en_only[0]); i++) {
        if (strncmp(en_only[i].name, "CAUSE_", 6) != 0
            && strncmp(en_only[i].name, "PURGE_", 6) != 0
            && strncmp(en_only[i].name, "QUERY_", 6) != 0
            && strncmp(en_only[i].name, "NOTE_", 5) != 0
            && strncmp(en_only[i].name, "RECEIVE_", 8) != 0)
        {
            printf("# %s: English only, but not for an operator, a "
                   "regulator or the log\n", en_only[i].name);
            good = 0;
        }
    }

    ok(good, "English-only entries are causes, purge, query, notes and "
       "the receiver's answers");
}


/* whether s is whole UTF-8 characters */

static int
utf8_whole(const char *s)
{
    size_t                i, n;
    const unsigned char  *p;

    for (p = (const unsigned char *) s; *p; p += n) {
        n = (*p < 0x80) ? 1 : ((*p & 0xe0) == 0xc0) ? 2
            : ((*p & 0xf0) == 0xe0) ? 3 : ((*p & 0xf8) == 0xf0) ? 4 : 0;

        if (n == 0) {
            return 0;
        }

        for (i = 1; i < n; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                return 0;
            }
        }
    }

    return 1;
}


/* appending to a detail never cuts a character */

static void
test_append(void)
{
    ngx_http_passport_error_t  err;

    memset(&err, 0, sizeof(err));
    ngx_http_passport_error_detail(&err, VI,
                                   NGX_HTTP_PASSPORT_MSG(TRACE_SHAPE));
    ngx_http_passport_error_append(&err, VI, ", ",
                                   NGX_HTTP_PASSPORT_MSG(TRACE_PATTERN),
                                   9, "VN-[0-9]+");
    ok(strstr(err.detail, "GS1 Digital Link, hoặc mã có dạng VN-[0-9]+")
       != NULL, "a pattern is appended to the accepted forms");

    memset(&err, 0, sizeof(err));
    memset(err.detail, 'a', sizeof(err.detail) - 10);
    ngx_http_passport_error_append(&err, VI, ", ",
                                   NGX_HTTP_PASSPORT_MSG(TRACE_PATTERN),
                                   5, "xxxxx");
    ok(strlen(err.detail) == sizeof(err.detail) - 1
       && utf8_whole(err.detail),
       "a full detail is cut, not in a character");
}


int
main(void)
{
    test_vietnamese();
    test_statuses();
    test_registry();
    test_en_only();
    test_append();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
