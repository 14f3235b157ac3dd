
/*
 * Copyright (C) passport developers
 *
 * Unit tests for the listing body's tokenizer (passport_json_tok.c):
 * what it accepts and refuses, each time as jansson with the flags
 * extract.c used does; the value limit; the accessors the checks use.
 * Under ASan and UBSan.  TAP output.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "passport_json.h"
#include "passport_json_tok.h"
#include "tap.h"


#define FLAGS  (JSON_DECODE_ANY|JSON_REJECT_DUPLICATES|JSON_ALLOW_NUL \
                |JSON_DECODE_INT_AS_REAL)


/* an arena freed at the end of each test, as the scratch pool is */
static void   *blocks[4096];
static size_t  nblocks;


static void *
alloc(void *data, size_t size)
{
    (void) data;

    if (nblocks == sizeof(blocks) / sizeof(blocks[0])) {
        return NULL;
    }

    blocks[nblocks] = malloc(size);

    return blocks[nblocks++];
}


/* an outgrown token array: ASan sees any use of it after this */
static void
give_back(void *data, void *p)
{
    size_t  i;

    (void) data;

    for (i = 0; i < nblocks; i++) {
        if (blocks[i] == p) {
            free(p);
            blocks[i] = NULL;
            return;
        }
    }

    abort();
}


static void
release(void)
{
    while (nblocks) {
        free(blocks[--nblocks]);
    }
}


static int
parse(ngx_http_passport_jtok_doc_t *doc, const char *s, size_t len,
    size_t max)
{
    release();

    doc->alloc = alloc;
    doc->free = give_back;
    doc->alloc_data = NULL;

    return ngx_http_passport_jtok_parse(doc, (const unsigned char *) s, len,
                                        max);
}


/* accepted or refused as jansson does */
static void
same(const char *s, size_t len, int valid, const char *name)
{
    int                            rc;
    json_t                        *root;
    json_error_t                   err;
    ngx_http_passport_jtok_doc_t   doc;

    rc = parse(&doc, s, len, 1000000);
    root = json_loadb(s, len, FLAGS, &err);

    is_int(rc, valid ? NGX_HTTP_PASSPORT_JT_OK : NGX_HTTP_PASSPORT_JT_INVALID,
           name);
    ok((root != NULL) == valid, "  and jansson agrees");

    json_decref(root);
}


static void
test_accept(void)
{
    size_t       i;
    const char  *s;

    static const char  *valid[] = {
        "{}", "[]", "0", "-0", "-1.5e3", "1E+2", "0.25e-2", "\"x\"",
        "true", "false", "null", " [ ] ", "{\"a\":1}",
        "{\"a\" : \"b\" , \"c\":[1,2,{}]}", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
        "\"\\u00e9\\uD83D\\uDE00\"",
        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
        "\"\\u0000\"", "1e-400",
        "123456789012345678901234567890", "1.7976931348623157e308",
        "{\"a\":1,\"A\":2,\"a \":3}"
    };

    static const char  *invalid[] = {
        "", " ", "{", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{a:1}",
        "{\"a\":1,}", "[1 2]", "01", "-", "-a", "1.", "1.e3", "1e", "1e+",
        ".5", "+1", "0x10", "tru", "truex", "nul", "NaN", "Infinity",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\uD800\"",
        "\"\\uD800x\"", "\"\\uD800\\u0041\"", "\"\\uDC00\"",
        "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
        "\"\x80\"", "\"\xe2\x82\"", "\"\t\"", "\xef\xbb\xbf{}", "[] []",
        "{} x", "1e309", "-1e309", "{\"a\":1,\"a\":2}",
        "{\"a\":1,\"\\u0061\":2}", "{\"k\\u0000\":1}", "'a'", "[1]]"
    };

    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        s = valid[i];
        same(s, strlen(s), 1, s);
    }

    same(" \t\r\n[ 1 ]\n", 9, 1, "the four white space bytes");
    same("\f[]", 3, 0, "no other");

    /* the NUL key: jansson refuses it, so do we */
    same("{\"a\\u0000\":1}", 13, 0, "a name holding \\u0000");

    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        s = invalid[i];
        same(s, strlen(s), 0, s);
    }

    same("[\"a\0\"]", 6, 0, "a raw NUL in a string");
}


static void
test_nul_after_literal(void)
{
    ngx_http_passport_jtok_doc_t  doc;

    /* jansson skips it; we refuse it and say where */

    is_int(parse(&doc, "{\"a\":1\0}", 8, 100), NGX_HTTP_PASSPORT_JT_INVALID,
           "a NUL byte after a number is refused");
    is_int((long) doc.error, 6, "  at its offset");
}


static void
test_depth(void)
{
    size_t  n;
    char   *s;

    s = malloc(2 * 2100 + 2);
    if (s == NULL) {
        abort();
    }

    /* n arrays around a number: the number is at depth n + 1 */

    for (n = 2046; n <= 2049; n++) {
        memset(s, '[', n);
        s[n] = '1';
        memset(s + n + 1, ']', n);
        same(s, 2 * n + 1, n + 1 <= NGX_HTTP_PASSPORT_JT_MAX_DEPTH,
             "depth around a number");

        memset(s, '[', n);
        memset(s + n, ']', n);
        same(s, 2 * n, n <= NGX_HTTP_PASSPORT_JT_MAX_DEPTH,
             "depth of empty arrays");
    }

    free(s);
}


static void
test_limit(void)
{
    size_t                         i, n;
    char                          *big;
    ngx_http_passport_jtok_doc_t   doc;

    is_int(parse(&doc, "[1,2,3]", 7, 4), NGX_HTTP_PASSPORT_JT_OK,
           "4 values of 4 allowed");
    is_int((long) doc.values, 4, "  counted");
    is_int(parse(&doc, "[1,2,3]", 7, 3), NGX_HTTP_PASSPORT_JT_TOO_COMPLEX,
           "4 values of 3 allowed: too complex");
    is_int(parse(&doc, "{\"a\":{\"b\":1}}", 13, 3), NGX_HTTP_PASSPORT_JT_OK,
           "names are no values");

    /* the attack: a megabyte of empty objects, refused early */

    n = 333333;
    big = malloc(n * 3 + 16);
    if (big == NULL) {
        abort();
    }

    strcpy(big, "{\"pad\":[");
    for (i = 0; i < n; i++) {
        memcpy(big + 8 + i * 3, "{},", 3);
    }
    strcpy(big + 8 + n * 3 - 1, "]}");

    is_int(parse(&doc, big, strlen(big), 50000),
           NGX_HTTP_PASSPORT_JT_TOO_COMPLEX,
           "a megabyte of {} is more than 50000 values");
    ok(doc.nalloc <= 2 * 50002, "  with tokens for 50001 only");
    is_int(parse(&doc, big, strlen(big), 1000000), NGX_HTTP_PASSPORT_JT_OK,
           "and parses when allowed");
    is_int((long) doc.values, (long) n + 2, "  333335 values");
    is_int((long) doc.values,
           (long) ngx_http_passport_json_values((unsigned char *) big,
                                                strlen(big), 1000000),
           "  as the counter counts");

    free(big);
}


static void
test_many_names(void)
{
    size_t  i, len;
    char    s[4096];

    /* more than 16 names are hashed: a duplicate is still found */

    len = 0;
    s[len++] = '{';

    for (i = 0; i < 100; i++) {
        len += sprintf(s + len, "\"k%zu\":%zu,", i, i);
    }

    len += sprintf(s + len, "\"\\u006b42\":0}");

    same(s, len, 0, "the 101st name repeats the 43rd, escaped");

    s[len - 5] = 'x';
    same(s, len, 1, "101 distinct names");
}


static void
test_access(void)
{
    size_t                         i, items, v, len;
    const unsigned char           *data;
    ngx_http_passport_ref_t        ref[3];
    ngx_http_passport_jtok_doc_t   doc;

    static const char  listing[] =
        "{\"seller\":\"0100109106\",\"items\":[{\"trace_code\":\"(01)1\","
        "\"origin\":704},{\"trace_code\":\"a\\u00e9\\n\",\"origin\":\"VN\"},"
        "{\"trace_code\":null}],\"a/b\":{\"~\":true}}";

    is_int(parse(&doc, listing, sizeof(listing) - 1, 100),
           NGX_HTTP_PASSPORT_JT_OK, "a listing");

    items = ngx_http_passport_jtok_member(&doc, 0,
                                          (const unsigned char *) "items", 5);
    is_int(doc.tok[items].type, NGX_HTTP_PASSPORT_JT_ARRAY, "items");
    is_int((long) doc.tok[items].size, 3, "  3 of them");

    v = ngx_http_passport_jtok_element(&doc, items, 1);
    v = ngx_http_passport_jtok_member(&doc, v,
                                      (const unsigned char *) "trace_code",
                                      10);
    ok(doc.tok[v].escaped, "an escaped string is kept as sent");
    ok(ngx_http_passport_jtok_string(&doc, v, &data, &len) == 0
       && len == 4 && memcmp(data, "a\xc3\xa9\n", 4) == 0,
       "  and unescaped when asked");
    ok(!doc.tok[v].escaped, "  once");

    v = ngx_http_passport_jtok_element(&doc, items, 0);
    v = ngx_http_passport_jtok_member(&doc, v,
                                      (const unsigned char *) "origin", 6);
    ok(ngx_http_passport_jtok_number(&doc, v) == 704.0, "a number");

    is_int((long) ngx_http_passport_jtok_element(&doc, items, 3),
           (long) NGX_HTTP_PASSPORT_JT_NONE, "no element 3");
    is_int((long) ngx_http_passport_jtok_member(&doc, items,
                                                (const unsigned char *) "x",
                                                1),
           (long) NGX_HTTP_PASSPORT_JT_NONE, "an array has no members");

    /* pointers: /items/2/trace_code, /a~1b/~0 */

    ref[0].data = (const unsigned char *) "items";
    ref[0].len = 5;
    ref[1].data = (const unsigned char *) "2";
    ref[1].len = 1;
    ref[2].data = (const unsigned char *) "trace_code";
    ref[2].len = 10;

    v = ngx_http_passport_jtok_resolve(&doc, 0, ref, 3);
    is_int(doc.tok[v].type, NGX_HTTP_PASSPORT_JT_NULL, "/items/2/trace_code");

    ref[1].data = (const unsigned char *) "02";
    ref[1].len = 2;
    is_int((long) ngx_http_passport_jtok_resolve(&doc, 0, ref, 3),
           (long) NGX_HTTP_PASSPORT_JT_NONE, "no leading zero in an index");

    ref[0].data = (const unsigned char *) "a/b";
    ref[0].len = 3;
    ref[1].data = (const unsigned char *) "~";
    ref[1].len = 1;
    v = ngx_http_passport_jtok_resolve(&doc, 0, ref, 2);
    is_int(doc.tok[v].type, NGX_HTTP_PASSPORT_JT_TRUE, "/a~1b/~0");

    is_int((long) ngx_http_passport_jtok_resolve(&doc, v, ref, 1),
           (long) NGX_HTTP_PASSPORT_JT_NONE, "nothing under a literal");

    /* the siblings chain covers the whole document */

    for (i = 0, v = items + 1; i < doc.tok[items].size; i++) {
        v = doc.tok[v].next;
    }

    is_int((long) v, (long) doc.tok[items].next, "siblings end the array");
    is_int((long) doc.tok[0].next, (long) doc.ntok, "the root spans all");

    release();
}


int
main(void)
{
    test_accept();
    test_nul_after_literal();
    test_depth();
    test_limit();
    test_many_names();
    test_access();

    release();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
