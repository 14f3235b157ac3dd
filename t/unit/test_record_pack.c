
/*
 * Copyright (C) passport developers
 *
 * Unit tests for the packed form of registry answers (what the cache
 * keeps): round trips through pack and unpack give the parser's answer
 * and the same rule results, and bytes that are not a packed record
 * (truncated, overwritten, random) are refused without a read outside
 * them (the tests run under ASan, each input in a buffer of its exact
 * size).  TAP output.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passport_record.h"
#include "tap.h"


#define EN      NGX_HTTP_PASSPORT_LANG_EN
#define OK      NGX_HTTP_PASSPORT_REC_OK
#define NF      NGX_HTTP_PASSPORT_REC_NOT_FOUND
#define ERR     NGX_HTTP_PASSPORT_REC_ERROR

#define TAX     "0100109106"
#define LEI     "5493001KJTIIGC8Y1R12"
#define OTHER   "0312345675"
#define SELLER2 "0312345676"
#define CODE    "01/09506000134352/21/SN1"
#define GTIN    "01/09506000134352"


static unsigned char  buf[65536];


/* ' becomes " */
static const char *
json(const char *s)
{
    static char  out[4096];
    size_t       i;

    for (i = 0; s[i] && i < sizeof(out) - 1; i++) {
        out[i] = (s[i] == '\'') ? '"' : s[i];
    }

    out[i] = '\0';

    return out;
}


/* a copy of exactly len bytes on the heap: ASan sees a read past it */

static unsigned char *
exact(const unsigned char *p, size_t len)
{
    unsigned char  *c;

    c = malloc(len ? len : 1);
    if (c == NULL) {
        abort();
    }

    memcpy(c, p, len);

    return c;
}


static size_t
pack_code(const char *body, const char *asked, int any)
{
    size_t                      n;
    const char                 *b;
    ngx_http_passport_record_t  rec;

    b = (strchr(body, '\'') != NULL) ? json(body) : body;

    if (any) {
        ngx_http_passport_record_parse_any(200, (const unsigned char *) b,
                                           strlen(b), asked, strlen(asked),
                                           &rec);
    } else {
        ngx_http_passport_record_parse(200, (const unsigned char *) b,
                                       strlen(b), asked, strlen(asked),
                                       &rec);
    }

    if (rec.rc != OK) {
        printf("# cannot parse %s: %s\n", b, rec.cause);
    }

    n = ngx_http_passport_record_pack(&rec, strlen(asked), buf, sizeof(buf));
    ngx_http_passport_record_free(&rec);

    return n;
}


static size_t
pack_entity(const char *body, long status, int lei)
{
    const char                  *b;
    ngx_http_passport_entity_t   e;

    b = json(body);

    if (lei) {
        ngx_http_passport_lei_parse(status, (const unsigned char *) b,
                                    strlen(b), LEI, strlen(LEI), &e);
    } else {
        ngx_http_passport_entity_parse(status, (const unsigned char *) b,
                                       strlen(b), TAX, strlen(TAX), &e);
    }

    return ngx_http_passport_entity_pack(&e, buf, sizeof(buf));
}


static void
test_entity(void)
{
    size_t                      n;
    unsigned char              *p;
    ngx_http_passport_error_t   err;
    ngx_http_passport_entity_t  e;

    n = pack_entity("{'id':'" TAX "','status':'active'}", 200, 0);
    is_int((long) n, 7, "entity: an active seller, no name, 7 bytes");

    n = pack_entity("{'id':'" TAX "','status':'active','name':'Viettel',"
                    "'country':'vn'}", 200, 0);
    is_int((long) n, 14, "entity: with a name of 7 bytes, 14 bytes");
    p = exact(buf, n);
    is_int(ngx_http_passport_entity_unpack(p, n, TAX, strlen(TAX), &e), OK,
           "entity: unpacks");
    is_str(e.status, "active", "entity: status");
    is_str(e.name, "Viettel", "entity: name kept");
    is_str(e.country, "VN", "entity: country kept, upper case");
    is_str(e.id, TAX, "entity: the id is the asked one");
    ok(!e.lei, "entity: not an LEI record");
    ok(!ngx_http_passport_entity_rules(&e, EN, &err),
       "entity: passes the rules");
    free(p);

    n = pack_entity("{'id':'" TAX "','status':'active','name':null,"
                    "'country':'704'}", 200, 0);
    p = exact(buf, n);
    ngx_http_passport_entity_unpack(p, n, TAX, strlen(TAX), &e);
    ok(e.rc == OK && e.name[0] == '\0' && strcmp(e.country, "VN") == 0,
       "entity: null name, numeric country as alpha-2");
    free(p);

    n = pack_entity("{'id':'" TAX "','status':'active','name':'A\\u0001B',"
                    "'country':'XX'}", 200, 0);
    p = exact(buf, n);
    ngx_http_passport_entity_unpack(p, n, TAX, strlen(TAX), &e);
    ok(e.rc == OK && strcmp(e.name, "AB") == 0 && e.country[0] == '\0',
       "entity: controls dropped from the name, an unknown country not kept");
    free(p);

    n = pack_entity("{'id':'" TAX "','status':'Under_Review'}", 200, 0);
    p = exact(buf, n);
    ngx_http_passport_entity_unpack(p, n, TAX, strlen(TAX), &e);
    is_str(e.status, "under_review", "entity: a status not in the table");
    ok(ngx_http_passport_entity_rules(&e, EN, &err)
       && err.reason == NGX_HTTP_PASSPORT_SELLER_INACTIVE
       && strstr(err.detail, "under_review") != NULL,
       "entity: ... is inactive, named");
    free(p);

    n = pack_entity("", 404, 0);
    is_int((long) n, 3, "entity: a 404 packs in 3 bytes");
    p = exact(buf, n);
    is_int(ngx_http_passport_entity_unpack(p, n, TAX, strlen(TAX), &e), NF,
           "entity: 404 unpacks as not found");
    is_str(e.id, TAX, "entity: ... naming the asked seller");
    ok(ngx_http_passport_entity_rules(&e, EN, &err)
       && err.reason == NGX_HTTP_PASSPORT_SELLER_NOT_REGISTERED
       && strstr(err.detail, TAX) != NULL,
       "entity: ... not registered, named");
    free(p);

    n = pack_entity("", 500, 0);
    is_int((long) n, 0, "entity: an error is not packed");
}


static void test_lei_name(void);


static void
test_lei(void)
{
    size_t                      n;
    unsigned char              *p;
    ngx_http_passport_error_t   err;
    ngx_http_passport_entity_t  e;

    n = pack_entity("{'data':{'id':'" LEI "','attributes':{'lei':'" LEI "',"
                    "'entity':{'status':'ACTIVE','legalName':{'name':'X'},"
                    "'legalAddress':{'country':'de'}},"
                    "'registration':{'status':'LAPSED'}}}}", 200, 1);
    is_int((long) n, 9, "lei: packs in 9 bytes");
    p = exact(buf, n);
    is_int(ngx_http_passport_entity_unpack(p, n, LEI, strlen(LEI), &e), OK,
           "lei: unpacks");
    ok(e.lei, "lei: an LEI record");
    is_str(e.status, "active", "lei: entity status");
    is_str(e.lei_status, "lapsed", "lei: registration status");
    is_str(e.country, "DE", "lei: country");
    is_str(e.name, "X", "lei: legal name");
    is_str(e.id, LEI, "lei: id");
    ok(ngx_http_passport_entity_rules(&e, EN, &err)
       && err.reason == NGX_HTTP_PASSPORT_SELLER_INACTIVE,
       "lei: a lapsed LEI is inactive");
    free(p);

    n = pack_entity("{'data':{'id':'" LEI "','attributes':{'lei':'" LEI "',"
                    "'entity':{'status':'ACTIVE'},"
                    "'registration':{'status':'ISSUED'}}}}", 200, 1);
    p = exact(buf, n);
    ngx_http_passport_entity_unpack(p, n, LEI, strlen(LEI), &e);
    ok(e.rc == OK && e.country[0] == '\0'
       && !ngx_http_passport_entity_rules(&e, EN, &err),
       "lei: no country; issued and active passes");
    free(p);

    n = pack_entity("", 404, 1);
    p = exact(buf, n);
    ok(ngx_http_passport_entity_unpack(p, n, LEI, strlen(LEI), &e) == NF
       && e.lei, "lei: 404");
    ok(ngx_http_passport_entity_rules(&e, EN, &err)
       && err.reason == NGX_HTTP_PASSPORT_SELLER_NOT_REGISTERED
       && strcmp(err.detail, "the LEI " LEI " is not in the global LEI "
                 "register (GLEIF)") == 0,
       "lei: a 404 is not in GLEIF's register, not the national one");
    ok(ngx_http_passport_entity_rules(&e, NGX_HTTP_PASSPORT_LANG_VI, &err)
       && strstr(err.detail, "GLEIF") != NULL
       && strstr(err.detail, "truy xu") == NULL,
       "lei: ... in Vietnamese too");
    free(p);

    test_lei_name();
}


/* a legal name longer than NAME_MAX: cut at a character boundary */

static void
test_lei_name(void)
{
    char                        body[1024], name[300];
    size_t                      i, n;
    unsigned char              *p;
    ngx_http_passport_entity_t  e;

    /* "Công ty " then "ả" (2 bytes) repeated: 127 falls inside one */

    strcpy(name, "C\xc3\xb4ng ty ");

    for (i = 0; i < 70; i++) {
        strcat(name, "\xe1\xba\xa3");
    }

    snprintf(body, sizeof(body), "{'data':{'id':'" LEI "','attributes':"
             "{'lei':'" LEI "','entity':{'status':'ACTIVE','legalName':"
             "{'name':'%s'},'legalAddress':{'country':'VN'}},"
             "'registration':{'status':'ISSUED'}}}}", name);

    n = pack_entity(body, 200, 1);
    p = exact(buf, n);
    ngx_http_passport_entity_unpack(p, n, LEI, strlen(LEI), &e);

    /* 9 + 3 * 39 = 126 bytes: a 40th character would pass 127 */
    ok(e.rc == OK && strlen(e.name) == 126
       && memcmp(e.name, name, 126) == 0
       && strcmp(e.country, "VN") == 0,
       "lei: a long name is cut at 126 bytes, whole characters");
    is_int((long) n, 3 + 2 + 1 + 126 + 2, "lei: ... and packs so");
    free(p);
}


#define RECORD                                                                \
    "{'code':'" CODE "','status':'active','owner':' " TAX " ',"               \
    "'origin':'VN','product':'milk','authorized_sellers':"                    \
    "['" OTHER "','" SELLER2 "']}"


static void
test_code(void)
{
    size_t                      n, k;
    unsigned char              *p;
    ngx_http_passport_error_t   err;
    ngx_http_passport_record_t  rec, again;

    n = pack_code(RECORD, CODE, 0);
    printf("# a code record, owner and two authorized sellers: %lu bytes\n",
           (unsigned long) n);
    ok(n > 0 && n < 64, "code: a typical record packs in under 64 bytes");
    ok(ngx_http_passport_record_pack(&(ngx_http_passport_record_t) { 0 },
                                     0, NULL, 0) > 0,
       "code: pack measures without a buffer");

    p = exact(buf, n);
    is_int(ngx_http_passport_record_unpack(p, n, CODE, strlen(CODE), &rec),
           OK, "code: unpacks");
    ok(rec.root == NULL, "code: no JSON tree");
    is_str(rec.status, "active", "code: status");
    is_str(rec.owner, TAX, "code: owner");
    is_int(rec.origin, 704, "code: origin");
    is_int((long) rec.code_len, (long) strlen(CODE), "code: code length");

    ok(!ngx_http_passport_record_rules(&rec, TAX, strlen(TAX), 704, EN,
                                       &err), "code: the owner passes");
    ok(!ngx_http_passport_record_rules(&rec, SELLER2, strlen(SELLER2), -1,
                                       EN, &err),
       "code: an authorized seller passes");
    ok(!ngx_http_passport_record_rules(&rec, " " OTHER, strlen(OTHER) + 1,
                                       -1, EN, &err),
       "code: ... written padded");
    ok(ngx_http_passport_record_rules(&rec, LEI, strlen(LEI), -1, EN, &err)
       && err.reason == NGX_HTTP_PASSPORT_CODE_OWNER_MISMATCH,
       "code: a stranger does not");
    ok(ngx_http_passport_record_rules(&rec, TAX, strlen(TAX), 156, EN, &err)
       && err.reason == NGX_HTTP_PASSPORT_ORIGIN_MISMATCH,
       "code: another origin does not");

    /* packing the unpacked record gives the same bytes */

    k = ngx_http_passport_record_pack(&rec, strlen(CODE), buf, sizeof(buf));
    ok(k == n && memcmp(buf, p, n) == 0, "code: packs again to the same");
    ngx_http_passport_record_free(&rec);

    ok(ngx_http_passport_record_unpack(p, n, CODE "0", strlen(CODE) + 1,
                                       &again) == ERR
       && strcmp(again.cause, "the cached record is unreadable") == 0,
       "code: not for another code");
    ok(ngx_http_passport_entity_unpack(p, n, TAX, strlen(TAX),
                                       &(ngx_http_passport_entity_t) { 0 })
       == ERR, "code: not an entity");
    free(p);

    /* the walk-up: the GTIN's record answers for the serial */

    n = pack_code("{'code':'" GTIN "','status':'recalled','owner':'" TAX "',"
                  "'origin':'704'}", CODE, 1);
    p = exact(buf, n);
    is_int(ngx_http_passport_record_unpack(p, n, CODE, strlen(CODE), &rec),
           OK, "walk-up: unpacks for the asked code");
    is_int((long) rec.code_len, (long) strlen(GTIN),
           "walk-up: the answered code is the GTIN");
    ok(ngx_http_passport_record_rules(&rec, TAX, strlen(TAX), -1, EN, &err)
       && err.reason == NGX_HTTP_PASSPORT_CODE_RECALLED,
       "walk-up: recalled");
    ok(ngx_http_passport_record_unpack(p, n, GTIN "1", strlen(GTIN) + 1,
                                       &rec) == ERR,
       "walk-up: not for a code the GTIN is no ancestor of");
    free(p);

    ngx_http_passport_record_parse(404, NULL, 0, CODE, strlen(CODE), &rec);
    n = ngx_http_passport_record_pack(&rec, strlen(CODE), buf, sizeof(buf));
    p = exact(buf, n);
    is_int(ngx_http_passport_record_unpack(p, n, CODE, strlen(CODE), &rec),
           NF, "code: 404");
    ok(ngx_http_passport_record_rules(&rec, TAX, strlen(TAX), -1, EN, &err)
       && err.reason == NGX_HTTP_PASSPORT_CODE_NOT_REGISTERED,
       "code: ... not registered");
    free(p);

    ok(ngx_http_passport_record_pack(&rec, strlen(CODE), buf, 2) == 3,
       "code: a buffer too small: the length needed, nothing more written");
}


/* 1000 authorized sellers, the one asked for last; junk entries left out */

static void
test_many(void)
{
    char                        *big, *p;
    size_t                       i, n;
    unsigned char               *q;
    ngx_http_passport_record_t   rec;

    big = malloc(1000 * 20 + 256);
    if (big == NULL) {
        abort();
    }

    p = big + sprintf(big, "{\"code\":\"%s\",\"status\":\"active\","
                      "\"owner\":\"%s\",\"origin\":\"VN\","
                      "\"authorized_sellers\":[\"BAD ID\",\"\"",
                      CODE, OTHER);

    for (i = 0; i < 999; i++) {
        p += sprintf(p, ",\"%010lu\"", (unsigned long) (1000000 + i));
    }

    sprintf(p, ",\" %s \"]}", TAX);

    n = pack_code(big, CODE, 0);
    q = exact(buf, n);
    ok(ngx_http_passport_record_unpack(q, n, CODE, strlen(CODE), &rec) == OK
       && ngx_http_passport_record_authorized(&rec, TAX, strlen(TAX))
       && ngx_http_passport_record_authorized(&rec, "0001000000", 10)
       && !ngx_http_passport_record_authorized(&rec, LEI, strlen(LEI))
       && !ngx_http_passport_record_authorized(&rec, "BAD ID", 6),
       "1000 authorized sellers: the last is found, a stranger is not");
    free(q);
    free(big);
}


/*
 * An entity packed with a name and a country: every cut is refused, and
 * every overwritten byte reads as a good record (a name without control
 * characters, a country of two capitals or none) or as none.
 */

static void
test_hostile_entity(void)
{
    int                          bad;
    size_t                       n, i, len;
    unsigned int                 v;
    unsigned char               *p, orig[256];
    ngx_http_passport_entity_t   e;

    n = pack_entity("{'id':'" TAX "','status':'active','name':'Viettel',"
                    "'country':'VN'}", 200, 0);
    memcpy(orig, buf, n);
    bad = 0;

    for (len = 0; len < n; len++) {
        p = exact(orig, len);
        bad += (ngx_http_passport_entity_unpack(p, len, TAX, strlen(TAX), &e)
                != ERR);
        free(p);

        for (v = 0; v < 256; v++) {
            p = exact(orig, n);
            p[len] = (unsigned char) v;

            if (ngx_http_passport_entity_unpack(p, n, TAX, strlen(TAX), &e)
                == OK)
            {
                for (i = 0; e.name[i]; i++) {
                    bad += ((unsigned char) e.name[i] < 0x20);
                }

                bad += (e.country[0] != '\0' && strlen(e.country) != 2);
            }

            free(p);
        }
    }

    is_int(bad, 0, "hostile: an entity with a name, cut or overwritten");
}


/*
 * Every cut of a packed record is refused, every byte overwritten with
 * any value and random bytes are refused or read as a well-formed record,
 * never read past.
 */

static void
test_hostile(void)
{
    int                          bad;
    size_t                       n, i, len, cut_ok;
    unsigned int                 v, seed;
    unsigned char               *p, orig[256];
    ngx_http_passport_entity_t   e;
    ngx_http_passport_record_t   rec;

    static const char  *bodies[] = {
        RECORD,
        "{'code':'" CODE "','status':'strange_one','owner':'" TAX "',"
        "'origin':'VN'}",
    };

    cut_ok = 0;

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        n = pack_code(bodies[i], CODE, 0);
        memcpy(orig, buf, n);

        for (len = 0; len < n; len++) {
            p = exact(orig, len);
            cut_ok += (ngx_http_passport_record_unpack(p, len, CODE,
                                                       strlen(CODE), &rec)
                       != ERR);
            free(p);
        }

        for (len = 0; len < n; len++) {
            for (v = 0; v < 256; v++) {
                p = exact(orig, n);
                p[len] = (unsigned char) v;

                if (ngx_http_passport_record_unpack(p, n, CODE,
                                                    strlen(CODE), &rec)
                    == OK)
                {
                    bad = (strlen(rec.status) >= sizeof(rec.status)
                           || strlen(rec.owner) == 0
                           || rec.code_len > strlen(CODE)
                           || rec.sellers < p
                           || rec.sellers + rec.sellers_len != p + n);
                    if (bad) {
                        printf("# byte %lu = %u: a bad record\n",
                               (unsigned long) len, v);
                        cut_ok++;
                    }

                    (void) ngx_http_passport_record_authorized(&rec, TAX,
                                                               strlen(TAX));
                }

                (void) ngx_http_passport_entity_unpack(p, n, TAX,
                                                       strlen(TAX), &e);
                free(p);
            }
        }
    }

    is_int((long) cut_ok, 0, "hostile: every cut of a record is refused, "
           "every overwritten byte reads as a good record or none");

    /* random bytes behind a valid head */

    seed = 12345;
    bad = 0;

    for (i = 0; i < 20000; i++) {
        len = 3 + i % 61;

        for (n = 0; n < len; n++) {
            seed = seed * 1103515245 + 12345;
            orig[n] = (unsigned char) (seed >> 16);
        }

        orig[0] = NGX_HTTP_PASSPORT_PACK_VERSION;
        orig[1] = (i & 1) ? 'C' : ((i & 2) ? 'E' : 'L');
        orig[2] = (unsigned char) (i % 3);

        p = exact(orig, len);

        if (ngx_http_passport_record_unpack(p, len, CODE, strlen(CODE), &rec)
            == OK)
        {
            bad += (rec.sellers + rec.sellers_len != p + len);
        }

        (void) ngx_http_passport_entity_unpack(p, len, TAX, strlen(TAX), &e);
        bad += (e.rc == OK && strlen(e.status) == 0);
        free(p);
    }

    is_int(bad, 0, "hostile: random bytes never make a bad record");

    ok(ngx_http_passport_record_unpack(NULL, 0, CODE, strlen(CODE), &rec)
       == ERR, "hostile: nothing at all");

    test_hostile_entity();

    n = pack_entity("{'id':'" TAX "','status':'active'}", 200, 0);
    buf[0] = NGX_HTTP_PASSPORT_PACK_VERSION + 1;
    ok(ngx_http_passport_entity_unpack(buf, n, TAX, strlen(TAX), &e) == ERR,
       "hostile: another version is refused");
}


int
main(void)
{
    test_entity();
    test_lei();
    test_code();
    test_many();
    test_hostile();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
