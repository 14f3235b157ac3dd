
/*
 * Copyright (C) passport developers
 *
 * Fuzz target: a request body as the module checks it, with what
 * src/core offers: the body's tokenizer (passport_json_tok), the JSON
 * Pointers of examples/passport.conf resolved over its tokens, each seller
 * and trace code through its parser and local rules, the verdict
 * (passport_decide) in every mode, and the problem document, whose size
 * must be exact and whose text must be JSON.
 *
 * An input that starts with "/" gives one more pointer on its first
 * line, resolved against the body and every item; its bytes are also
 * read as an Accept-Language value.
 */


#include "fuzz.h"

#include <jansson.h>

#include "passport_decide.h"
#include "passport_ids.h"
#include "passport_json_tok.h"
#include "passport_pointer.h"
#include "passport_verdict.h"


#define FUZZ_ITEMS   64
#define FUZZ_ERRORS  (2 * FUZZ_ITEMS + 4)
#define FUZZ_TOKENS  16


typedef struct {
    size_t                   ntokens;
    ngx_http_passport_ref_t  tokens[FUZZ_TOKENS];
    unsigned char            buf[256];
} fuzz_pointer_t;


typedef struct {
    const char  *seller;        /* the listing's seller, or NULL */
    const char  *items;
    const char  *code;
    const char  *item_seller;   /* each item's seller, or NULL */
    const char  *origin;
} fuzz_shape_t;


/* the two locations of examples/passport.conf */
static const fuzz_shape_t  shapes[] = {
    { "/seller_id", "/items", "/trace_code", NULL, "/origin_country" },
    { NULL, "/lines", "/product/trace_code", "/seller_id",
      "/product/origin" },
};


typedef struct {
    int                        lang;
    size_t                     n;
    ngx_http_passport_error_t  errors[FUZZ_ERRORS];
    char                       ptrs[FUZZ_ERRORS][64];
    const unsigned char       *seller;
    size_t                     seller_len;
    const char                *seller_kind;
    const char                *seller_verdict;
} fuzz_check_t;


static int
fuzz_pointer(const char *text, size_t len, fuzz_pointer_t *p)
{
    p->ntokens = ngx_http_passport_pointer_ntokens(
                                         (const unsigned char *) text, len);

    if (p->ntokens > FUZZ_TOKENS || len > sizeof(p->buf)) {
        return -1;
    }

    return ngx_http_passport_pointer_parse((const unsigned char *) text, len,
                                           p->tokens, p->buf);
}


/* the body's tokens, as extract.c reads them; strings from malloc() */
static ngx_http_passport_jtok_doc_t   fuzz_doc;
static void                          *fuzz_blocks[4096];
static size_t                         fuzz_nblocks;

#define JT_NONE  NGX_HTTP_PASSPORT_JT_NONE


static void *
fuzz_alloc(void *data, size_t size)
{
    (void) data;

    if (fuzz_nblocks == sizeof(fuzz_blocks) / sizeof(fuzz_blocks[0])) {
        return NULL;
    }

    fuzz_blocks[fuzz_nblocks] = malloc(size);

    return fuzz_blocks[fuzz_nblocks++];
}


static size_t
fuzz_get(size_t v, const char *text)
{
    fuzz_pointer_t  p;

    if (fuzz_pointer(text, strlen(text), &p) != NGX_HTTP_PASSPORT_POINTER_OK)
    {
        abort();    /* the example pointers are valid */
    }

    return ngx_http_passport_jtok_resolve(&fuzz_doc, v, p.tokens, p.ntokens);
}


static int
fuzz_is(size_t v, unsigned type)
{
    return v != JT_NONE && fuzz_doc.tok[v].type == type;
}


/* the string v unescaped, as extract.c asks for it */
static void
fuzz_string(size_t v, const unsigned char **s, size_t *len)
{
    fuzz_assert(ngx_http_passport_jtok_string(&fuzz_doc, v, s, len) == 0);
}


static ngx_http_passport_error_t *
fuzz_error(fuzz_check_t *ck, int reason, const char *fmt, size_t i,
    const char *ptr)
{
    ngx_http_passport_error_t  *e;

    if (ck->n == FUZZ_ERRORS) {
        return NULL;
    }

    e = &ck->errors[ck->n];
    memset(e, 0, sizeof(*e));
    e->reason = reason;

    snprintf(ck->ptrs[ck->n], sizeof(ck->ptrs[0]), fmt, i, ptr);
    e->pointer = (const unsigned char *) ck->ptrs[ck->n];
    e->pointer_len = strlen(ck->ptrs[ck->n]);
    ck->n++;

    return e;
}


static void
fuzz_seller(fuzz_check_t *ck, size_t v, const char *fmt, size_t i,
    const char *ptr)
{
    size_t                       len;
    const unsigned char         *s;
    ngx_http_passport_error_t   *e;
    ngx_http_passport_seller_t   sl;

    if (!fuzz_is(v, NGX_HTTP_PASSPORT_JT_STRING)) {
        (void) fuzz_error(ck, NGX_HTTP_PASSPORT_SELLER_MISSING, fmt, i, ptr);

        /* as extract_seller.c shows a missing seller */
        if (ck->seller_kind == NULL) {
            ck->seller_kind = "unknown";
            ck->seller_verdict = "missing";
        }

        return;
    }

    fuzz_string(v, &s, &len);
    (void) ngx_http_passport_seller_parse(s, len, &sl);

    if (ck->seller == NULL) {
        ck->seller = s;
        ck->seller_len = len;
        ck->seller_kind = ngx_http_passport_seller_kind_name(sl.kind);
        ck->seller_verdict = sl.err ? "invalid" : "valid";
    }

    if (sl.err == NGX_HTTP_PASSPORT_ID_OK) {
        return;
    }

    e = fuzz_error(ck, NGX_HTTP_PASSPORT_SELLER_ID_INVALID, fmt, i, ptr);
    if (e != NULL) {
        ngx_http_passport_seller_rules(&sl, ck->lang, e);
        e->value = s;
        e->value_len = len;
    }
}


/* as extract_code.c reads a claimed origin */

static int
fuzz_origin(size_t v)
{
    char                  buf[4];
    size_t                len;
    double                d;
    const unsigned char  *s;

    if (fuzz_is(v, NGX_HTTP_PASSPORT_JT_STRING)) {
        fuzz_string(v, &s, &len);
        return ngx_http_passport_country(s, len);
    }

    if (fuzz_is(v, NGX_HTTP_PASSPORT_JT_NUMBER)) {
        d = ngx_http_passport_jtok_number(&fuzz_doc, v);

        if (d >= 1 && d <= 999 && d == (int) d) {
            snprintf(buf, sizeof(buf), "%03d", (int) d);
            return ngx_http_passport_country((const unsigned char *) buf, 3);
        }
    }

    return -1;
}


static void
fuzz_item(fuzz_check_t *ck, const fuzz_shape_t *sh, size_t item, size_t i)
{
    size_t                      v, len;
    const unsigned char        *s;
    ngx_http_passport_code_t    code;
    ngx_http_passport_error_t   err, *e;

    if (sh->item_seller) {
        fuzz_seller(ck, fuzz_get(item, sh->item_seller), "/items/%zu%s", i,
                    sh->item_seller);
    }

    v = fuzz_get(item, sh->code);

    if (!fuzz_is(v, NGX_HTTP_PASSPORT_JT_STRING)) {
        (void) fuzz_error(ck, NGX_HTTP_PASSPORT_CODE_MISSING, "/items/%zu%s",
                          i, sh->code);
        return;
    }

    fuzz_string(v, &s, &len);
    (void) ngx_http_passport_code_parse(s, len, FUZZ_TODAY, &code);

    memset(&err, 0, sizeof(err));

    if (ngx_http_passport_code_rules(&code, fuzz_origin(
                                         fuzz_get(item, sh->origin)),
                                     FUZZ_TODAY, ck->lang, &err))
    {
        e = fuzz_error(ck, err.reason, "/items/%zu%s", i, sh->code);
        if (e != NULL) {
            memcpy(e->detail, err.detail, sizeof(e->detail));
            e->value = s;
            e->value_len = len;
        }
    }
}


static void
fuzz_extra(const uint8_t *text, size_t len)
{
    size_t          i, items, item;
    fuzz_pointer_t  p;

    (void) ngx_http_passport_lang(text, len);

    if (fuzz_pointer((const char *) text, len, &p)
        != NGX_HTTP_PASSPORT_POINTER_OK)
    {
        return;
    }

    (void) ngx_http_passport_jtok_resolve(&fuzz_doc, 0, p.tokens, p.ntokens);

    items = fuzz_get(0, "/items");

    if (!fuzz_is(items, NGX_HTTP_PASSPORT_JT_ARRAY)) {
        return;
    }

    for (i = 0, item = items + 1; i < fuzz_doc.tok[items].size; i++) {
        (void) ngx_http_passport_jtok_resolve(&fuzz_doc, item, p.tokens,
                                              p.ntokens);
        item = fuzz_doc.tok[item].next;
    }
}


/* the ranking: body problems first, the unsettled last */

static void
fuzz_decide(fuzz_check_t *ck)
{
    int                         mode, on_error, verdict, rank, last;
    size_t                      i;
    ngx_http_passport_error_t   errors[FUZZ_ERRORS];

    for (mode = 0; mode < 3; mode++) {
        for (on_error = 0; on_error < 3; on_error++) {
            memcpy(errors, ck->errors, ck->n * sizeof(errors[0]));

            verdict = ngx_http_passport_decide(errors, ck->n, mode,
                                               on_error);
            fuzz_assert(verdict >= NGX_HTTP_PASSPORT_VERDICT_PASS
                        && verdict <= NGX_HTTP_PASSPORT_VERDICT_BLOCK);
            fuzz_assert(ck->n > 0
                        || verdict == NGX_HTTP_PASSPORT_VERDICT_PASS);

            for (last = 0, i = 0; i < ck->n; i++) {
                rank = ngx_http_passport_reason_is_body(errors[i].reason)
                       ? 0
                       : (errors[i].reason
                          == NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE) ? 2 : 1;
                fuzz_assert(rank >= last);
                last = rank;
            }
        }
    }

    /* in place, as handler.c does: the first problem decides the status */
    if (ck->n) {
        (void) ngx_http_passport_decide(ck->errors, ck->n,
                                        NGX_HTTP_PASSPORT_MODE_ENFORCE,
                                        NGX_HTTP_PASSPORT_ON_ERROR_BLOCK);
    }
}


static void
fuzz_problem(fuzz_check_t *ck)
{
    size_t                        size;
    json_t                       *doc;
    json_error_t                  jerr;
    unsigned char                *buf, *end;
    ngx_http_passport_problem_t   pr;

    if (ck->n == 0) {
        return;
    }

    memset(&pr, 0, sizeof(pr));
    pr.status = ngx_http_passport_reason_status(ck->errors[0].reason, 403);
    pr.lang = ck->lang;
    pr.type_base = (const unsigned char *) "https://example.com/problems/";
    pr.type_base_len = sizeof("https://example.com/problems/") - 1;
    pr.instance = (const unsigned char *) "req-1";
    pr.instance_len = 5;
    pr.seller = ck->seller;
    pr.seller_len = ck->seller_len;
    pr.seller_kind = ck->seller_kind;
    pr.seller_verdict = ck->seller_verdict;
    pr.errors = ck->errors;
    pr.nerrors = ck->n;

    size = ngx_http_passport_problem_size(&pr);
    buf = malloc(size);
    fuzz_assert(buf != NULL);

    end = ngx_http_passport_problem_write(buf, &pr);
    fuzz_assert((size_t) (end - buf) == size);

    doc = json_loadb((const char *) buf, size, JSON_ALLOW_NUL, &jerr);
    if (doc == NULL) {
        fprintf(stderr, "problem document is not JSON: %s\n%.*s\n",
                jerr.text, (int) size, buf);
        abort();
    }

    json_decref(doc);
    free(buf);
}


static void
fuzz_done(void)
{
    while (fuzz_nblocks) {
        free(fuzz_blocks[--fuzz_nblocks]);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                  rc;
    size_t               i, k, n, items, item;
    fuzz_check_t         ck;
    const uint8_t       *nl;
    const fuzz_shape_t  *sh;

    memset(&ck, 0, sizeof(ck));
    ck.lang = size & 1;

    n = 0;
    if (size && data[0] == '/') {
        nl = memchr(data, '\n', size);
        n = nl ? (size_t) (nl - data) + 1 : size;
    }

    fuzz_doc.alloc = fuzz_alloc;
    fuzz_doc.free = NULL;
    fuzz_doc.alloc_data = NULL;

    rc = ngx_http_passport_jtok_parse(&fuzz_doc, data + n, size - n,
                                      (size_t) -2);

    if (rc != NGX_HTTP_PASSPORT_JT_OK) {
        fuzz_assert(rc == NGX_HTTP_PASSPORT_JT_INVALID);
        fuzz_done();
        (void) fuzz_error(&ck, NGX_HTTP_PASSPORT_BODY_MALFORMED, "%.0zu%s",
                          0, "");
        fuzz_decide(&ck);
        fuzz_problem(&ck);
        return 0;
    }

    if (n) {
        fuzz_extra(data, n - (data[n - 1] == '\n'));
    }

    for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
        sh = &shapes[k];
        ck.n = 0;
        ck.seller = NULL;
        ck.seller_kind = NULL;
        ck.seller_verdict = NULL;

        if (sh->seller) {
            fuzz_seller(&ck, fuzz_get(0, sh->seller), "%.0zu%s", 0,
                        sh->seller);
        }

        items = fuzz_get(0, sh->items);

        if (!fuzz_is(items, NGX_HTTP_PASSPORT_JT_ARRAY)) {
            (void) fuzz_error(&ck, NGX_HTTP_PASSPORT_BODY_MALFORMED,
                              "%.0zu%s", 0, sh->items);
        }

        for (i = 0, item = items + 1;
             fuzz_is(items, NGX_HTTP_PASSPORT_JT_ARRAY)
             && i < fuzz_doc.tok[items].size && i < FUZZ_ITEMS;
             i++, item = fuzz_doc.tok[item].next)
        {
            fuzz_item(&ck, sh, item, i);
        }

        /* one the registry could not settle, as lookup.c adds them */
        if (size % 3 == 0) {
            (void) fuzz_error(&ck, NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE,
                              "%.0zu%s", 0, "/seller_id");
        }

        fuzz_decide(&ck);
        fuzz_problem(&ck);
    }

    fuzz_done();

    return 0;
}
