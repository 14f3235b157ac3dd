
/*
 * Copyright (C) passport developers
 *
 * Unit tests for JSON Pointers (RFC 6901): parsing and resolving.  TAP
 * output.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passport_pointer.h"
#include "tap.h"


#define MAX  8


typedef struct {
    size_t                   ntokens;
    ngx_http_passport_ref_t  tokens[MAX];
    unsigned char            buf[256];
} pointer_t;


static int
parse(const char *text, pointer_t *ptr)
{
    size_t  len;

    len = strlen(text);
    ptr->ntokens = ngx_http_passport_pointer_ntokens(
                                          (const unsigned char *) text, len);

    if (ptr->ntokens > MAX || len > sizeof(ptr->buf)) {
        abort();
    }

    return ngx_http_passport_pointer_parse((const unsigned char *) text,
                                           len, ptr->tokens, ptr->buf);
}


/* the tokens as "[a][b]" */

static const char *
tokens(const char *text)
{
    size_t        i;
    pointer_t     ptr;
    static char   out[256];

    if (parse(text, &ptr) != NGX_HTTP_PASSPORT_POINTER_OK) {
        return "error";
    }

    out[0] = '\0';

    for (i = 0; i < ptr.ntokens; i++) {
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "[%.*s]",
                 (int) ptr.tokens[i].len, (const char *) ptr.tokens[i].data);
    }

    return out;
}


static void
test_parse(void)
{
    pointer_t  ptr;

    is_str(tokens(""), "", "\"\" is the whole document");
    is_str(tokens("/"), "[]", "\"/\" is the empty key");
    is_str(tokens("/items/0/trace_code"), "[items][0][trace_code]",
           "tokens are split at \"/\"");
    is_str(tokens("/a~1b/c~0d"), "[a/b][c~d]", "~1 and ~0 are unescaped");
    is_str(tokens("/~01"), "[~1]", "~01 is \"~1\", not \"/\"");
    is_str(tokens("/a//b/"), "[a][][b][]", "empty tokens are kept");
    is_str(tokens("/ é x"), "[ é x]", "anything else is as written");

    is_int(parse("trace_code", &ptr), NGX_HTTP_PASSPORT_POINTER_NO_SLASH,
           "a pointer starts with \"/\"");
    is_int(parse("/a~2b", &ptr), NGX_HTTP_PASSPORT_POINTER_ESCAPE,
           "~2 is no escape");
    is_int(parse("/items~", &ptr), NGX_HTTP_PASSPORT_POINTER_ESCAPE,
           "a pointer cannot end in ~");
    is_int(parse("/~/x", &ptr), NGX_HTTP_PASSPORT_POINTER_ESCAPE,
           "~ before / is no escape");
}


/* what the pointer finds in the document, as JSON, or "none" */

static const char *
resolve(json_t *doc, const char *text)
{
    char         *s;
    json_t       *v;
    pointer_t     ptr;
    static char   out[256];

    if (parse(text, &ptr) != NGX_HTTP_PASSPORT_POINTER_OK) {
        return "error";
    }

    v = ngx_http_passport_pointer_resolve(doc, ptr.tokens, ptr.ntokens);
    if (v == NULL) {
        return "none";
    }

    s = json_dumps(v, JSON_ENCODE_ANY|JSON_COMPACT);
    if (s == NULL) {
        abort();
    }

    snprintf(out, sizeof(out), "%s", s);
    free(s);

    return out;
}


static void
test_resolve(void)
{
    json_t        *doc;
    json_error_t   err;

    doc = json_loads("{\"items\": [{\"code\": \"A\"}, {\"code\": \"B\"}],"
                     " \"a/b\": 1, \"c~d\": 2, \"\": 3, \"n\": null,"
                     " \"s\": \"text\", \"10\": {\"x\": 4}}", 0, &err);
    if (doc == NULL) {
        abort();
    }

    is_str(resolve(doc, "/items/1/code"), "\"B\"", "object key, index, key");
    is_str(resolve(doc, "/items/0"), "{\"code\":\"A\"}", "an element");
    is_str(resolve(doc, "/a~1b"), "1", "a key with \"/\"");
    is_str(resolve(doc, "/c~0d"), "2", "a key with \"~\"");
    is_str(resolve(doc, "/"), "3", "the empty key");
    is_str(resolve(doc, "/n"), "null", "a null is found");
    is_str(resolve(doc, "/10/x"), "4", "digits name a key in an object");

    is_str(resolve(doc, "/items/2"), "none", "past the end of an array");
    is_str(resolve(doc, "/items/-"), "none", "\"-\" is never there");
    is_str(resolve(doc, "/items/01"), "none", "no leading zero");
    is_str(resolve(doc, "/items/+1"), "none", "no sign");
    is_str(resolve(doc, "/items/"), "none", "an empty index");
    is_str(resolve(doc, "/items/1234567890"), "none",
           "an index of ten digits");
    is_str(resolve(doc, "/s/0"), "none", "a string has no elements");
    is_str(resolve(doc, "/n/x"), "none", "null has no members");
    is_str(resolve(doc, "/missing/x"), "none", "nothing under a missing key");

    json_decref(doc);

    doc = json_loads("[[\"x\", \"y\"]]", 0, &err);
    if (doc == NULL) {
        abort();
    }

    is_str(resolve(doc, ""), "[[\"x\",\"y\"]]", "\"\" is the root");
    is_str(resolve(doc, "/0/1"), "\"y\"", "an array at the root");

    json_decref(doc);
}


int
main(void)
{
    test_parse();
    test_resolve();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
