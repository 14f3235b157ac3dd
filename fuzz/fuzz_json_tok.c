
/*
 * Copyright (C) passport developers
 *
 * Fuzz target "json_tok": the listing body's parser
 * (src/core/passport_json_tok.c) against jansson with the flags extract.c
 * used before it: the same texts accepted, the same values read (types,
 * strings unescaped, numbers, members, elements), member lookups and
 * pointer resolution as over jansson's tree, the value count as
 * ngx_http_passport_json_values() counts, max values honoured.
 */


#include <jansson.h>

#include "passport_json.h"
#include "passport_json_tok.h"
#include "passport_pointer.h"
#include "fuzz.h"


#define FUZZ_FLAGS  (JSON_DECODE_ANY|JSON_REJECT_DUPLICATES|JSON_ALLOW_NUL \
                     |JSON_DECODE_INT_AS_REAL)


/* every block of a parse, freed together, as a pool would */
typedef struct fuzz_block_s  fuzz_block_t;

struct fuzz_block_s {
    fuzz_block_t  *next;
};


static void *
fuzz_alloc(void *data, size_t size)
{
    fuzz_block_t  **list = data, *b;

    b = malloc(sizeof(fuzz_block_t) + size);
    if (b == NULL) {
        return NULL;
    }

    b->next = *list;
    *list = b;

    return b + 1;
}


static void
fuzz_free(fuzz_block_t *b)
{
    fuzz_block_t  *next;

    for ( /* void */ ; b; b = next) {
        next = b->next;
        free(b);
    }
}


static void
fuzz_same(ngx_http_passport_jtok_doc_t *doc, size_t i, json_t *v)
{
    size_t                          n, k, len;
    const unsigned char            *s;
    ngx_http_passport_ref_t         ref;
    ngx_http_passport_jtok_t       *t;

    fuzz_assert(i != NGX_HTTP_PASSPORT_JT_NONE && v != NULL);

    t = &doc->tok[i];

    switch (t->type) {
    case NGX_HTTP_PASSPORT_JT_OBJECT:
        fuzz_assert(json_is_object(v) && json_object_size(v) == t->size);

        for (n = 0, k = i + 1; n < t->size; n++, k = doc->tok[k + 1].next) {
            fuzz_assert(doc->tok[k].type == NGX_HTTP_PASSPORT_JT_STRING
                        && !doc->tok[k].escaped);

            ref.data = doc->tok[k].data;
            ref.len = doc->tok[k].len;

            fuzz_assert(ngx_http_passport_jtok_member(doc, i, ref.data,
                                                      ref.len)
                        == k + 1);
            fuzz_assert(ngx_http_passport_jtok_resolve(doc, i, &ref, 1)
                        == k + 1);

            fuzz_same(doc, k + 1,
                      json_object_getn(v, (const char *) ref.data, ref.len));
        }

        fuzz_assert(k == t->next);
        break;

    case NGX_HTTP_PASSPORT_JT_ARRAY:
        fuzz_assert(json_is_array(v) && json_array_size(v) == t->size);

        for (n = 0, k = i + 1; n < t->size; n++, k = doc->tok[k].next) {
            fuzz_assert(ngx_http_passport_jtok_element(doc, i, n) == k);
            fuzz_same(doc, k, json_array_get(v, n));
        }

        fuzz_assert(k == t->next);
        fuzz_assert(ngx_http_passport_jtok_element(doc, i, n)
                    == NGX_HTTP_PASSPORT_JT_NONE);
        break;

    case NGX_HTTP_PASSPORT_JT_STRING:
        fuzz_assert(json_is_string(v));
        fuzz_assert(ngx_http_passport_jtok_string(doc, i, &s, &len) == 0);
        fuzz_assert(len == json_string_length(v)
                    && memcmp(s, json_string_value(v), len) == 0);
        break;

    case NGX_HTTP_PASSPORT_JT_NUMBER:
        fuzz_assert(json_is_real(v));
        fuzz_assert(ngx_http_passport_jtok_number(doc, i)
                    == json_real_value(v));
        break;

    case NGX_HTTP_PASSPORT_JT_TRUE:
        fuzz_assert(json_is_true(v));
        break;

    case NGX_HTTP_PASSPORT_JT_FALSE:
        fuzz_assert(json_is_false(v));
        break;

    default:
        fuzz_assert(t->type == NGX_HTTP_PASSPORT_JT_NULL && json_is_null(v));
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                            rc;
    json_t                        *root;
    json_error_t                   err;
    fuzz_block_t                  *blocks;
    ngx_http_passport_jtok_doc_t   doc;

    blocks = NULL;
    doc.alloc = fuzz_alloc;
    doc.free = NULL;
    doc.alloc_data = &blocks;

    rc = ngx_http_passport_jtok_parse(&doc, data, size, (size_t) -2);
    root = json_loadb((const char *) data, size, FUZZ_FLAGS, &err);

    if (rc != NGX_HTTP_PASSPORT_JT_OK) {
        fuzz_assert(rc == NGX_HTTP_PASSPORT_JT_INVALID);
        fuzz_assert(doc.error <= size);

        /* jansson skips a NUL byte that follows a number or a literal */
        fuzz_assert(root == NULL || memchr(data, '\0', size) != NULL);
        json_decref(root);
        fuzz_free(blocks);
        return 0;
    }

    fuzz_assert(root != NULL);
    fuzz_same(&doc, 0, root);
    fuzz_assert(doc.tok[0].next == doc.ntok);
    fuzz_assert(ngx_http_passport_jtok_resolve(&doc, 0, NULL, 0) == 0);
    fuzz_assert(doc.values == ngx_http_passport_json_values(data, size,
                                                            doc.values));
    json_decref(root);
    fuzz_free(blocks);

    /* one value fewer allowed: too complex */

    blocks = NULL;
    rc = ngx_http_passport_jtok_parse(&doc, data, size, doc.values - 1);
    fuzz_assert(rc == NGX_HTTP_PASSPORT_JT_TOO_COMPLEX);
    fuzz_free(blocks);

    return 0;
}
