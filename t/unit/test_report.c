
/*
 * Copyright (C) passport developers
 *
 * Unit tests for regulator report records: serialisation, hash chain,
 * signatures, line verification and the chain state at the end of a log.
 * TAP output.  Test logs for passport-verify come from report_gen.c.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "passport_report.h"
#include "tap.h"


#define REPORT(x)  NGX_HTTP_PASSPORT_REPORT_ ## x
#define U(s)       (const unsigned char *) (s), sizeof(s) - 1

#define ZERO64  "00000000000000000000000000000000"  \
                "00000000000000000000000000000000"

/* sha256sum of the canonical serialisations, computed outside */
#define HASH_A  "cde753c3d0a75a3273fe530f53628e63"  \
                "cd712910119066a82d4705f7bbbdcd93"
#define HASH_B  "ed84451dc286d6dbe292901585693080"  \
                "557148c926acaf89c9b4126949ee09b7"
#define HASH_C  "405247601990482c122501c3e92e0409"  \
                "f3623eab5f10d21827c281d6f4c06f11"

/* RFC 8032 test 1 key; openssl pkeyutl -sign -rawin over HASH_A's bytes */
#define SIG_A   "wKfQ1HRDLjSHk0Ss7mybRPjrBhjbsTaYoxCALR3y8ybU8fdXh5BNlL8Z6ORZ" \
                "iEcFGbKvLDcwrFVbTOW03FTHBw=="

#define LINE_A                                                               \
    "{\"seq\":1,\"time\":\"2026-11-25T22:14:03.123Z\",\"node\":\"hn-1\","    \
    "\"type\":\"verdict\",\"request_id\":\"7f3a9c0e\",\"verdict\":\"block\"," \
    "\"mode\":\"enforce\",\"seller\":\"0100109106\",\"reasons\":"            \
    "[\"CODE_INVALID\",\"CODE_RECALLED\"],\"items\":[{\"pointer\":"          \
    "\"/items/0/code\",\"code\":\"(01)09506000134352(21)SN1\",\"reasons\":"  \
    "[\"CODE_INVALID\"]},{\"pointer\":\"/items/2/code\",\"code\":"           \
    "\"09506000134352\",\"reasons\":[\"CODE_RECALLED\"]}],\"method\":"       \
    "\"POST\",\"uri\":\"/api/listings\",\"prev\":\"" ZERO64 "\",\"hash\":\"" \
    HASH_A "\"}\n"

#define LINE_B                                                               \
    "{\"seq\":2,\"time\":\"2026-11-25T22:14:04.000Z\",\"node\":\"hn-1\","    \
    "\"type\":\"verdict\",\"request_id\":\"req-2\",\"verdict\":\"flag\","    \
    "\"mode\":\"monitor\",\"seller\":null,\"reasons\":[\"SELLER_MISSING\","  \
    "\"CODE_INVALID\"],\"items\":[{\"pointer\":\"/items/0/code\",\"code\":"  \
    "\"Ph\xe1\xbb\x9f \\\"b\xc3\xb2\\\" \\\\ \\u0001\\n\xef\xbf\xbd\","      \
    "\"reasons\":[\"CODE_INVALID\"]}],\"method\":\"POST\",\"uri\":"         \
    "\"/rao-v\xe1\xba\xb7t/x\",\"prev\":\"" HASH_A "\",\"hash\":\""          \
    HASH_B "\"}\n"

#define LINE_C                                                               \
    "{\"seq\":3,\"time\":\"2000-02-29T23:59:59.999Z\",\"node\":\"hn-1\","    \
    "\"type\":\"recovery\",\"detail\":\"last line was cut short "            \
    "(41 bytes)\",\"prev\":\"" HASH_B "\",\"hash\":\"" HASH_C "\"}\n"


static const int  rs_a[] = { NGX_HTTP_PASSPORT_CODE_INVALID,
                             NGX_HTTP_PASSPORT_CODE_RECALLED };
static const int  rs_inv[] = { NGX_HTTP_PASSPORT_CODE_INVALID };
static const int  rs_rec[] = { NGX_HTTP_PASSPORT_CODE_RECALLED };
static const int  rs_b[] = { NGX_HTTP_PASSPORT_SELLER_MISSING,
                             NGX_HTTP_PASSPORT_CODE_INVALID };

/* no optional member */
#define NO_EV  NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL

static const ngx_http_passport_report_item_t  items_a[] = {
    { U("/items/0/code"), U("(01)09506000134352(21)SN1"), rs_inv, 1, NO_EV },
    { U("/items/2/code"), U("09506000134352"), rs_rec, 1, NO_EV }
};

static const ngx_http_passport_report_item_t  items_b[] = {
    { U("/items/0/code"), U("Ph\xe1\xbb\x9f \"b\xc3\xb2\" \\ \x01\n\xff"),
      rs_inv, 1, NO_EV }
};


static void
rec_a(ngx_http_passport_report_t *r)
{
    memset(r, 0, sizeof(*r));
    r->type = REPORT(VERDICT);
    r->seq = 1;
    r->time_ms = 1795644843123LL;
    r->node = (const unsigned char *) "hn-1";
    r->node_len = 4;
    r->request_id = (const unsigned char *) "7f3a9c0e";
    r->request_id_len = 8;
    r->verdict = NGX_HTTP_PASSPORT_VERDICT_BLOCK;
    r->mode = NGX_HTTP_PASSPORT_MODE_ENFORCE;
    r->seller = (const unsigned char *) "0100109106";
    r->seller_len = 10;
    r->reasons = rs_a;
    r->nreasons = 2;
    r->items = items_a;
    r->nitems = 2;
    r->method = (const unsigned char *) "POST";
    r->method_len = 4;
    r->uri = (const unsigned char *) "/api/listings?draft=1&seller=x";
    r->uri_len = strlen((const char *) r->uri);
}


static void
rec_b(ngx_http_passport_report_t *r)
{
    rec_a(r);
    r->seq = 2;
    r->prev = HASH_A;
    r->time_ms = 1795644844000LL;
    r->request_id = (const unsigned char *) "req-2";
    r->request_id_len = 5;
    r->verdict = NGX_HTTP_PASSPORT_VERDICT_FLAG;
    r->mode = NGX_HTTP_PASSPORT_MODE_MONITOR;
    r->seller = NULL;
    r->seller_len = 0;
    r->reasons = rs_b;
    r->items = items_b;
    r->nitems = 1;
    r->uri = (const unsigned char *) "/rao-v\xe1\xba\xb7t/x?q=1";
    r->uri_len = strlen((const char *) r->uri);
}


static void
rec_c(ngx_http_passport_report_t *r)
{
    memset(r, 0, sizeof(*r));
    r->type = REPORT(RECOVERY);
    r->seq = 3;
    r->prev = HASH_B;
    r->time_ms = 951868799999LL;
    r->node = (const unsigned char *) "hn-1";
    r->node_len = 4;
    r->detail = (const unsigned char *) "last line was cut short (41 bytes)";
    r->detail_len = strlen((const char *) r->detail);
}


/* the line for r, NUL-terminated, malloc()ed; NULL when write fails */

static char *
line(const ngx_http_passport_report_t *r, EVP_PKEY *key, char *hash)
{
    size_t          n;
    unsigned char  *buf, *end;

    n = ngx_http_passport_report_size(r);
    buf = malloc(n + 1);
    if (buf == NULL) {
        abort();
    }

    end = ngx_http_passport_report_write(buf, r, key, hash);
    if (end == NULL) {
        free(buf);
        return NULL;
    }

    if ((size_t) (end - buf) > n || (key && (size_t) (end - buf) != n)) {
        printf("# size %lu, wrote %lu\n", (unsigned long) n,
               (unsigned long) (end - buf));
        abort();
    }

    *end = '\0';

    return (char *) buf;
}


static int
verify(const char *s, const ngx_http_passport_report_chain_t *chain,
    EVP_PKEY *key, ngx_http_passport_report_line_t *l)
{
    size_t  len;
    char    why[128];

    len = strlen(s);

    if (len && s[len - 1] == '\n') {
        len--;
    }

    return ngx_http_passport_report_verify_line((const unsigned char *) s,
                                                len, chain, key, l, why,
                                                sizeof(why));
}


static void test_members(void);


static void
test_serialisation(void)
{
    char                        *s, hash[REPORT(HEX) + 1];
    const char                  *want;
    ngx_http_passport_report_t   r;

    rec_a(&r);
    s = line(&r, NULL, hash);
    is_str(s ? s : "", LINE_A, "verdict record: exact line");
    is_str(hash, HASH_A, "verdict record: hash is sha256sum of it");
    free(s);

    rec_b(&r);
    s = line(&r, NULL, hash);
    is_str(s ? s : "", LINE_B, "monitor record: escaping, null seller");
    is_str(hash, HASH_B, "monitor record: hash");
    free(s);

    rec_c(&r);
    s = line(&r, NULL, hash);
    is_str(s ? s : "", LINE_C, "recovery record: exact line, leap day");
    is_str(hash, HASH_C, "recovery record: hash");
    free(s);

    rec_c(&r);
    r.type = REPORT(ROTATION);
    r.time_ms = 0;
    r.detail = NULL;
    r.detail_len = 0;
    s = line(&r, NULL, hash);
    want = "{\"seq\":3,\"time\":\"1970-01-01T00:00:00.000Z\",\"node\":"
           "\"hn-1\",\"type\":\"rotation\",\"detail\":\"\",\"prev\":\""
           HASH_B "\",\"hash\":\"";
    ok(s && strncmp(s, want, strlen(want)) == 0,
       "rotation record, epoch, empty detail");
    free(s);

    rec_a(&r);
    r.time_ms = 253402300799999LL;
    s = line(&r, NULL, hash);
    ok(s && strstr(s, "\"time\":\"9999-12-31T23:59:59.999Z\"") != NULL,
       "last representable time");
    free(s);

    rec_a(&r);
    r.verdict = NGX_HTTP_PASSPORT_VERDICT_PASS;
    ok(line(&r, NULL, hash) == NULL, "pass verdict is not written");
    rec_a(&r);
    r.seq = 0;
    ok(line(&r, NULL, hash) == NULL, "seq 0 is not written");
    rec_a(&r);
    r.time_ms = -1;
    ok(line(&r, NULL, hash) == NULL, "time before 1970 is not written");
    rec_a(&r);
    r.mode = 3;
    ok(line(&r, NULL, hash) == NULL, "unknown mode is not written");

    test_members();
}


/* the optional members: where they go, and that they read back */

static void
test_members(void)
{
    char                             *s, hash[REPORT(HEX) + 1];
    ngx_http_passport_report_t        r;
    ngx_http_passport_report_line_t   l;
    ngx_http_passport_report_item_t   it[2];

    memset(it, 0, sizeof(it));
    it[0] = items_a[0];
    it[0].seller = (const unsigned char *) "0300588569";
    it[0].seller_len = 10;
    it[0].seller_status = "active";
    it[0].seller_name = (const unsigned char *) "C\xc3\xb4ng ty \"A\"";
    it[0].seller_name_len = 12;
    it[0].seller_country = "VN";
    it[1] = items_a[1];
    it[1].status = "recalled";
    it[1].owner = "0100109106";
    it[1].cause = "no answer within 2 s";

    rec_a(&r);
    r.oper = (const unsigned char *) "0312345678";
    r.oper_len = 10;
    r.seller_status = "suspended";
    r.seller_name = (const unsigned char *) "GLEIF name";
    r.seller_name_len = 10;
    r.seller_country = "DEU";
    r.cause = "a cause";
    r.items = it;
    r.nitems = 2;
    s = line(&r, NULL, hash);

    ok(s && strstr(s, "\"node\":\"hn-1\",\"operator\":\"0312345678\","
                      "\"type\":\"verdict\"") != NULL
       && strstr(s, "\"seller\":\"0100109106\",\"seller_status\":"
                    "\"suspended\",\"seller_name\":\"GLEIF name\","
                    "\"seller_country\":\"DE\","
                    "\"cause\":\"a cause\",\"reasons\":") != NULL
       && strstr(s, "\"code\":\"(01)09506000134352(21)SN1\",\"seller\":"
                    "\"0300588569\",\"seller_status\":\"active\","
                    "\"seller_name\":\"C\xc3\xb4ng ty \\\"A\\\"\","
                    "\"seller_country\":\"VN\","
                    "\"reasons\":[\"CODE_INVALID\"]}") != NULL
       && strstr(s, "\"reasons\":[\"CODE_RECALLED\"],\"status\":"
                    "\"recalled\",\"owner\":\"0100109106\",\"cause\":"
                    "\"no answer within 2 s\"}]") != NULL,
       "optional members: operator, seller evidence (the country cut at "
       "2 bytes), item seller, code evidence, causes, in their places");

    memset(&l, 0, sizeof(l));
    ok(s && ngx_http_passport_report_verify_line((unsigned char *) s,
                                                 strlen(s) - 1, NULL, NULL,
                                                 &l, NULL, 0) == REPORT(OK)
       && l.oper.len == 10 && memcmp(l.oper.data, "0312345678", 10) == 0
       && l.items.len > 2 && l.items.data[0] == '['
       && l.items.data[l.items.len - 1] == ']',
       "optional members: the line reads back, operator and items found");
    free(s);
}


static void
test_limits(void)
{
    char                             *s, *big, hash[REPORT(HEX) + 1];
    size_t                            i;
    int                               rc;
    ngx_http_passport_report_t        r;
    ngx_http_passport_report_item_t  *many;
    ngx_http_passport_report_line_t   l;

    big = malloc(5000);
    many = calloc(500, sizeof(ngx_http_passport_report_item_t));
    if (big == NULL || many == NULL) {
        abort();
    }

    memset(big, '"', 5000);

    for (i = 0; i < 500; i++) {
        many[i].pointer = (const unsigned char *) big;
        many[i].pointer_len = 5000;
        many[i].code = (const unsigned char *) big;
        many[i].code_len = 5000;
        many[i].reasons = rs_a;
        many[i].nreasons = 2;
    }

    rec_a(&r);
    r.seller = (const unsigned char *) big;
    r.seller_len = 5000;
    r.uri = (const unsigned char *) big;
    r.uri_len = 5000;
    r.items = many;
    r.nitems = 500;

    s = line(&r, NULL, hash);
    ok(s != NULL, "500 items of long values are written");

    if (s) {
        rc = verify(s, NULL, NULL, &l);
        is_int(rc, REPORT(OK), "and verify");
        is_int((long) l.seller.len, 2 * NGX_HTTP_PASSPORT_VALUE_MAX,
               "seller is cut at NGX_HTTP_PASSPORT_VALUE_MAX bytes");
        is_int((long) l.uri.len, 2 * REPORT(URI_MAX),
               "uri is cut at NGX_HTTP_PASSPORT_REPORT_URI_MAX bytes");
        free(s);
    }

    r.uri = (const unsigned char *) "?a=1";
    r.uri_len = 4;
    r.items = NULL;
    r.nitems = 0;
    r.reasons = NULL;
    r.nreasons = 0;
    s = line(&r, NULL, hash);
    ok(s && strstr(s, "\"reasons\":[],\"items\":[],\"method\":\"POST\","
                   "\"uri\":\"\",") != NULL, "empty arrays and uri");
    free(s);

    free(big);
    free(many);
}


static void
test_parse(void)
{
    int                              rc;
    ngx_http_passport_report_line_t  l;

    rc = verify(LINE_A, NULL, NULL, &l);
    is_int(rc, REPORT(OK), "line A verifies");
    ok(l.type == REPORT(VERDICT) && l.seq == 1
       && l.verdict == NGX_HTTP_PASSPORT_VERDICT_BLOCK
       && l.mode == NGX_HTTP_PASSPORT_MODE_ENFORCE && !l.has_sig,
       "line A: type, seq, verdict, mode, unsigned");
    ok(l.seller.len == 10 && memcmp(l.seller.data, "0100109106", 10) == 0
       && l.node.len == 4 && l.uri.len == 13 && l.method.len == 4
       && l.request_id.len == 8 && l.time.len == 24,
       "line A: seller, node, uri, method, request_id, time spans");
    is_int((long) l.reasons, (1L << NGX_HTTP_PASSPORT_CODE_INVALID)
                             | (1L << NGX_HTTP_PASSPORT_CODE_RECALLED),
           "line A: reasons mask");
    is_str(l.prev, ZERO64, "line A: prev");
    is_str(l.hash, HASH_A, "line A: hash");

    rc = verify(LINE_B, NULL, NULL, &l);
    ok(rc == REPORT(OK) && l.seller.data == NULL
       && l.mode == NGX_HTTP_PASSPORT_MODE_MONITOR
       && l.verdict == NGX_HTTP_PASSPORT_VERDICT_FLAG,
       "line B: null seller, monitor, flag");

    rc = verify(LINE_C, NULL, NULL, &l);
    ok(rc == REPORT(OK) && l.type == REPORT(RECOVERY) && l.detail.len == 34
       && l.seller.data == NULL, "line C: recovery with detail");
}


static void
test_errors(void)
{
    int                               bad;
    char                             *s, hash[REPORT(HEX) + 1];
    size_t                            i, len;
    const char                       *from;
    ngx_http_passport_report_t        r;
    ngx_http_passport_report_line_t   l;
    ngx_http_passport_report_chain_t  chain;

    static const struct {
        const char  *from;
        const char  *to;
        int          rc;
        const char  *name;
    } edits[] = {
        { "0100109106", "0100109107", REPORT(EDITED), "seller edited" },
        { "\"block\"", "\"flag\"", REPORT(EDITED), "verdict edited" },
        { "\"seq\":1", "\"seq\":7", REPORT(EDITED), "seq edited" },
        { "\"seq\":1", "\"seq\":01", REPORT(SYNTAX), "leading zero" },
        { "\"seq\":1", "\"seq\": 1", REPORT(SYNTAX), "whitespace" },
        { "\"block\"", "\"pass\"", REPORT(SYNTAX), "verdict pass" },
        { "\"verdict\",", "\"other\",", REPORT(SYNTAX), "unknown type" },
        { "cde753c3", "CDE753C3", REPORT(SYNTAX), "uppercase hash" },
        { ".123Z", ".123+00:00", REPORT(SYNTAX), "time not in UTC Z" },
        { "\"uri\"", "\"url\"", REPORT(SYNTAX), "member renamed" },
        { "\"}\n", "\",\"x\":1}\n", REPORT(SYNTAX), "member added" },
        { "SN1\"", "SN\\q\"", REPORT(SYNTAX), "bad escape" },
        { "SN1\"", "SN\\/\"", REPORT(EDITED), "JSON escape, edited" },
    };

    for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        s = malloc(sizeof(LINE_A) + 16);
        if (s == NULL) {
            abort();
        }

        from = strstr(LINE_A, edits[i].from);
        if (from == NULL) {
            abort();
        }

        len = from - LINE_A;
        memcpy(s, LINE_A, len);
        strcpy(s + len, edits[i].to);
        strcat(s, from + strlen(edits[i].from));

        is_int(verify(s, NULL, NULL, NULL), edits[i].rc, edits[i].name);
        free(s);
    }

    bad = 0;

    for (len = 0; len < sizeof(LINE_A) - 2; len++) {
        if (ngx_http_passport_report_verify_line(
                (const unsigned char *) LINE_A, len, NULL, NULL, &l, NULL, 0)
            != REPORT(SYNTAX))
        {
            bad++;
        }
    }

    is_int(bad, 0, "every cut of line A is a syntax error");

    is_int(verify("", NULL, NULL, NULL), REPORT(SYNTAX), "empty line");

    ngx_http_passport_report_chain_init(&chain);
    is_int(verify(LINE_A, &chain, NULL, &l), REPORT(OK), "A after nothing");
    ngx_http_passport_report_chain_advance(&chain, &l);
    is_int(verify(LINE_C, &chain, NULL, NULL), REPORT(GAP), "C after A: gap");
    is_int(verify(LINE_A, &chain, NULL, NULL), REPORT(BACK),
           "A after A: back");
    is_int(verify(LINE_B, &chain, NULL, &l), REPORT(OK), "B after A");
    ngx_http_passport_report_chain_advance(&chain, &l);
    is_int(verify(LINE_A, &chain, NULL, NULL), REPORT(BACK),
           "A after B: back");
    is_int(verify(LINE_C, &chain, NULL, &l), REPORT(OK), "C after B");
    ngx_http_passport_report_chain_advance(&chain, &l);
    ok(chain.seq == 3 && strcmp(chain.hash, HASH_C) == 0, "chain at C");

    chain.hash[0] = '5';
    chain.seq = 2;
    is_int(verify(LINE_C, &chain, NULL, NULL), REPORT(BROKEN),
           "C after another record 2: broken");

    rec_a(&r);
    r.prev = HASH_C;
    s = line(&r, NULL, hash);
    is_int(verify(s, NULL, NULL, NULL), REPORT(BROKEN),
           "seq 1 with a prev that is not zeros");
    free(s);
}


static void
test_signatures(void)
{
    int                               rc;
    char                             *s, *t, hash[REPORT(HEX) + 1];
    EVP_PKEY                         *key, *other;
    ngx_http_passport_report_t        r;
    ngx_http_passport_report_line_t   l;
    static const unsigned char        sk[32] = {
        0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
        0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
        0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60
    };

    key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk, 32);
    other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (key == NULL || other == NULL) {
        abort();
    }

    rec_a(&r);
    s = line(&r, key, hash);
    ok(s && strlen(s) == sizeof(LINE_A) - 1 + 8 + REPORT(SIG) + 1
       && strncmp(s, LINE_A, sizeof(LINE_A) - 4) == 0
       && strcmp(s + sizeof(LINE_A) - 4, "\",\"sig\":\"" SIG_A "\"}\n") == 0,
       "signed line A: RFC 8032 key gives the openssl signature");

    rc = verify(s, NULL, key, &l);
    ok(rc == REPORT(OK) && l.has_sig, "verifies with the key");
    is_int(verify(s, NULL, other, NULL), REPORT(SIGNATURE),
           "another key: bad signature");
    is_int(verify(s, NULL, NULL, NULL), REPORT(OK),
           "no key: signature not checked");
    is_int(verify(LINE_A, NULL, key, NULL), REPORT(SIGNATURE),
           "unsigned line with a key: bad signature");

    t = malloc(strlen(s) + 1);
    if (t == NULL) {
        abort();
    }

    strcpy(t, s);
    t[strlen(t) - 10] ^= 1;
    is_int(verify(t, NULL, key, NULL), REPORT(SIGNATURE),
           "a bit of the signature flipped");

    strcpy(t, s);
    strstr(t, "0100109106")[9] = '7';
    is_int(verify(t, NULL, key, NULL), REPORT(EDITED),
           "edited signed line: edited, before the signature");

    strcpy(t, s);
    strcpy(strstr(t, "\"sig\":\"") + 7, "AAAA\"}");
    is_int(verify(t, NULL, key, NULL), REPORT(SIGNATURE),
           "short signature");
    free(t);
    free(s);

    s = line(&r, other, hash);
    is_int(verify(s, NULL, key, NULL), REPORT(SIGNATURE),
           "re-signed with another key");
    is_int(verify(s, NULL, other, NULL), REPORT(OK),
           "which verifies with that key");
    free(s);

    /* a public-only key cannot sign */
    EVP_PKEY_free(other);
    other = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, sk, 32);
    if (other == NULL) {
        abort();
    }

    ok(line(&r, other, hash) == NULL, "public key cannot sign: NULL");

    EVP_PKEY_free(other);
    EVP_PKEY_free(key);
}


static void
test_tail(void)
{
    int                              rc;
    size_t                           n;
    char                            *s, *s2, hash[REPORT(HEX) + 1];
    const char                      *log;
    ngx_http_passport_report_t       r;
    ngx_http_passport_report_tail_t  t;

#define TAIL(str, whole)                                                     \
    ngx_http_passport_report_tail((const unsigned char *) (str),            \
                                  strlen(str), whole, NULL, &t)

    log = LINE_A LINE_B LINE_C;
    n = strlen(log);

    rc = TAIL("", 1);
    ok(rc == REPORT(OK) && t.chain.seq == 0 && !t.truncated && !t.newline
       && strcmp(t.chain.hash, ZERO64) == 0, "tail of an empty log");

    rc = TAIL(log, 1);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && t.end == n && !t.truncated
       && !t.newline && strcmp(t.chain.hash, HASH_C) == 0,
       "tail of A B C: seq 3, hash of C");

    s = malloc(n + 100);
    if (s == NULL) {
        abort();
    }

    memcpy(s, log, n);
    memcpy(s + n, LINE_A, 41);
    s[n + 41] = '\0';

    rc = TAIL(s, 1);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && t.end == n && t.truncated
       && t.newline, "cut last line: truncated, needs a newline");

    rec_c(&r);
    r.seq = t.chain.seq + 1;
    r.prev = t.chain.hash;
    s2 = line(&r, NULL, hash);
    is_int(verify(s2, &t.chain, NULL, NULL), REPORT(OK),
           "the recovery record continues the chain");
    free(s2);

    strcat(s, "\n");
    rc = TAIL(s, 1);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && t.end == n && t.truncated
       && !t.newline, "cut last line with newline: truncated");

    strcat(s, "garbage\n\n");
    rc = TAIL(s, 1);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && !t.truncated && t.segment
       && t.untrusted == 3,
       "several bad lines: back to the last good record, a new segment");

    s[n - 1] = '\0';
    rc = TAIL(s, 1);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && t.end == n - 1
       && !t.truncated && t.newline,
       "complete last record without newline: needs only a newline");

    rc = TAIL(log + 10, 0);
    ok(rc == REPORT(OK) && t.chain.seq == 3, "part of the file: found");

    rc = TAIL(log + strlen(LINE_A) + strlen(LINE_B) + 1, 0);
    is_int(rc, REPORT(AGAIN), "last line not whole in the part: again");

    rc = TAIL("garbage", 1);
    ok(rc == REPORT(OK) && t.chain.seq == 0 && !t.truncated && t.segment
       && t.newline, "only garbage: new chain in a new segment");

    rc = TAIL("{\"seq\":1,\"ti", 1);
    ok(rc == REPORT(OK) && t.chain.seq == 0 && t.truncated && !t.segment
       && t.newline, "only a cut first record: new chain after a recovery");

    free(s);

#undef TAIL
}


static char *
dup(const char *s)
{
    char  *p;

    p = malloc(strlen(s) + 1);
    if (p == NULL) {
        abort();
    }

    return strcpy(p, s);
}


/* a signed or unsigned line for r appended to buf (malloc()ed, grown) */

static char *
append(char *buf, const ngx_http_passport_report_t *r, EVP_PKEY *key,
    char *hash)
{
    char    *s, *p;
    size_t   n;

    s = line(r, key, hash);
    n = buf ? strlen(buf) : 0;

    p = (s == NULL) ? NULL : realloc(buf, n + strlen(s) + 1);
    if (p == NULL) {
        abort();
    }

    strcpy(p + n, s);
    free(s);

    return p;
}


static void
test_tail_trust(void)
{
    int                              rc;
    char                            *log, *s, hash[REPORT(HEX) + 1];
    char                             hc[REPORT(HEX) + 1], hx[REPORT(HEX) + 1];
    size_t                           n;
    EVP_PKEY                        *key, *other;
    ngx_http_passport_report_t       r;
    ngx_http_passport_report_tail_t  t;

#define TAIL(str, pub)                                                       \
    ngx_http_passport_report_tail((const unsigned char *) (str),            \
                                  strlen(str), 1, pub, &t)

    key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (key == NULL || other == NULL) {
        abort();
    }

    rec_a(&r);
    log = append(NULL, &r, key, hash);
    rec_b(&r);
    log = append(log, &r, key, hash);
    rec_c(&r);
    log = append(log, &r, key, hc);
    n = strlen(log);

    rc = TAIL(log, key);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && !t.segment && !t.truncated,
       "signed A B C with the key: trusted");

    /* a right hash without a signature at the end */

    rec_c(&r);
    r.seq = 4;
    r.prev = hc;
    s = append(dup(log), &r, NULL, hash);
    rc = TAIL(s, key);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && t.segment && t.untrusted == 1
       && t.why == REPORT(SIGNATURE) && t.why_seq == 4
       && strcmp(t.chain.hash, hc) == 0,
       "unsigned tail with a right hash: back to seq 3, a new segment");
    rc = TAIL(s, NULL);
    ok(rc == REPORT(OK) && t.chain.seq == 4 && !t.segment,
       "without a key the same line is trusted: it links");
    free(s);

    /* signed by another key */

    s = append(dup(log), &r, other, hash);
    rc = TAIL(s, key);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && t.segment
       && t.why == REPORT(SIGNATURE), "another key's tail: a new segment");
    free(s);

    /* an old signed record again at the end */

    rec_b(&r);
    s = append(dup(log), &r, key, hash);
    rc = TAIL(s, key);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && t.segment
       && t.why == REPORT(BROKEN), "replayed seq 2: link broken, seq 3");
    free(s);

    rec_a(&r);
    s = append(dup(log), &r, key, hash);
    rc = TAIL(s, key);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && t.segment,
       "replayed seq 1: not a new chain, seq 3");
    free(s);

    /* an implausible seq, unsigned, with a right hash */

    rec_c(&r);
    r.seq = REPORT(SEQ_MAX);
    r.prev = hc;
    s = append(dup(log), &r, NULL, hash);
    rc = TAIL(s, NULL);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && t.segment
       && t.why == REPORT(BROKEN), "seq 2^53-1 that does not link: seq 3");
    free(s);

    /* ... or two of them that link: the chain starts again */

    r.seq = REPORT(SEQ_MAX) - 1;
    s = append(dup(log), &r, NULL, hx);
    r.seq = REPORT(SEQ_MAX);
    r.prev = hx;
    s = append(s, &r, NULL, hash);
    rc = TAIL(s, NULL);
    ok(rc == REPORT(OK) && t.chain.seq == 0 && t.segment,
       "a linked seq 2^53-1: a new segment from seq 1");

    /* after which a segment record at seq 1 is trusted */

    memset(&r, 0, sizeof(r));
    r.type = REPORT(SEGMENT);
    r.seq = 1;
    r.time_ms = 1;
    s = append(s, &r, key, hash);
    rc = TAIL(s, key);
    ok(rc == REPORT(OK) && t.chain.seq == 1 && !t.segment
       && strcmp(t.chain.hash, hash) == 0,
       "a segment record at seq 1 after untrusted lines: trusted");
    free(s);

    /* nothing verifies with the key (a key put in): linked records */

    rc = TAIL(LINE_A LINE_B LINE_C, key);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && t.segment && t.untrusted == 3
       && strcmp(t.chain.hash, HASH_C) == 0,
       "unsigned log, a key now: a new segment after seq 3");

    /* one cut line, then several, after the last record */

    s = malloc(n + 100);
    if (s == NULL) {
        abort();
    }

    memcpy(s, log, n + 1);
    strcat(s, "{\"seq\":4,\"ti");
    rc = TAIL(s, key);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && t.truncated && !t.segment,
       "one cut line: a recovery");
    strcat(s, "\n{\"seq\":4,\"ti");
    rc = TAIL(s, key);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && !t.truncated && t.segment
       && t.untrusted == 2, "two cut lines: a new segment");

    memcpy(s, log, n + 1);
    strcat(s, "\x8f\x01random");
    rc = TAIL(s, key);
    ok(rc == REPORT(OK) && t.chain.seq == 3 && !t.truncated && t.segment,
       "one line of random bytes: a new segment");
    free(s);

    free(log);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);

#undef TAIL
}


static void
test_cap(void)
{
    int                               rc;
    char                             *s, *p, hash[REPORT(HEX) + 1];
    size_t                            i;
    ngx_http_passport_report_t        r;
    ngx_http_passport_report_item_t  *many;
    ngx_http_passport_report_line_t   l;

    many = calloc(20000, sizeof(ngx_http_passport_report_item_t));
    if (many == NULL) {
        abort();
    }

    for (i = 0; i < 20000; i++) {
        many[i] = items_a[0];
    }

    rec_a(&r);
    r.items = many;
    r.nitems = 20000;

    ok(ngx_http_passport_report_size(&r) <= REPORT(LINE_CAP),
       "20000 items: the size is at most LINE_CAP");

    s = line(&r, NULL, hash);
    ok(s && strlen(s) <= REPORT(LINE_CAP) && strlen(s) > REPORT(LINE_CAP) / 2,
       "the line is cut to LINE_CAP");
    ok(s && strstr(s, "}],\"items_omitted\":") != NULL,
       "items_omitted follows the items");

    rc = verify(s, NULL, NULL, &l);
    is_int(rc, REPORT(OK), "and the line verifies");
    ok(l.omitted > 19000 && l.omitted < 20000, "omitted counts the rest");

    for (p = s, i = 0; p && i < 20000 - l.omitted; i++) {
        p = strstr(p + 1, "{\"pointer\":");
    }

    ok(p && strstr(p + 1, "{\"pointer\":") == NULL,
       "kept + omitted = the items");
    free(s);

    r.nitems = 3;
    s = line(&r, NULL, hash);
    ok(s && strstr(s, "items_omitted") == NULL, "few items: no member");
    free(s);

    free(many);
}


static void
test_build(void)
{
    char                             *mem;
    size_t                            i, n;
    ngx_http_passport_report_t        r;
    ngx_http_passport_error_t        *e;
    ngx_http_passport_report_code_t   codes[2];

    memset(codes, 0, sizeof(codes));

    /* the problems: seller; item 0 twice; no pointer; item 1; item 0 */

    e = calloc(6, sizeof(ngx_http_passport_error_t));
    if (e == NULL) {
        abort();
    }

    e[0].reason = NGX_HTTP_PASSPORT_SELLER_ID_INVALID;
    e[0].pointer = (const unsigned char *) "/seller";
    e[0].pointer_len = 7;
    e[0].value = (const unsigned char *) "0100";
    e[0].value_len = 4;
    e[1].reason = NGX_HTTP_PASSPORT_CODE_RECALLED;
    e[1].pointer = (const unsigned char *) "/items/0/code";
    e[1].pointer_len = 13;
    e[1].value = (const unsigned char *) "sent-0";
    e[1].value_len = 6;
    e[2] = e[1];
    e[2].reason = NGX_HTTP_PASSPORT_CODE_OWNER_MISMATCH;
    e[3].reason = NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE;
    e[3].cause = "no answer within 2 s";
    e[4].reason = NGX_HTTP_PASSPORT_CODE_INVALID;
    e[4].pointer = (const unsigned char *) "/items/1/code";
    e[4].pointer_len = 13;
    e[4].value = (const unsigned char *) "sent-1";
    e[4].value_len = 6;
    e[5] = e[1];
    e[5].reason = NGX_HTTP_PASSPORT_CODE_INVALID;

    codes[0].pointer = (const unsigned char *) "/items/0/code";
    codes[0].pointer_len = 13;
    codes[0].code = (const unsigned char *) "canonical-0";
    codes[0].code_len = 11;
    codes[0].seller = (const unsigned char *) "0300588569";
    codes[0].seller_len = 10;
    codes[0].status = "recalled";
    codes[0].owner = "0100109106";
    codes[1] = codes[0];
    codes[1].pointer = (const unsigned char *) "/items/9/code";

    mem = malloc(ngx_http_passport_report_build_size(6, 2));
    if (mem == NULL) {
        abort();
    }

    memset(&r, 0, sizeof(r));
    ngx_http_passport_report_build(&r, mem, e, 6, codes, 2, 42);

    ok(r.nreasons == 5 && r.reasons[0] == NGX_HTTP_PASSPORT_SELLER_ID_INVALID
       && r.reasons[1] == NGX_HTTP_PASSPORT_CODE_RECALLED
       && r.reasons[2] == NGX_HTTP_PASSPORT_CODE_OWNER_MISMATCH
       && r.reasons[3] == NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE
       && r.reasons[4] == NGX_HTTP_PASSPORT_CODE_INVALID,
       "build: each reason once, in order; CODE_INVALID twice is once");

    ok(r.nitems == 3
       && r.items[0].pointer_len == 7 && r.items[0].nreasons == 1
       && memcmp(r.items[0].code, "0100", 4) == 0
       && r.items[1].pointer_len == 13 && r.items[1].nreasons == 3
       && r.items[1].reasons[0] == NGX_HTTP_PASSPORT_CODE_RECALLED
       && r.items[1].reasons[1] == NGX_HTTP_PASSPORT_CODE_OWNER_MISMATCH
       && r.items[1].reasons[2] == NGX_HTTP_PASSPORT_CODE_INVALID
       && r.items[1].code_len == 11
       && memcmp(r.items[1].code, "canonical-0", 11) == 0
       && r.items[2].nreasons == 1
       && memcmp(r.items[2].code, "sent-1", 6) == 0,
       "build: one item per pointer, its reasons, the canonical code");

    ok(r.items[1].seller_len == 10
       && memcmp(r.items[1].seller, "0300588569", 10) == 0
       && strcmp(r.items[1].status, "recalled") == 0
       && strcmp(r.items[1].owner, "0100109106") == 0
       && r.items[0].seller == NULL && r.items[0].status == NULL
       && r.items[2].owner == NULL && r.items[1].cause == NULL
       && r.cause && strcmp(r.cause, "no answer within 2 s") == 0,
       "build: evidence of the item's pointer; a cause with no pointer "
       "is the record's");

    /* a cause on an item; a second one is not taken */

    e[4].reason = NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE;
    e[4].cause = "connect: refused";
    e[3].cause = NULL;
    ngx_http_passport_report_build(&r, mem, e, 6, codes, 2, 42);

    ok(r.cause == NULL && r.items[2].cause
       && strcmp(r.items[2].cause, "connect: refused") == 0,
       "build: the cause of an item's REGISTRY_UNAVAILABLE");

    free(mem);
    free(e);

    /* 200000 problems on 100000 items: linear, so this is quick */

    n = 200000;
    e = calloc(n, sizeof(ngx_http_passport_error_t));
    mem = malloc(ngx_http_passport_report_build_size(n, 0));
    if (e == NULL || mem == NULL) {
        abort();
    }

    for (i = 0; i < n; i++) {
        e[i].reason = (i & 1) ? NGX_HTTP_PASSPORT_CODE_RECALLED
                              : NGX_HTTP_PASSPORT_CODE_INVALID;
        e[i].pointer = malloc(24);
        if (e[i].pointer == NULL) {
            abort();
        }

        e[i].pointer_len = (size_t) sprintf((char *) e[i].pointer,
                                            "/items/%lu/code",
                                            (unsigned long) (i / 2));
    }

    ngx_http_passport_report_build(&r, mem, e, n, NULL, 0, 7);

    ok(r.nreasons == 2 && r.nitems == n / 2
       && r.items[n / 2 - 1].nreasons == 2
       && r.items[n / 2 - 1].reasons[1] == NGX_HTTP_PASSPORT_CODE_RECALLED,
       "build: 200000 problems, 100000 items of 2 reasons");

    for (i = 0; i < n; i++) {
        free((void *) e[i].pointer);
    }

    free(mem);
    free(e);
}


static void
test_keys(const char *dir)
{
    int        rc;
    char       priv[600], pub[600], ec[600], why[700];
    FILE      *f;
    EVP_PKEY  *key, *k;

    snprintf(priv, sizeof(priv), "%s/test_report.key.pem", dir);
    snprintf(pub, sizeof(pub), "%s/test_report.pub.pem", dir);
    snprintf(ec, sizeof(ec), "%s/test_report.ec.pem", dir);

    key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (key == NULL || k == NULL) {
        abort();
    }

    rc = 0;

    f = fopen(priv, "w");
    rc += f && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    rc += f && fclose(f) == 0;
    f = fopen(pub, "w");
    rc += f && PEM_write_PUBKEY(f, key);
    rc += f && fclose(f) == 0;
    f = fopen(ec, "w");
    rc += f && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    rc += f && fclose(f) == 0;
    is_int(rc, 6, "key files written");

    EVP_PKEY_free(k);

    k = ngx_http_passport_report_key_read(priv, 1, why, sizeof(why));
    ok(k && EVP_PKEY_eq(k, key) == 1, "private key read for signing");
    EVP_PKEY_free(k);

    k = ngx_http_passport_report_key_read(priv, 0, why, sizeof(why));
    ok(k && EVP_PKEY_eq(k, key) == 1, "private key read for verifying");
    EVP_PKEY_free(k);

    k = ngx_http_passport_report_key_read(pub, 0, why, sizeof(why));
    ok(k && EVP_PKEY_eq(k, key) == 1, "public key read for verifying");
    EVP_PKEY_free(k);

    k = ngx_http_passport_report_key_read(pub, 1, why, sizeof(why));
    ok(k == NULL && strstr(why, "no PEM private key"),
       "public key refused for signing");
    EVP_PKEY_free(k);

    k = ngx_http_passport_report_key_read(ec, 0, why, sizeof(why));
    ok(k == NULL && strstr(why, "not an Ed25519 key"), "EC key refused");
    EVP_PKEY_free(k);

    strcat(ec, ".missing");
    k = ngx_http_passport_report_key_read(ec, 0, why, sizeof(why));
    ok(k == NULL && strstr(why, "cannot open"), "missing file");

    remove(priv);
    remove(pub);
    ec[strlen(ec) - 8] = '\0';
    remove(ec);
    EVP_PKEY_free(key);
}


/*
 * kid: the key's ID, in the signed part after "node"; the RFC 8032 test
 * key's is the SHA-256 of its public DER (computed outside) cut at 16.
 */

static void
test_kid(void)
{
    int                               rc;
    char                             *s, kid[REPORT(KID) + 1];
    char                              hash[REPORT(HEX) + 1];
    EVP_PKEY                         *key;
    ngx_http_passport_report_t        r;
    ngx_http_passport_report_line_t   l;
    static const unsigned char        sk[32] = {
        0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
        0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
        0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60
    };

    key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk, 32);
    if (key == NULL) {
        abort();
    }

    rc = ngx_http_passport_report_kid(key, kid);
    ok(rc == 0 && strcmp(kid, "06e3fd8fda29bb60") == 0,
       "kid of the RFC 8032 test key");

    rec_c(&r);
    r.kid = kid;
    s = line(&r, key, hash);
    ok(s && strstr(s, "\"node\":\"hn-1\",\"kid\":\"06e3fd8fda29bb60\","
                      "\"type\":"), "kid written after node");

    rc = verify(s, NULL, key, &l);
    ok(rc == REPORT(OK) && strcmp(l.kid, kid) == 0, "kid read back");
    ok(strcmp(hash, HASH_C) != 0, "kid is covered by the hash");

    /* the kid is signed: changing it breaks the hash */
    memcpy(strstr(s, "06e3fd8f"), "16e3", 4);
    ok(verify(s, NULL, key, &l) == REPORT(EDITED), "kid edited: detected");
    free(s);

    r.kid = NULL;
    s = line(&r, NULL, hash);
    ok(verify(s, NULL, NULL, &l) == REPORT(OK) && l.kid[0] == '\0'
       && strcmp(hash, HASH_C) == 0, "no kid: the record as before");
    free(s);

    ok(verify("{\"seq\":3,\"time\":\"2000-02-29T23:59:59.999Z\",\"node\":"
              "\"hn-1\",\"kid\":\"06E3FD8FDA29BB60\",\"type\":\"recovery\","
              "\"detail\":\"x\",\"prev\":\"" HASH_B "\",\"hash\":\""
              HASH_C "\"}", NULL, NULL, &l) == REPORT(SYNTAX),
       "kid in upper case: not a record");

    EVP_PKEY_free(key);
}


int
main(int argc, char **argv)
{
    char  dir[512], *slash;

    (void) argc;

    snprintf(dir, sizeof(dir), "%s", argv[0]);
    slash = strrchr(dir, '/');
    strcpy(slash ? slash : dir, slash ? "" : ".");

    test_serialisation();
    test_limits();
    test_parse();
    test_errors();
    test_signatures();
    test_tail();
    test_tail_trust();
    test_cap();
    test_build();
    test_keys(dir);
    test_kid();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
