
/*
 * Copyright (C) passport developers
 *
 * Unit tests for registry records and cross-checks.  TAP output.
 *
 * Bodies are written with ' for " to keep the tables readable.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passport_record.h"
#include "tap.h"


#define EN      NGX_HTTP_PASSPORT_LANG_EN
#define VI      NGX_HTTP_PASSPORT_LANG_VI
#define OK      NGX_HTTP_PASSPORT_REC_OK
#define NF      NGX_HTTP_PASSPORT_REC_NOT_FOUND
#define ERR     NGX_HTTP_PASSPORT_REC_ERROR

#define TAX     "0100109106"
#define LEI     "5493001KJTIIGC8Y1R12"
#define CITIZEN "001203012345"
#define OTHER   "0312345675"
#define CODE    "(01)09506000134352(21)SN1"

#define LONG40  "0123456789012345678901234567890123456789"
#define LONG100 LONG40 LONG40 "01234567890123456789"


/* want ending in '*' is a prefix */
static void
like(const char *got, const char *want, const char *name)
{
    size_t  n;
    int     good;

    n = strlen(want);
    good = (n > 0 && want[n - 1] == '*') ? strncmp(got, want, n - 1) == 0
                                         : strcmp(got, want) == 0;
    ok(good, name);

    if (!good) {
        printf("#   got:  '%s'\n#   want: '%s'\n", got, want);
    }
}


/* ' becomes " */
static const char *
json(const char *s)
{
    static char  buf[4096];
    size_t       i;

    for (i = 0; s[i] && i < sizeof(buf) - 1; i++) {
        buf[i] = (s[i] == '\'') ? '"' : s[i];
    }

    buf[i] = '\0';

    return buf;
}


static void
name_of(char *buf, size_t size, const char *test, const char *what)
{
    snprintf(buf, size, "%s: %s", test, what);
}


static void
test_entity(void)
{
    static const struct {
        const char  *name;
        long         status;
        const char  *body;
        const char  *asked;
        int          rc;
        const char  *cause;
        const char  *id;
        const char  *st;
    } v[] = {
        { "entity active", 200,
          "{'id':'" TAX "','status':'active','name':'Viettel',"
          "'country':'VN'}", TAX, OK, "", TAX, "active" },
        { "entity id padded", 200,
          "{'id':' " TAX " ','status':'active'}", TAX, OK, "", TAX,
          "active" },
        { "entity LEI in lower case", 200,
          "{'id':'5493001kjtiigc8y1r12','status':'active'}", LEI, OK, "",
          LEI, "active" },
        { "entity branch without dash", 200,
          "{'id':'0100109106001','status':'active'}", TAX "-001", OK, "",
          TAX "-001", "active" },
        { "entity status upper case", 200,
          "{'id':'" TAX "','status':'SUSPENDED'}", TAX, OK, "", TAX,
          "suspended" },
        { "entity status of 23 bytes", 200,
          "{'id':'" TAX "','status':'abcdefghijklmnopqrstuv_'}", TAX, OK,
          "", TAX, "abcdefghijklmnopqrstuv_" },
        { "entity name null", 200,
          "{'id':'" TAX "','status':'active','name':null}", TAX, OK, "",
          TAX, "active" },
        { "entity 404", 404, "<html>not found</html>", TAX, NF, "", "",
          "" },
        { "entity 500", 500, "{'id':'" TAX "','status':'active'}", TAX,
          ERR, "unexpected HTTP status 500", "", "" },
        { "entity 429", 429, "", TAX, ERR, "unexpected HTTP status 429",
          "", "" },
        { "entity 204", 204, "", TAX, ERR, "unexpected HTTP status 204",
          "", "" },
        { "entity not JSON", 200, "<html>", TAX, ERR,
          "response is not JSON: *", "", "" },
        { "entity empty body", 200, "", TAX, ERR,
          "response is not JSON: *", "", "" },
        { "entity trailing garbage", 200,
          "{'id':'" TAX "','status':'active'} x", TAX, ERR,
          "response is not JSON: *", "", "" },
        { "entity array root", 200, "[{'id':'" TAX "'}]", TAX, ERR,
          "response is not a JSON object", "", "" },
        { "entity string root", 200, "'" TAX "'", TAX, ERR,
          "response is not a JSON object", "", "" },
        { "entity duplicate key", 200,
          "{'id':'" TAX "','status':'active','status':'suspended'}", TAX,
          ERR, "response is not JSON: *", "", "" },
        { "entity NUL in id", 200,
          "{'id':'" TAX "\\u0000x','status':'active'}", TAX, ERR,
          "response is not JSON: *", "", "" },
        { "entity invalid UTF-8", 200,
          "{'id':'\xff','status':'active'}", TAX, ERR,
          "response is not JSON: *", "", "" },
        { "entity no id", 200, "{'status':'active'}", TAX, ERR,
          "record has no \"id\" string", "", "" },
        { "entity numeric id", 200,
          "{'id':100109106,'status':'active'}", TAX, ERR,
          "record has no \"id\" string", "", "" },
        { "entity other id", 200,
          "{'id':'" OTHER "','status':'active'}", TAX, ERR,
          "record is for \"" OTHER "\", not the asked \"" TAX "\"", "",
          "" },
        { "entity empty id", 200, "{'id':' ','status':'active'}", TAX, ERR,
          "record has an empty \"id\"", "", "" },
        { "entity id too long", 200,
          "{'id':'" LONG40 "','status':'active'}", TAX, ERR,
          "record \"id\" is too long (40 bytes)", "", "" },
        { "entity id with a control character", 200,
          "{'id':'0100\\u0001109106','status':'active'}", TAX, ERR,
          "record has an invalid \"id\" \"0100?109106\"", "", "" },
        { "entity id not ASCII", 200,
          "{'id':'0100109106\\u00e9','status':'active'}", TAX, ERR,
          "record has an invalid \"id\" \"0100109106??\"", "", "" },
        { "entity no status", 200, "{'id':'" TAX "'}", TAX, ERR,
          "record has no \"status\" string", "", "" },
        { "entity status not a string", 200,
          "{'id':'" TAX "','status':1}", TAX, ERR,
          "record has no \"status\" string", "", "" },
        { "entity status with a space", 200,
          "{'id':'" TAX "','status':'act ive'}", TAX, ERR,
          "record has an invalid \"status\" \"act ive\"", "", "" },
        { "entity empty status", 200, "{'id':'" TAX "','status':''}", TAX,
          ERR, "record has an empty \"status\"", "", "" },
        { "entity status too long", 200,
          "{'id':'" TAX "','status':'abcdefghijklmnopqrstuvwx'}", TAX, ERR,
          "record \"status\" is too long (24 bytes)", "", "" },
        { "entity name not a string", 200,
          "{'id':'" TAX "','status':'active','name':1}", TAX, ERR,
          "record \"name\" is not a string", "", "" },
        { "entity country not a string", 200,
          "{'id':'" TAX "','status':'active','country':['VN']}", TAX, ERR,
          "record \"country\" is not a string", "", "" },
    };

    size_t                      i;
    char                        name[160];
    const char                 *body;
    ngx_http_passport_entity_t  e;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        body = json(v[i].body);

        ngx_http_passport_entity_parse(v[i].status,
                                       (const unsigned char *) body,
                                       strlen(body), v[i].asked,
                                       strlen(v[i].asked), &e);

        name_of(name, sizeof(name), v[i].name, "rc");
        is_int(e.rc, v[i].rc, name);
        name_of(name, sizeof(name), v[i].name, "cause");
        like(e.cause, v[i].cause, name);

        if (v[i].rc == OK) {
            name_of(name, sizeof(name), v[i].name, "id");
            is_str(e.id, v[i].id, name);
            name_of(name, sizeof(name), v[i].name, "status");
            is_str(e.status, v[i].st, name);
        }
    }

    body = json("{'id':'" TAX "','status':'active'}");
    ngx_http_passport_entity_parse(200, (const unsigned char *) body,
                                   strlen(body) - 1, TAX, strlen(TAX), &e);
    like(e.cause, "response is not JSON: *", "entity body cut by len");

    ngx_http_passport_entity_parse(200, NULL, 0, TAX, strlen(TAX), &e);
    like(e.cause, "response is not JSON: *", "entity NULL body");

    body = json("{'id':'" TAX "\\u0000','status':'active'}");
    ngx_http_passport_entity_parse(200, (const unsigned char *) body,
                                   strlen(body), TAX, strlen(TAX), &e);
    ok(strstr(e.cause, "JSON_ALLOW_NUL") != NULL,
       "entity NUL: the cause names jansson's error");

    body = json("{'id':'" TAX "','id':'" TAX "','status':'active'}");
    ngx_http_passport_entity_parse(200, (const unsigned char *) body,
                                   strlen(body), TAX, strlen(TAX), &e);
    ok(strstr(e.cause, "duplicate") != NULL,
       "entity duplicate: the cause names jansson's error");
}


static void
test_record(void)
{
    static const struct {
        const char  *name;
        long         status;
        const char  *body;
        int          rc;
        const char  *cause;
        const char  *st;
        const char  *owner;
        int          origin;
    } v[] = {
        { "code active", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':'VN','authorized_sellers':['" LEI "'],"
          "'product':'Rice','extra':{'a':[1,2]}}",
          OK, "", "active", TAX, 704 },
        { "code origin lower case", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':'cn'}", OK, "", "active", TAX, 156 },
        { "code origin numeric string", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':'704'}", OK, "", "active", TAX, 704 },
        { "code origin integer", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':4}", OK, "", "active", TAX, 4 },
        { "code status upper case", 200,
          "{'code':'" CODE "','status':'Recalled','owner':'" TAX "',"
          "'origin':'VN'}", OK, "", "recalled", TAX, 704 },
        { "code owner padded", 200,
          "{'code':'" CODE "','status':'active','owner':' " TAX " ',"
          "'origin':'VN'}", OK, "", "active", TAX, 704 },
        { "code owner LEI lower case", 200,
          "{'code':'" CODE "','status':'active',"
          "'owner':'5493001kjtiigc8y1r12','origin':'VN'}", OK, "", "active",
          LEI, 704 },
        { "code optional members null", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':'VN','authorized_sellers':null,'product':null}", OK, "",
          "active", TAX, 704 },
        { "code 404", 404, "{}", NF, "", "", "", -1 },
        { "code 500", 500, "oops", ERR, "unexpected HTTP status 500", "", "",
          -1 },
        { "code 429", 429, "", ERR, "unexpected HTTP status 429", "", "",
          -1 },
        { "code 503", 503, "", ERR, "unexpected HTTP status 503", "", "",
          -1 },
        { "code not JSON", 200, "{'code':", ERR, "response is not JSON: *",
          "", "", -1 },
        { "code array root", 200, "[]", ERR,
          "response is not a JSON object", "", "", -1 },
        { "code NUL in owner", 200,
          "{'code':'" CODE "','status':'active','owner':'\\u0000',"
          "'origin':'VN'}", ERR, "response is not JSON: *", "", "", -1 },
        { "code duplicate code", 200,
          "{'code':'" CODE "','code':'" CODE "','status':'active',"
          "'owner':'" TAX "','origin':'VN'}", ERR,
          "response is not JSON: *", "", "", -1 },
        { "code no code", 200,
          "{'status':'active','owner':'" TAX "','origin':'VN'}", ERR,
          "record has no \"code\" string", "", "", -1 },
        { "code code not a string", 200,
          "{'code':9506000134352,'status':'active','owner':'" TAX "',"
          "'origin':'VN'}", ERR, "record has no \"code\" string", "", "",
          -1 },
        { "code other code", 200,
          "{'code':'(01)09506000134352(21)SN2','status':'active',"
          "'owner':'" TAX "','origin':'VN'}", ERR,
          "record is for \"(01)09506000134352(21)SN2\", not the asked \""
          CODE "\"", "", "", -1 },
        { "code compared byte for byte", 200,
          "{'code':'(01)09506000134352(21)sn1','status':'active',"
          "'owner':'" TAX "','origin':'VN'}", ERR, "record is for *", "", "",
          -1 },
        { "code long other code is cut", 200,
          "{'code':'" LONG100 "','status':'active','owner':'" TAX "',"
          "'origin':'VN'}", ERR,
          "record is for \"01234567890123456789012345678901...\", not the "
          "asked \"" CODE "\"", "", "", -1 },
        { "code no status", 200,
          "{'code':'" CODE "','owner':'" TAX "','origin':'VN'}", ERR,
          "record has no \"status\" string", "", "", -1 },
        { "code status null", 200,
          "{'code':'" CODE "','status':null,'owner':'" TAX "',"
          "'origin':'VN'}", ERR, "record has no \"status\" string", "", "",
          -1 },
        { "code status with a dash", 200,
          "{'code':'" CODE "','status':'re-called','owner':'" TAX "',"
          "'origin':'VN'}", ERR,
          "record has an invalid \"status\" \"re-called\"", "", "", -1 },
        { "code no owner", 200,
          "{'code':'" CODE "','status':'active','origin':'VN'}", ERR,
          "record has no \"owner\" string", "", "", -1 },
        { "code owner not a string", 200,
          "{'code':'" CODE "','status':'active','owner':100109106,"
          "'origin':'VN'}", ERR, "record has no \"owner\" string", "", "",
          -1 },
        { "code owner too long", 200,
          "{'code':'" CODE "','status':'active','owner':'" LONG40 "',"
          "'origin':'VN'}", ERR, "record \"owner\" is too long (40 bytes)",
          "", "", -1 },
        { "code owner empty", 200,
          "{'code':'" CODE "','status':'active','owner':'',"
          "'origin':'VN'}", ERR, "record has an empty \"owner\"", "", "",
          -1 },
        { "code owner with an inner space", 200,
          "{'code':'" CODE "','status':'active','owner':'0100 109106',"
          "'origin':'VN'}", ERR,
          "record has an invalid \"owner\" \"0100 109106\"", "", "", -1 },
        { "code no origin", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "'}", ERR,
          "record has no \"origin\"", "", "", -1 },
        { "code unknown origin", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':'XX'}", ERR, "record has an unknown \"origin\" \"XX\"",
          "", "", -1 },
        { "code origin with a space", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':' VN'}", ERR, "record has an unknown \"origin\" \" VN\"",
          "", "", -1 },
        { "code unknown numeric origin", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':999}", ERR, "record has an unknown \"origin\" 999", "",
          "", -1 },
        { "code negative origin", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':-704}", ERR, "record has an unknown \"origin\" -704", "",
          "", -1 },
        { "code huge origin", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':4294967300}", ERR,
          "record has an unknown \"origin\" 4294967300", "", "", -1 },
        { "code real origin", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':704.0}", ERR, "record \"origin\" is not a country code",
          "", "", -1 },
        { "code authorized_sellers not an array", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':'VN','authorized_sellers':'" LEI "'}", ERR,
          "record \"authorized_sellers\" is not an array", "", "", -1 },
        { "code authorized_sellers of numbers", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':'VN','authorized_sellers':[100109106]}", ERR,
          "record \"authorized_sellers\" item 0 is not a string", "", "",
          -1 },
        { "code authorized_sellers with a null", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':'VN','authorized_sellers':['" LEI "',null]}", ERR,
          "record \"authorized_sellers\" item 1 is not a string", "", "",
          -1 },
        { "code product not a string", 200,
          "{'code':'" CODE "','status':'active','owner':'" TAX "',"
          "'origin':'VN','product':{}}", ERR,
          "record \"product\" is not a string", "", "", -1 },
    };

    size_t                      i;
    char                        name[160];
    const char                 *body;
    ngx_http_passport_record_t  rec;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        body = json(v[i].body);

        ngx_http_passport_record_parse(v[i].status,
                                       (const unsigned char *) body,
                                       strlen(body), CODE, strlen(CODE),
                                       &rec);

        name_of(name, sizeof(name), v[i].name, "rc");
        is_int(rec.rc, v[i].rc, name);
        name_of(name, sizeof(name), v[i].name, "cause");
        like(rec.cause, v[i].cause, name);
        name_of(name, sizeof(name), v[i].name, "tree kept only when OK");
        ok((rec.root != NULL) == (v[i].rc == OK), name);

        if (v[i].rc == OK) {
            name_of(name, sizeof(name), v[i].name, "status");
            is_str(rec.status, v[i].st, name);
            name_of(name, sizeof(name), v[i].name, "owner");
            is_str(rec.owner, v[i].owner, name);
            name_of(name, sizeof(name), v[i].name, "origin");
            is_int(rec.origin, v[i].origin, name);

        } else {
            name_of(name, sizeof(name), v[i].name, "no origin");
            is_int(rec.origin, -1, name);
        }

        ngx_http_passport_record_free(&rec);
        ok(rec.root == NULL, "record_free clears the tree");
        ngx_http_passport_record_free(&rec);
    }
}


static void
parse_record(const char *body, ngx_http_passport_record_t *rec)
{
    body = json(body);

    if (ngx_http_passport_record_parse(200, (const unsigned char *) body,
                                       strlen(body), CODE, strlen(CODE), rec)
        != OK)
    {
        printf("# cannot parse %s: %s\n", body, rec->cause);
    }
}


static void
test_authorized(void)
{
    static const struct {
        const char  *seller;
        int          yes;
        const char  *name;
    } v[] = {
        { TAX, 1, "the owner" },
        { " " TAX "\t", 1, "the owner, padded" },
        { LEI, 1, "an authorized LEI listed in lower case" },
        { "5493001kjtiigc8y1r12", 1, "a seller in lower case" },
        { CITIZEN, 1, "an authorized citizen ID listed padded" },
        { TAX "-001", 1, "a branch listed without its dash" },
        { OTHER, 0, "a stranger" },
        { "", 0, "an empty seller" },
        { LONG40, 0, "a too long seller" },
        { "0100?109106", 0, "a control character never matches '?'" },
        { "BAD ID", 0, "garbage entries are skipped" },
    };

    size_t                      i, n;
    char                        name[160], *big, *p;
    ngx_http_passport_record_t  rec, none;

    parse_record("{'code':'" CODE "','status':'active',"
                 "'owner':' " TAX " ','origin':'VN',"
                 "'authorized_sellers':['5493001kjtiigc8y1r12',"
                 "' " CITIZEN "','0100109106001','0100\\u0001109106',"
                 "'BAD ID','','" LONG40 "']}", &rec);
    ok(rec.rc == OK, "authorized: the record parses");

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        snprintf(name, sizeof(name), "authorized: %s", v[i].name);
        is_int(ngx_http_passport_record_authorized(&rec, v[i].seller,
                                                   strlen(v[i].seller)),
               v[i].yes, name);
    }

    ok(!ngx_http_passport_record_authorized(&rec, NULL, 0),
       "authorized: a NULL seller");

    ngx_http_passport_record_free(&rec);

    ngx_http_passport_record_parse(404, NULL, 0, CODE, strlen(CODE), &none);
    ok(!ngx_http_passport_record_authorized(&none, TAX, strlen(TAX)),
       "authorized: never for a record not found");
    ngx_http_passport_record_free(&none);

    /* 1000 authorized sellers, the one asked for last */

    n = 1000;
    big = malloc(n * 20 + 256);
    if (big == NULL) {
        abort();
    }

    p = big + sprintf(big, "{\"code\":\"%s\",\"status\":\"active\","
                      "\"owner\":\"%s\",\"origin\":\"VN\","
                      "\"authorized_sellers\":[", CODE, OTHER);

    for (i = 0; i < n - 1; i++) {
        p += sprintf(p, "\"%010lu\",", (unsigned long) (1000000 + i));
    }

    p += sprintf(p, "\" %s \"]}", TAX);

    ngx_http_passport_record_parse(200, (const unsigned char *) big,
                                   (size_t) (p - big), CODE, strlen(CODE),
                                   &rec);
    is_int(rec.rc, OK, "1000 authorized sellers parse");
    ok(ngx_http_passport_record_authorized(&rec, TAX, strlen(TAX)),
       "the last of 1000 authorized sellers is found");
    ok(!ngx_http_passport_record_authorized(&rec, LEI, strlen(LEI)),
       "a seller not among 1000 is not");
    ngx_http_passport_record_free(&rec);
    free(big);
}


static void
test_entity_rules(void)
{
    static const struct {
        const char  *name;
        long         status;
        const char  *body;
        const char  *id;     /* put in e.id after parsing; NULL: keep */
        int          ret;
        int          reason;
        const char  *en;
        const char  *vi;
    } v[] = {
        { "seller not found", 404, "", TAX, 1,
          NGX_HTTP_PASSPORT_SELLER_NOT_REGISTERED,
          "seller " TAX " is not registered in the traceability registry",
          "người bán " TAX " chưa có trong cơ sở dữ liệu truy xuất nguồn "
          "gốc" },
        { "seller not found, no ID given", 404, "", NULL, 1,
          NGX_HTTP_PASSPORT_SELLER_NOT_REGISTERED,
          "seller is not registered in the traceability registry",
          "người bán chưa có trong cơ sở dữ liệu truy xuất nguồn gốc" },
        { "seller suspended", 200,
          "{'id':'" TAX "','status':'Suspended'}", NULL, 1,
          NGX_HTTP_PASSPORT_SELLER_INACTIVE,
          "seller " TAX " is suspended in the registry",
          "người bán " TAX " đang ở trạng thái tạm ngừng hoạt động trong "
          "cơ sở dữ liệu" },
        { "seller dissolved", 200,
          "{'id':'" TAX "','status':'dissolved'}", NULL, 1,
          NGX_HTTP_PASSPORT_SELLER_INACTIVE,
          "seller " TAX " is dissolved in the registry",
          "người bán " TAX " đang ở trạng thái đã giải thể trong cơ sở dữ "
          "liệu" },
        { "seller active", 200, "{'id':'" TAX "','status':'active'}", NULL,
          0, -1, "", "" },
        { "seller lookup failed", 500, "", NULL, 0, -1, "", "" },
    };

    int                         lang;
    size_t                      i;
    char                        name[160];
    const char                 *body;
    ngx_http_passport_error_t   err;
    ngx_http_passport_entity_t  e;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        for (lang = EN; lang <= VI; lang++) {
            body = json(v[i].body);
            ngx_http_passport_entity_parse(v[i].status,
                                           (const unsigned char *) body,
                                           strlen(body), TAX, strlen(TAX),
                                           &e);
            if (v[i].id) {
                strcpy(e.id, v[i].id);
            }

            memset(&err, 0, sizeof(err));
            err.reason = -1;

            snprintf(name, sizeof(name), "%s (%s)", v[i].name,
                     lang == EN ? "en" : "vi");
            is_int(ngx_http_passport_entity_rules(&e, lang, &err), v[i].ret,
                   name);
            is_int(err.reason, v[i].reason, name);
            is_str(err.detail, lang == EN ? v[i].en : v[i].vi, name);
        }
    }

    /* a failed lookup may come with nothing but rc set */

    memset(&e, 'x', sizeof(e));
    e.rc = ERR;
    ok(!ngx_http_passport_entity_rules(&e, EN, &err),
       "entity rules read only rc of a failed lookup");

    memset(&e, 'x', sizeof(e));
    e.rc = NF;
    ok(ngx_http_passport_entity_rules(&e, EN, &err)
       && strcmp(err.detail, "seller is not registered in the traceability "
                 "registry") == 0,
       "entity rules: an ID that is not terminated is left out");
}


static void
test_record_rules(void)
{
#define REC(st, auth)                                                        \
    "{'code':'" CODE "','status':'" st "','owner':'" TAX "',"               \
    "'origin':'CN','authorized_sellers':[" auth "]}"

    static const struct {
        const char  *name;
        long         status;
        const char  *body;
        const char  *seller;
        int          origin;
        int          ret;
        int          reason;
        const char  *en;
        const char  *vi;
    } v[] = {
        { "code not found", 404, "", TAX, 704, 1,
          NGX_HTTP_PASSPORT_CODE_NOT_REGISTERED,
          "trace code is not registered in the traceability registry",
          "mã truy xuất chưa có trong cơ sở dữ liệu truy xuất nguồn gốc" },
        { "code recalled", 200, REC("recalled", ""), OTHER, 704, 1,
          NGX_HTTP_PASSPORT_CODE_RECALLED,
          "the registry lists this product as recalled",
          "cơ sở dữ liệu ghi nhận sản phẩm này đã bị thu hồi" },
        { "code revoked", 200, REC("REVOKED", ""), TAX, -1, 1,
          NGX_HTTP_PASSPORT_CODE_REVOKED,
          "the registry lists this trace code as revoked",
          "cơ sở dữ liệu ghi nhận mã truy xuất này đã bị thu hồi hiệu lực" },
        { "code in another status", 200, REC("on_hold", ""), TAX, -1, 1,
          NGX_HTTP_PASSPORT_CODE_REVOKED,
          "trace code is on_hold in the registry, not active",
          "mã truy xuất đang ở trạng thái không hoạt động trong cơ sở dữ "
          "liệu nên không còn hiệu lực" },
        { "code of another owner", 200, REC("active", "'" LEI "'"), OTHER,
          704, 1, NGX_HTTP_PASSPORT_CODE_OWNER_MISMATCH,
          "seller " OTHER " is neither the owner " TAX " of this code nor "
          "one of its authorized sellers",
          "người bán " OTHER " không phải chủ sở hữu " TAX " của mã này và "
          "cũng không có trong danh sách người bán được ủy quyền" },
        { "origin differs", 200, REC("active", ""), TAX, 704, 1,
          NGX_HTTP_PASSPORT_ORIGIN_MISMATCH,
          "claimed origin VN (704) differs from the registry's origin "
          "CN (156)",
          "xuất xứ khai báo VN (704) khác với xuất xứ CN (156) trong cơ sở "
          "dữ liệu truy xuất nguồn gốc" },
        { "origin differs, authorized seller", 200,
          REC("active", "'" OTHER "'"), OTHER, 4, 1,
          NGX_HTTP_PASSPORT_ORIGIN_MISMATCH,
          "claimed origin AF (004) differs from the registry's origin "
          "CN (156)", "*" },
        { "code good, owner", 200, REC("active", ""), TAX, 156, 0, -1, "",
          "" },
        { "code good, authorized", 200, REC("active", "'" OTHER "'"),
          " " OTHER, 156, 0, -1, "", "" },
        { "code good, nothing claimed", 200, REC("active", ""), NULL, -1, 0,
          -1, "", "" },
        { "code lookup failed", 429, "", OTHER, 704, 0, -1, "", "" },
    };

    int                         lang;
    size_t                      i;
    char                        name[160];
    const char                 *body, *want;
    ngx_http_passport_error_t   err;
    ngx_http_passport_record_t  rec;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        for (lang = EN; lang <= VI; lang++) {
            body = json(v[i].body);
            ngx_http_passport_record_parse(v[i].status,
                                           (const unsigned char *) body,
                                           strlen(body), CODE, strlen(CODE),
                                           &rec);
            memset(&err, 0, sizeof(err));
            err.reason = -1;

            snprintf(name, sizeof(name), "%s (%s)", v[i].name,
                     lang == EN ? "en" : "vi");
            is_int(ngx_http_passport_record_rules(&rec, v[i].seller,
                       v[i].seller ? strlen(v[i].seller) : 0, v[i].origin,
                       lang, &err),
                   v[i].ret, name);
            is_int(err.reason, v[i].reason, name);
            want = lang == EN ? v[i].en : v[i].vi;
            like(err.detail, want, name);

            ngx_http_passport_record_free(&rec);
        }
    }

    memset(&rec, 'x', sizeof(rec));
    rec.rc = ERR;
    ok(!ngx_http_passport_record_rules(&rec, TAX, strlen(TAX), 704, EN, &err),
       "record rules read only rc of a failed lookup");

    /* a recalled code of another owner with another origin: recalled */

    parse_record(REC("recalled", ""), &rec);
    ngx_http_passport_record_rules(&rec, OTHER, strlen(OTHER), 704, EN,
                                   &err);
    is_int(err.reason, NGX_HTTP_PASSPORT_CODE_RECALLED,
           "the status is checked first");
    ngx_http_passport_record_free(&rec);

    parse_record(REC("active", ""), &rec);
    ngx_http_passport_record_rules(&rec, OTHER, strlen(OTHER), 704, EN,
                                   &err);
    is_int(err.reason, NGX_HTTP_PASSPORT_CODE_OWNER_MISMATCH,
           "the owner is checked before the origin");

    ngx_http_passport_record_rules(&rec, "0312\x01\xff" LONG40, 46, -1, EN,
                                   &err);
    is_str(err.detail, "seller 0312??01234567890123456789012345... is "
           "neither the owner " TAX " of this code nor one of its "
           "authorized sellers", "a seller sent as garbage is shown cut");
    ngx_http_passport_record_free(&rec);

#undef REC
}



static void
test_ancestors(void)
{
    size_t       i;
    const char  *c;

    static const struct {
        const char  *code;
        const char  *parent;           /* NULL: none */
    } v[] = {
        { "01/08934673577038", NULL },
        { "01/08934673577038/10/LOT1", "01/08934673577038" },
        { "01/08934673577038/21/S1", "01/08934673577038" },
        { "01/08934673577038/10/L/21/S", "01/08934673577038/10/L" },
        { "01/08934673577038/22/V/10/L", "01/08934673577038/22/V" },
        { "01/08934673577038/10/AB%2F1", "01/08934673577038" },
        { "01/08934673577038/235/T", NULL },
        { "01/08934673577038/10/L/235/T", NULL },
        { "01/0893467357703/10/L", NULL },
        { "01/0893467357703X/10/L", NULL },
        { "01/08934673577038/10/", NULL },
        { "01/08934673577038/10//21/S", NULL },
        { "01/08934673577038/10", NULL },
        { "01/08934673577038/1/L", NULL },
        { "01/08934673577038X10/L", NULL },
        { "8006/095060001343520102/10/L", NULL },
        { "414/9521141000007/254/EXT1", NULL },
        { "VN-TXNG-2024-000123", NULL },
        { "", NULL },
    };

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t  n = ngx_http_passport_code_parent(v[i].code,
                                                  strlen(v[i].code));

        ok(v[i].parent ? (n == strlen(v[i].parent)
                          && strncmp(v[i].code, v[i].parent, n) == 0)
                       : n == 0,
           v[i].code);
    }

    c = "01/08934673577038/22/V/10/L/21/S";

    ok(ngx_http_passport_code_ancestor("01/08934673577038", 17, c,
                                       strlen(c)), "GTIN is an ancestor");
    ok(ngx_http_passport_code_ancestor("01/08934673577038/22/V/10/L", 27, c,
                                       strlen(c)), "lot is an ancestor");
    ok(!ngx_http_passport_code_ancestor(c, strlen(c), c, strlen(c)),
       "a code is not its own ancestor");
    ok(!ngx_http_passport_code_ancestor("01/08934673577038/22", 20, c,
                                        strlen(c)), "not at a boundary");
    ok(!ngx_http_passport_code_ancestor("01/08934673577038/22/V/10/", 26, c,
                                        strlen(c)), "half an element");
    ok(!ngx_http_passport_code_ancestor("01/08934673577045", 17, c,
                                        strlen(c)), "another GTIN");
    ok(!ngx_http_passport_code_ancestor("", 0, c, strlen(c)), "empty");
}


static void
test_record_any(void)
{
    const char                  *asked;
    ngx_http_passport_record_t   r;

    asked = "01/08934673577038/10/L1/21/S1";

#define REC(code)                                                             \
    json("{'code':'" code "','status':'recalled','owner':'" TAX "',"          \
         "'origin':'VN'}")

    ok(ngx_http_passport_record_parse_any(200,
           (const unsigned char *) REC("01/08934673577038/10/L1"),
           strlen(REC("01/08934673577038/10/L1")), asked, strlen(asked), &r)
       == OK && r.code_len == 23 && strcmp(r.status, "recalled") == 0,
       "any: the lot's record");
    ngx_http_passport_record_free(&r);

    ok(ngx_http_passport_record_parse_any(200,
           (const unsigned char *) REC("01/08934673577038"),
           strlen(REC("01/08934673577038")), asked, strlen(asked), &r)
       == OK && r.code_len == 17, "any: the GTIN's record");
    ngx_http_passport_record_free(&r);

    ok(ngx_http_passport_record_parse_any(200,
           (const unsigned char *) REC("01/08934673577038/10/L1/21/S1"),
           strlen(REC("01/08934673577038/10/L1/21/S1")), asked,
           strlen(asked), &r)
       == OK && r.code_len == strlen(asked), "any: the exact record");
    ngx_http_passport_record_free(&r);

    ok(ngx_http_passport_record_parse_any(200,
           (const unsigned char *) REC("01/08934673577038/10/L2"),
           strlen(REC("01/08934673577038/10/L2")), asked, strlen(asked), &r)
       == ERR, "any: another lot is an error");
    like(r.cause, "record is for \"01/08934673577038/10/L2\", not the "
         "asked \"01/08934673577038/10/L1/21/S1\"", "any: its cause");

    ok(ngx_http_passport_record_parse_any(200,
           (const unsigned char *) REC("01/08934673577038/10"),
           strlen(REC("01/08934673577038/10")), asked, strlen(asked), &r)
       == ERR, "any: not at an element boundary");

    ok(ngx_http_passport_record_parse(200,
           (const unsigned char *) REC("01/08934673577038"),
           strlen(REC("01/08934673577038")), asked, strlen(asked), &r)
       == ERR, "exact: an ancestor's record is an error");

#undef REC
}


#define GLEIF(id, lei, est, rst)                                              \
    "{'data':{'type':'lei-records','id':'" id "','attributes':{"             \
    "'lei':'" lei "','entity':{'legalName':{'name':'Công ty Ví dụ GmbH',"    \
    "'language':'de'},'legalAddress':{'language':'de','addressLines':"       \
    "['Hauptstr. 1'],'city':'Berlin','country':'DE','postalCode':'10115'},"  \
    "'jurisdiction':'DE','category':'GENERAL','status':'" est "'},"          \
    "'registration':{'initialRegistrationDate':'2014-01-01T00:00:00Z',"      \
    "'status':'" rst "','managingLou':'5299000J2N45DDNE4Y28'}},"             \
    "'links':{'self':'https://api.gleif.org/api/v1/lei-records/" id "'}}}"


/* want starting with '*' is a suffix */
static void
ends(const char *got, const char *want, const char *name)
{
    size_t  g, w;

    if (want[0] != '*') {
        like(got, want, name);
        return;
    }

    g = strlen(got);
    w = strlen(++want);
    ok(g >= w && strcmp(got + g - w, want) == 0, name);
}


static void
test_lei(void)
{
    size_t                       i;
    const char                  *b;
    ngx_http_passport_error_t    e;
    ngx_http_passport_entity_t   ent;

    static const struct {
        const char  *body;
        int          inactive;
        const char  *en;
        const char  *vi;
    } v[] = {
        { GLEIF(LEI, LEI, "ACTIVE", "ISSUED"), 0, "", "" },
        { GLEIF(LEI, LEI, "ACTIVE", "PENDING_TRANSFER"), 0, "", "" },
        { GLEIF(LEI, LEI, "ACTIVE", "PENDING_ARCHIVAL"), 0, "", "" },
        { GLEIF(LEI, LEI, "ACTIVE", "LAPSED"), 1,
          "seller " LEI " is not in force in the global LEI system: the "
          "legal entity is active, the LEI registration has lapsed",
          "người bán " LEI " không còn hiệu lực trong hệ thống mã LEI toàn "
          "cầu: pháp nhân đang hoạt động, mã LEI đã quá hạn gia hạn" },
        { GLEIF(LEI, LEI, "INACTIVE", "ISSUED"), 1,
          "* the legal entity is inactive, the LEI registration is current",
          "*pháp nhân đã ngừng hoạt động, mã LEI đang có hiệu lực" },
        { GLEIF(LEI, LEI, "INACTIVE", "RETIRED"), 1,
          "*inactive, the LEI registration has been retired", "*" },
        { GLEIF(LEI, LEI, "ACTIVE", "ANNULLED"), 1,
          "*the LEI registration has been annulled", "*mã LEI đã bị hủy" },
        { GLEIF(LEI, LEI, "ACTIVE", "MERGED"), 1,
          "*has been merged into another", "*" },
        { GLEIF(LEI, LEI, "ACTIVE", "DUPLICATE"), 1,
          "*is a duplicate of another", "*" },
        { GLEIF(LEI, LEI, "NULL", "PENDING_VALIDATION"), 1,
          "*the legal entity has the status null, the LEI registration "
          "has the status pending_validation",
          "*pháp nhân ở trạng thái null, mã LEI ở trạng thái "
          "pending_validation" },
    };

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        b = json(v[i].body);

        ok(ngx_http_passport_lei_parse(200, (const unsigned char *) b,
                                       strlen(b), LEI, strlen(LEI), &ent)
           == OK && ent.lei, v[i].en);

        ok(ngx_http_passport_entity_rules(&ent, EN, &e) == v[i].inactive,
           "lei: in force or not");

        if (v[i].inactive) {
            ok(e.reason == NGX_HTTP_PASSPORT_SELLER_INACTIVE,
               "lei: SELLER_INACTIVE");
            ends(e.detail, v[i].en, "lei: detail EN");
            (void) ngx_http_passport_entity_rules(&ent, VI, &e);
            ends(e.detail, v[i].vi, "lei: detail VI");
        }
    }

    like(ent.name, "Công ty Ví dụ GmbH", "lei: legal name");
    like(ent.country, "DE", "lei: legal address country");

    ok(ngx_http_passport_lei_parse(404, NULL, 0, LEI, strlen(LEI), &ent)
       == NF, "lei: 404");

    b = json(GLEIF("213800KUD8LAJWSQ9D15", "213800KUD8LAJWSQ9D15",
                   "ACTIVE", "ISSUED"));
    ok(ngx_http_passport_lei_parse(200, (const unsigned char *) b,
                                   strlen(b), LEI, strlen(LEI), &ent) == ERR,
       "lei: another LEI");
    like(ent.cause, "record is for \"213800KUD8LAJWSQ9D15\", not the asked "
         "\"" LEI "\"", "lei: its cause");

    b = json(GLEIF(LEI, "213800KUD8LAJWSQ9D15", "ACTIVE", "ISSUED"));
    ok(ngx_http_passport_lei_parse(200, (const unsigned char *) b,
                                   strlen(b), LEI, strlen(LEI), &ent) == ERR,
       "lei: attributes.lei is another LEI");

    b = json("{'data':[]}");
    ok(ngx_http_passport_lei_parse(200, (const unsigned char *) b,
                                   strlen(b), LEI, strlen(LEI), &ent) == ERR,
       "lei: data is not an object");
    like(ent.cause, "record has no \"data.id\" string", "lei: its cause");

    b = json("{'data':{'id':'" LEI "','attributes':{'lei':'" LEI "',"
             "'entity':{'status':'ACTIVE'},'registration':{}}}}");
    ok(ngx_http_passport_lei_parse(200, (const unsigned char *) b,
                                   strlen(b), LEI, strlen(LEI), &ent) == ERR,
       "lei: no registration status");
    like(ent.cause, "record has no \"data.attributes.registration.status\" "
         "string", "lei: its cause");

    b = json("{'data':{'id':'" LEI "','attributes':{'lei':'" LEI "',"
             "'entity':{'status':'ACTIVE','legalName':{'name':7},"
             "'legalAddress':{'country':'XX'}},"
             "'registration':{'status':'in review'}}}}");
    ok(ngx_http_passport_lei_parse(200, (const unsigned char *) b,
                                   strlen(b), LEI, strlen(LEI), &ent) == ERR,
       "lei: a status with a space");

    b = json("{'data':{'id':'" LEI "','attributes':{'lei':'" LEI "',"
             "'entity':{'status':'ACTIVE','legalName':{'name':7},"
             "'legalAddress':{'country':'XX'}},"
             "'registration':{'status':'ISSUED'}}}}");
    ok(ngx_http_passport_lei_parse(200, (const unsigned char *) b,
                                   strlen(b), LEI, strlen(LEI), &ent) == OK
       && ent.name[0] == '\0' && ent.country[0] == '\0',
       "lei: a name and a country that are not usable are left out");
}


int
main(void)
{
    test_entity();
    test_record();
    test_authorized();
    test_entity_rules();
    test_record_rules();
    test_ancestors();
    test_record_any();
    test_lei();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
