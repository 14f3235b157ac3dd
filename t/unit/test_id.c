/*
 * Copyright (C) passport developers
 */


/*
 * Unit tests of the identifier library (seller IDs, GS1 trace codes,
 * ISO 3166, explanations).  Prints TAP; exits non-zero on any failure.
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passport_ids.h"


#define T(s)   s, sizeof(s) - 1
#define U(s)   (const unsigned char *) (s)

#define TODAY  20250601L

#define E(x)   NGX_HTTP_PASSPORT_ID_##x
#define K(x)   NGX_HTTP_PASSPORT_SELLER_##x
#define F(x)   NGX_HTTP_PASSPORT_CODE_##x


static int  tests, failed;


static void
ok(int cond, const char *fmt, ...)
{
    va_list  ap;

    tests++;

    if (!cond) {
        failed++;
    }

    printf("%sok %d - ", cond ? "" : "not ", tests);

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);

    printf("\n");
}


static void
diag(const char *fmt, ...)
{
    va_list  ap;

    printf("# ");

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);

    printf("\n");
}


/* printable copy of a test input for descriptions */
static const char *
show(const char *s, size_t len)
{
    static char  buf[8][160];
    static int   n;

    char    *p;
    size_t   i;

    p = buf[n++ % 8];

    for (i = 0; i < len && i < 120; i++) {
        if ((unsigned char) s[i] < 0x20 || (unsigned char) s[i] >= 0x7f) {
            p += sprintf(p, "\\x%02x", (unsigned char) s[i]);

        } else {
            *p++ = s[i];
        }
    }

    *p = '\0';

    return buf[(n - 1) % 8];
}


static int
utf8_valid(const char *s)
{
    const unsigned char  *p;
    int                   n;

    for (p = (const unsigned char *) s; *p; ) {
        if (*p < 0x80) {
            p++;
            continue;
        }

        if ((*p & 0xe0) == 0xc0) {
            n = 1;

        } else if ((*p & 0xf0) == 0xe0) {
            n = 2;

        } else if ((*p & 0xf8) == 0xf0) {
            n = 3;

        } else {
            return 0;
        }

        for (p++; n > 0; n--, p++) {
            if ((*p & 0xc0) != 0x80) {
                return 0;
            }
        }
    }

    return 1;
}


/* seller IDs */

typedef struct {
    const char  *in;
    size_t       len;
    int          err;
    int          kind;
    const char  *id;        /* NULL: not checked */
    int          expected;  /* -1: not checked */
    int          found;
} seller_case_t;


static const seller_case_t  seller_cases[] = {
    /* Vietnamese tax codes */
    { T("0100109106"), E(OK), K(TAX_CODE), "0100109106", -1, 0 },
    { T("0100233488"), E(OK), K(TAX_CODE), "0100233488", -1, 0 },
    { T("0300588569"), E(OK), K(TAX_CODE), "0300588569", -1, 0 },
    { T("0314409058-002"), E(OK), K(TAX_CODE), "0314409058-002", -1, 0 },
    { T("2000102580-001"), E(OK), K(TAX_CODE), "2000102580-001", -1, 0 },
    { T("0100112437011"), E(OK), K(TAX_CODE), "0100112437-011", -1, 0 },
    { T("0100112437-011"), E(OK), K(TAX_CODE), "0100112437-011", -1, 0 },
    { T(" \t0100109106\r\n"), E(OK), K(TAX_CODE), "0100109106", -1, 0 },
    { T("\v\f0100109106\f"), E(OK), K(TAX_CODE), "0100109106", -1, 0 },
    { T("0100233480"), E(CHECK_DIGIT), K(TAX_CODE), "0100233480", 8, 0 },
    { T("0100109107"), E(CHECK_DIGIT), K(TAX_CODE), "0100109107", 6, 7 },
    { T("0314409059-002"), E(CHECK_DIGIT), K(TAX_CODE), "0314409059-002",
      8, 9 },
    { T("0100000008"), E(SHAPE), K(TAX_CODE), "0100000008", -1, 0 },
    { T("0110000010"), E(NO_VALID_CODE), K(TAX_CODE), "0110000010", -1, 0 },
    { T("0110000015"), E(NO_VALID_CODE), K(TAX_CODE), NULL, -1, 0 },
    { T("0314409058-000"), E(BRANCH), K(TAX_CODE), "0314409058-000", -1, 0 },
    { T("0100112437000"), E(BRANCH), K(TAX_CODE), "0100112437-000", -1, 0 },
    { T("0314409058-02"), E(BRANCH), K(TAX_CODE), NULL, -1, 0 },
    { T("0314409058-0021"), E(BRANCH), K(TAX_CODE), NULL, -1, 0 },
    { T("0314409058-00A"), E(BRANCH), K(TAX_CODE), NULL, -1, 0 },
    { T("0314409058-"), E(BRANCH), K(TAX_CODE), NULL, -1, 0 },
    { T("0100109106\0"), E(SHAPE), K(UNKNOWN), NULL, -1, 0 },
    { T("01001\0009106"), E(SHAPE), K(UNKNOWN), NULL, -1, 0 },
    { T("010010910"), E(SHAPE), K(UNKNOWN), NULL, -1, 0 },
    { T("01001091061"), E(SHAPE), K(UNKNOWN), NULL, -1, 0 },
    { T("01001091O6"), E(SHAPE), K(UNKNOWN), NULL, -1, 0 },
    { T("0314409058 002"), E(SHAPE), K(UNKNOWN), NULL, -1, 0 },
    { T("VN-0100109106"), E(SHAPE), K(UNKNOWN), "VN-0100109106", -1, 0 },
    { T("abc123"), E(SHAPE), K(UNKNOWN), "ABC123", -1, 0 },

    /* citizen IDs */
    { T("001099012345"), E(OK), K(CITIZEN), "001099012345", -1, 0 },
    { T("079203001234"), E(OK), K(CITIZEN), "079203001234", -1, 0 },
    { T("096300000001"), E(OK), K(CITIZEN), NULL, -1, 0 },
    { T("001199012345"), E(OK), K(CITIZEN), NULL, -1, 0 },
    { T("003099012345"), E(PROVINCE), K(CITIZEN), NULL, -1, 3 },
    { T("000099012345"), E(PROVINCE), K(CITIZEN), NULL, -1, 0 },
    { T("097099012345"), E(PROVINCE), K(CITIZEN), NULL, -1, 97 },
    { T("999099012345"), E(PROVINCE), K(CITIZEN), NULL, -1, 999 },
    { T("001499012345"), E(CENTURY), K(CITIZEN), NULL, -1, 4 },
    { T("079999012345"), E(CENTURY), K(CITIZEN), NULL, -1, 9 },

    /* LEIs */
    { T("213800KUD8LAJWSQ9D15"), E(OK), K(LEI), "213800KUD8LAJWSQ9D15",
      -1, 0 },
    { T("5493001KJTIIGC8Y1R12"), E(OK), K(LEI), NULL, -1, 0 },
    { T("549300LBI3LRIZ2V8V66"), E(OK), K(LEI), NULL, -1, 0 },
    { T("213800WAVVOPS85N2205"), E(OK), K(LEI), NULL, -1, 0 },
    { T("529900T8BM49AURSDO55"), E(OK), K(LEI), NULL, -1, 0 },
    { T("7LTWFZYICNSX8D621K86"), E(OK), K(LEI), NULL, -1, 0 },
    { T("9845001B2AD43E664E58"), E(OK), K(LEI), NULL, -1, 0 },
    { T(" 213800kud8lajwsq9d15 "), E(OK), K(LEI), "213800KUD8LAJWSQ9D15",
      -1, 0 },
    { T("213800KUD8LXJWSQ9D15"), E(CHECK_DIGIT), K(LEI),
      "213800KUD8LXJWSQ9D15", 58, 15 },
    { T("213800KUD8LAJWSQ9D16"), E(CHECK_DIGIT), K(LEI), NULL, 15, 16 },
    { T("213800KUD8LAJWSQ9D1X"), E(SHAPE), K(UNKNOWN), NULL, -1, 0 },
    { T("213800KUD8LAJWSQ9D155"), E(SHAPE), K(UNKNOWN), NULL, -1, 0 },
    { T("213800-UD8LAJWSQ9D15"), E(SHAPE), K(UNKNOWN), NULL, -1, 0 },
    { T("213800KUD8LAJWSQ9D1\0"), E(SHAPE), K(UNKNOWN), NULL, -1, 0 },

    /* empty and limits */
    { T(""), E(EMPTY), K(UNKNOWN), "", -1, 0 },
    { T(" \t\r\n\v\f"), E(EMPTY), K(UNKNOWN), "", -1, 0 },
    { T("ABCDEFGHIJKLMNOPQRSTUVWXYZ01234"), E(SHAPE), K(UNKNOWN),
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234", -1, 0 },
    { T("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"), E(TOO_LONG), K(UNKNOWN), "",
      -1, 0 },
    { T("  0100109106                                      "), E(OK),
      K(TAX_CODE), "0100109106", -1, 0 },
};


static void
test_seller(void)
{
    size_t                       i;
    const seller_case_t         *c;
    ngx_http_passport_seller_t   sl;

    for (i = 0; i < sizeof(seller_cases) / sizeof(seller_cases[0]); i++) {
        c = &seller_cases[i];

        ngx_http_passport_seller_parse(U(c->in), c->len, &sl);

        ok(sl.err == c->err && sl.kind == c->kind
           && (c->id == NULL || strcmp(sl.id, c->id) == 0)
           && (c->expected < 0 || (sl.expected == c->expected
                                   && sl.found == c->found))
           && (c->expected >= 0 || c->found == 0 || sl.found == c->found)
           && sl.len == strlen(sl.id),
           "seller \"%s\": err %d kind %d id \"%s\" expected %d found %d",
           show(c->in, c->len), sl.err, sl.kind, sl.id, sl.expected,
           sl.found);
    }

    ok(ngx_http_passport_seller_parse(NULL, 5, &sl) == E(EMPTY),
       "seller NULL input is empty");

    ok(strcmp(ngx_http_passport_seller_kind_name(K(TAX_CODE)), "tax_code")
       == 0
       && strcmp(ngx_http_passport_seller_kind_name(K(CITIZEN)),
                 "citizen_id") == 0
       && strcmp(ngx_http_passport_seller_kind_name(K(LEI)), "lei") == 0
       && strcmp(ngx_http_passport_seller_kind_name(K(UNKNOWN)), "unknown")
          == 0
       && strcmp(ngx_http_passport_seller_kind_name(99), "unknown") == 0,
       "seller kind names");
}


/* trace codes */

typedef struct {
    const char  *in;
    size_t       len;
    int          err;
    int          form;
    const char  *canon;     /* NULL: not checked; checked on success */
    const char  *ai;        /* NULL: not checked */
    const char  *ai2;
} code_case_t;


static const code_case_t  code_cases[] = {
    /* bare GTINs */
    { T("02345673"), E(OK), F(GTIN), "01/00000002345673", NULL, NULL },
    { T("416000336108"), E(OK), F(GTIN), "01/00416000336108", NULL, NULL },
    { T("1234567890128"), E(OK), F(GTIN), "01/01234567890128", NULL, NULL },
    { T("12345678901231"), E(OK), F(GTIN), "01/12345678901231", NULL, NULL },
    { T("8934673577038"), E(OK), F(GTIN), "01/08934673577038", NULL, NULL },
    { T("9780345418913"), E(OK), F(GTIN), "01/09780345418913", NULL, NULL },
    { T("09506000134352"), E(OK), F(GTIN), "01/09506000134352", NULL, NULL },
    { T("4006381333931"), E(OK), F(GTIN), "01/04006381333931", NULL, NULL },
    { T(" 4006381333931\r\n"), E(OK), F(GTIN), "01/04006381333931", NULL,
      NULL },
    { T("]E04006381333931"), E(OK), F(GTIN), "01/04006381333931", NULL,
      NULL },
    { T("12345673"), E(CHECK_DIGIT), F(GTIN), NULL, "01", NULL },
    { T("1234567890129"), E(CHECK_DIGIT), F(GTIN), NULL, "01", NULL },
    { T("12345678901232"), E(CHECK_DIGIT), F(GTIN), NULL, "01", NULL },
    { T("416000336109"), E(CHECK_DIGIT), F(GTIN), NULL, "01", NULL },
    { T("8934673000027"), E(CHECK_DIGIT), F(GTIN), NULL, "01", NULL },
    { T("123456789"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("1234567"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("1234567890"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("123456789012345"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("8934673577038\0"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T(""), E(EMPTY), F(NONE), NULL, NULL, NULL },
    { T(" \t\r\n"), E(EMPTY), F(NONE), NULL, NULL, NULL },

    /* opaque registry codes */
    { T("VN-TXNG-2024-000123"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("ABC123"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("1012345"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("172812319"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("01ABC"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("0112345"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("www.example.com/01/12312312312326"), E(SHAPE), F(NONE), NULL, NULL,
      NULL },
    { T("https://example.com/product/123"), E(SHAPE), F(NONE), NULL, NULL,
      NULL },
    { T("https://example.com"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("https://example.com/gtin/09506000134352"), E(DL_SYNTAX), F(DL),
      NULL, NULL, NULL },
    { T("https://example.com/sscc/123456789012345675"), E(DL_SYNTAX), F(DL),
      NULL, NULL, NULL },
    { T("https://example.com/gtin"), E(SHAPE), F(NONE), NULL, NULL, NULL },
    { T("https://example.com/shop/00"), E(SHAPE), F(NONE), NULL, NULL,
      NULL },

    /* bracketed element strings */
    { T("(01)08934673577038(10)ABC123(17)281231"), E(OK), F(ELEMENTS),
      "01/08934673577038/10/ABC123", NULL, NULL },
    { T("(01)12312312312326(21)abc123"), E(OK), F(ELEMENTS),
      "01/12312312312326/21/abc123", NULL, NULL },
    { T("(21)XYZ(01)12312312312333(10)ABC123(99)XYZ"), E(OK), F(ELEMENTS),
      "01/12312312312333/10/ABC123/21/XYZ", NULL, NULL },
    { T("(01)12312312312333(10)ABC+123(99)XYZ+QWERTY"), E(OK), F(ELEMENTS),
      "01/12312312312333/10/ABC%2B123", NULL, NULL },
    { T("(01)12312312312333(22)TEST(10)ABC(21)XYZ"), E(OK), F(ELEMENTS),
      "01/12312312312333/22/TEST/10/ABC/21/XYZ", NULL, NULL },
    { T("(01)12312312312333(235)TPX1"), E(OK), F(ELEMENTS),
      "01/12312312312333/235/TPX1", NULL, NULL },
    { T("(01)08934673577038(10)ABC/1"), E(OK), F(ELEMENTS),
      "01/08934673577038/10/ABC%2F1", NULL, NULL },
    { T("(01)08934673577038(10)A\\(B)"), E(OK), F(ELEMENTS),
      "01/08934673577038/10/A%28B%29", NULL, NULL },
    { T("(01)08934673577038(10)!\"%&'*+,-.:;<=>?_z"), E(OK), F(ELEMENTS),
      "01/08934673577038/10/%21%22%25%26%27%2A%2B%2C-.%3A%3B%3C%3D%3E%3F_z",
      NULL, NULL },
    { T("(00)123456789012345675"), E(OK), F(ELEMENTS),
      "00/123456789012345675", NULL, NULL },
    { T("(00)123456789012345675(02)09506000134352(37)10(10)L1"), E(OK),
      F(ELEMENTS), "00/123456789012345675", NULL, NULL },
    { T("(414)9521141000007(254)EXT1"), E(OK), F(ELEMENTS),
      "414/9521141000007/254/EXT1", NULL, NULL },
    { T("(417)9521141000007"), E(OK), F(ELEMENTS), "417/9521141000007",
      NULL, NULL },
    { T("(8003)09521141000007ABC"), E(OK), F(ELEMENTS),
      "8003/09521141000007ABC", NULL, NULL },
    { T("(8003)09521141000007"), E(OK), F(ELEMENTS),
      "8003/09521141000007", NULL, NULL },
    { T("(8004)9521141ABC-1/2"), E(OK), F(ELEMENTS),
      "8004/9521141ABC-1%2F2", NULL, NULL },
    { T("(8006)095060001343520102(10)L(21)S"), E(OK), F(ELEMENTS),
      "8006/095060001343520102/10/L/21/S", NULL, NULL },
    { T("(8010)952114ABC"), E(OK), F(ELEMENTS), "8010/952114ABC", NULL,
      NULL },
    { T("(8017)123456789012345675"), E(OK), F(ELEMENTS),
      "8017/123456789012345675", NULL, NULL },
    { T("(8018)123456789012345675"), E(OK), F(ELEMENTS),
      "8018/123456789012345675", NULL, NULL },
    { T("(01)09506000134352(3103)000500(3922)1(15)250100"), E(UNKNOWN_AI),
      F(ELEMENTS), NULL, "3922", NULL },
    { T("(01)09506000134352(3103)000500(3369)123456(15)250100"), E(OK),
      F(ELEMENTS), "01/09506000134352", NULL, NULL },
    { T("(01)09506000134352(11)250100(13)250131(16)251231(12)250100"),
      E(OK), F(ELEMENTS), "01/09506000134352", NULL, NULL },
    { T("(01)09506000134352(20)01(30)12(240)X(241)Y(242)123456(243)Z"
        "(250)A(251)B(400)P(401)Q(403)R(420)12345(7001)1234567890123"
        "(7002)ABC(7004)1234(8001)12345678901234(8002)X(8005)123456"
        "(8007)IBAN(8012)V1(8020)REF(8200)http://x"), E(OK), F(ELEMENTS),
      "01/09506000134352", NULL, NULL },
    { T("(01)09506000134352(410)9521141000007(411)9521141000007"
        "(412)9521141000007(413)9521141000007(415)9521141000007"
        "(416)9521141000007(402)12345678901234560"), E(OK), F(ELEMENTS),
      "01/09506000134352", NULL, NULL },
    { T("(01)09506000134352(421)704ABC(427)AB(424)704(425)704840"),
      E(OK), F(ELEMENTS), "01/09506000134352", NULL, NULL },
    { T("(253)9521141000007ABC(255)9521141000007123"), E(NO_KEY),
      F(ELEMENTS), NULL, NULL, NULL },
    { T("(01)09506000134352(7003)2501011259(7006)250101"), E(OK),
      F(ELEMENTS), "01/09506000134352", NULL, NULL },
    { T("(01)09506000134352(10)A(10)A"), E(OK), F(ELEMENTS),
      "01/09506000134352/10/A", NULL, NULL },

    /* bracketed errors */
    { T("(999)12"), E(UNKNOWN_AI), F(ELEMENTS), NULL, "999", NULL },
    { T("(01)09506000134352(99x)A"), E(UNKNOWN_AI), F(ELEMENTS), NULL, "99x",
      NULL },
    { T("(ab)12"), E(UNKNOWN_AI), F(ELEMENTS), NULL, "ab", NULL },
    { T("(01"), E(UNKNOWN_AI), F(ELEMENTS), NULL, "01", NULL },
    { T("()1"), E(UNKNOWN_AI), F(ELEMENTS), NULL, "", NULL },
    { T("(123456)1"), E(UNKNOWN_AI), F(ELEMENTS), NULL, "1234", NULL },
    { T("(01)0950600013435"), E(AI_LENGTH), F(ELEMENTS), NULL, "01", NULL },
    { T("(01)095060001343521"), E(AI_LENGTH), F(ELEMENTS), NULL, "01",
      NULL },
    { T("(01)09506000134352(10)"), E(AI_LENGTH), F(ELEMENTS), NULL, "10",
      NULL },
    { T("(01)09506000134352(10)123456789012345678901"), E(AI_LENGTH),
      F(ELEMENTS), NULL, "10", NULL },
    { T("(01)09506000134352(10)12345678901234567890"), E(OK), F(ELEMENTS),
      "01/09506000134352/10/12345678901234567890", NULL, NULL },
    { T("(01)09506000134352(422)70"), E(AI_LENGTH), F(ELEMENTS), NULL,
      "422", NULL },
    { T("(01)09506000134352(423)7048"), E(AI_LENGTH), F(ELEMENTS), NULL,
      "423", NULL },
    { T("(01)09506000134352(3103)00050"), E(AI_LENGTH), F(ELEMENTS), NULL,
      "3103", NULL },
    { T("(8006)09506000134352010"), E(AI_LENGTH), F(ELEMENTS), NULL, "8006",
      NULL },
    { T("(01)0950600013435X"), E(AI_CHARSET), F(ELEMENTS), NULL, "01",
      NULL },
    { T("(01)09506000134352(10)AB CD"), E(AI_CHARSET), F(ELEMENTS), NULL,
      "10", NULL },
    { T("(01)09506000134352(10)AB#"), E(AI_CHARSET), F(ELEMENTS), NULL,
      "10", NULL },
    { T("(01)09506000134352(10)AB\0"), E(AI_CHARSET), F(ELEMENTS), NULL,
      "10", NULL },
    { T("(01)09506000134352(10)\xc3\xa9"), E(AI_CHARSET), F(ELEMENTS), NULL,
      "10", NULL },
    { T("(01)09506000134352(10)A\\B"), E(AI_CHARSET), F(ELEMENTS), NULL,
      "10", NULL },
    { T("(01)09506000134352(8003)19521141000007"), E(AI_CHARSET),
      F(ELEMENTS), NULL, "8003", NULL },
    { T("(01)09506000134353"), E(CHECK_DIGIT), F(ELEMENTS), NULL, "01",
      NULL },
    { T("(00)123456789012345670"), E(CHECK_DIGIT), F(ELEMENTS), NULL, "00",
      NULL },
    { T("(414)9521141000008"), E(CHECK_DIGIT), F(ELEMENTS), NULL, "414",
      NULL },
    { T("(8003)09521141000008"), E(CHECK_DIGIT), F(ELEMENTS), NULL, "8003",
      NULL },
    { T("(8006)095060001343530102"), E(CHECK_DIGIT), F(ELEMENTS), NULL,
      "8006", NULL },
    { T("(8018)123456789012345676"), E(CHECK_DIGIT), F(ELEMENTS), NULL,
      "8018", NULL },
    { T("(01)09506000134352(17)230229"), E(AI_DATE), F(ELEMENTS), NULL, "17",
      NULL },
    { T("(01)09506000134352(17)231301"), E(AI_DATE), F(ELEMENTS), NULL, "17",
      NULL },
    { T("(01)09506000134352(17)230001"), E(AI_DATE), F(ELEMENTS), NULL, "17",
      NULL },
    { T("(01)09506000134352(17)230431"), E(AI_DATE), F(ELEMENTS), NULL, "17",
      NULL },
    { T("(01)09506000134352(17)230132"), E(AI_DATE), F(ELEMENTS), NULL, "17",
      NULL },
    { T("(01)09506000134352(7006)230100"), E(AI_DATE), F(ELEMENTS), NULL,
      "7006", NULL },
    { T("(01)09506000134352(7003)2501012400"), E(AI_DATE), F(ELEMENTS), NULL,
      "7003", NULL },
    { T("(01)09506000134352(7003)2501012360"), E(AI_DATE), F(ELEMENTS), NULL,
      "7003", NULL },
    { T("(01)09506000134352(422)999"), E(AI_COUNTRY), F(ELEMENTS), NULL,
      "422", NULL },
    { T("(01)09506000134352(422)000"), E(AI_COUNTRY), F(ELEMENTS), NULL,
      "422", NULL },
    { T("(01)09506000134352(423)704841"), E(AI_COUNTRY), F(ELEMENTS), NULL,
      "423", NULL },
    { T("(01)09506000134352(421)999ABC"), E(AI_COUNTRY), F(ELEMENTS), NULL,
      "421", NULL },
    { T("(01)09506000134352(10)A(10)B"), E(AI_DUPLICATE), F(ELEMENTS), NULL,
      "10", NULL },
    { T("(10)ABC"), E(AI_REQUIRES), F(ELEMENTS), NULL, "10", "01" },
    { T("(17)281231"), E(AI_REQUIRES), F(ELEMENTS), NULL, "17", "01" },
    { T("(00)123456789012345675(21)X"), E(AI_REQUIRES), F(ELEMENTS), NULL,
      "21", "01" },
    { T("(00)123456789012345675(37)5"), E(AI_REQUIRES), F(ELEMENTS), NULL,
      "37", "02" },
    { T("(01)09506000134352(254)X"), E(AI_REQUIRES), F(ELEMENTS), NULL,
      "254", "414" },
    { T("(02)09506000134352(235)X"), E(AI_REQUIRES), F(ELEMENTS), NULL,
      "235", "01" },
    { T("(01)09506000134352(02)09506000134352"), E(AI_EXCLUDES),
      F(ELEMENTS), NULL, "01", "02" },
    { T("(01)09506000134352(21)A(235)B"), E(AI_EXCLUDES), F(ELEMENTS), NULL,
      "21", "235" },
    { T("(01)09506000134352(235)B(10)A(22)C"), E(OK), F(ELEMENTS),
      "01/09506000134352/22/C/10/A/235/B", NULL, NULL },
    { T("(01)09506000134352(422)704(426)704"), E(AI_EXCLUDES), F(ELEMENTS),
      NULL, "422", "426" },
    { T("(02)09506000134352(37)10"), E(NO_KEY), F(ELEMENTS), NULL, NULL,
      NULL },
    { T("(99)ABC"), E(NO_KEY), F(ELEMENTS), NULL, NULL, NULL },

    /* unbracketed element strings */
    { T("]C1010893467357703810ABC123\x1d" "17281231"), E(OK), F(ELEMENTS),
      "01/08934673577038/10/ABC123", NULL, NULL },
    { T("\x1d" "010893467357703810ABC123\x1d" "17281231"), E(OK),
      F(ELEMENTS), "01/08934673577038/10/ABC123", NULL, NULL },
    { T("011231231231232621abc123"), E(OK), F(ELEMENTS),
      "01/12312312312326/21/abc123", NULL, NULL },
    { T("]d2011231231231232621abc123"), E(OK), F(ELEMENTS),
      "01/12312312312326/21/abc123", NULL, NULL },
    { T("]Q3011231231231232621abc123"), E(OK), F(ELEMENTS),
      "01/12312312312326/21/abc123", NULL, NULL },
    { T("]e0011231231231232621abc123"), E(OK), F(ELEMENTS),
      "01/12312312312326/21/abc123", NULL, NULL },
    { T("]J1011231231231232621abc123"), E(OK), F(ELEMENTS),
      "01/12312312312326/21/abc123", NULL, NULL },
    { T("0112312312312326\x1d" "21abc123"), E(OK), F(ELEMENTS),
      "01/12312312312326/21/abc123", NULL, NULL },
    { T("0112312312312326\x1d" "21abc123\x1d"), E(OK), F(ELEMENTS),
      "01/12312312312326/21/abc123", NULL, NULL },
    { T("]C1011231231231233310ABC123\x1d" "99TESTING"), E(OK), F(ELEMENTS),
      "01/12312312312333/10/ABC123", NULL, NULL },
    { T("172812310112312312312326"), E(OK), F(ELEMENTS),
      "01/12312312312326", NULL, NULL },
    { T("]C100123456789012345675" "0209506000134352" "3710"), E(OK),
      F(ELEMENTS), "00/123456789012345675", NULL, NULL },
    { T("0109506000134352" "3103000500" "15250100" "10ABC"), E(OK),
      F(ELEMENTS), "01/09506000134352/10/ABC", NULL, NULL },
    { T("0109506000134352" "422704\x1d" "10ABC"), E(OK), F(ELEMENTS),
      "01/09506000134352/10/ABC", NULL, NULL },
    { T("]C10109506000134352" "8006095060001343520102"), E(OK), F(ELEMENTS),
      "01/09506000134352", NULL, NULL },
    { T("0112312312312327"), E(CHECK_DIGIT), F(ELEMENTS), NULL, "01", NULL },
    { T("0112312312312326" "17230229"), E(AI_DATE), F(ELEMENTS), NULL, "17",
      NULL },
    { T("]C11012345"), E(AI_REQUIRES), F(ELEMENTS), NULL, "10", "01" },
    { T("]C19912"), E(NO_KEY), F(ELEMENTS), NULL, NULL, NULL },
    { T("]C1"), E(NO_KEY), F(ELEMENTS), NULL, NULL, NULL },
    { T("]C1014"), E(AI_LENGTH), F(ELEMENTS), NULL, "01", NULL },
    { T("]C101095060001343\x1d" "10A"), E(AI_LENGTH), F(ELEMENTS), NULL,
      "01", NULL },
    { T("]C10109506000134352" "8999X"), E(UNKNOWN_AI), F(ELEMENTS), NULL,
      "8999", NULL },
    { T("0109506000134352" "23812"), E(UNKNOWN_AI), F(ELEMENTS), NULL, "238",
      NULL },
    { T("0109506000134352" "14"), E(UNKNOWN_AI), F(ELEMENTS), NULL, "14",
      NULL },
    { T("0109506000134352" "1"), E(UNKNOWN_AI), F(ELEMENTS), NULL, "1",
      NULL },
    { T("0109506000134352" "AB"), E(UNKNOWN_AI), F(ELEMENTS), NULL, "A",
      NULL },
    { T("0109506000134352 21abc"), E(UNKNOWN_AI), F(ELEMENTS), NULL, "?",
      NULL },
    { T("]C10109506000134352\x1d\x1d" "10A"), E(UNKNOWN_AI), F(ELEMENTS),
      NULL, "?", NULL },
    { T("]C10109506000134352" "10A\x1d" "10B"), E(AI_DUPLICATE),
      F(ELEMENTS), NULL, "10", NULL },
    { T("]C10109506000134352" "422704\x1d" "426704"), E(AI_EXCLUDES),
      F(ELEMENTS), NULL, "422", "426" },
    { T("]C10109506000134352" "10A\x01"), E(AI_CHARSET), F(ELEMENTS), NULL,
      "10", NULL },

    /* GS1 Digital Link URIs */
    { T("https://id.gs1.org/01/12312312312326/21/abc123"), E(OK), F(DL),
      "01/12312312312326/21/abc123", NULL, NULL },
    { T("HTTPS://ID.GS1.ORG/01/12312312312326/21/abc123"), E(OK), F(DL),
      "01/12312312312326/21/abc123", NULL, NULL },
    { T("hTtP://example.com:8080/01/12312312312326"), E(OK), F(DL),
      "01/12312312312326", NULL, NULL },
    { T("https://example.com/some/stem/01/12312312312326/21/abc123"
        "?17=281231"), E(OK), F(DL), "01/12312312312326/21/abc123", NULL,
      NULL },
    { T("https://a/more/stem/00/123456789012345675"), E(OK), F(DL),
      "00/123456789012345675", NULL, NULL },
    { T("https://a/00/123456789012345675/01/12312312312326"), E(OK), F(DL),
      "01/12312312312326", NULL, NULL },
    { T("https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ"), E(OK), F(DL),
      "01/12312312312333/22/TEST/10/ABC/21/XYZ", NULL, NULL },
    { T("https://a/01/12312312312333/235/T%2F1"), E(OK), F(DL),
      "01/12312312312333/235/T%2F1", NULL, NULL },
    { T("https://a/01/12312312312333/10/01"), E(OK), F(DL),
      "01/12312312312333/10/01", NULL, NULL },
    { T("https://a/01/12312312312333/10/ABC%2F1"), E(OK), F(DL),
      "01/12312312312333/10/ABC%2F1", NULL, NULL },
    { T("https://a/01/12312312312333/10/ABC%2f1"), E(OK), F(DL),
      "01/12312312312333/10/ABC%2F1", NULL, NULL },
    { T("https://a/01/12312312312333/10/ABC%252F1"), E(OK), F(DL),
      "01/12312312312333/10/ABC%252F1", NULL, NULL },
    { T("https://a/01/12312312312333/10/A+B"), E(OK), F(DL),
      "01/12312312312333/10/A%2BB", NULL, NULL },
    { T("https://a/01/12312312312333/10/%41%42%43"), E(OK), F(DL),
      "01/12312312312333/10/ABC", NULL, NULL },
    { T("https://a/01/12312312312333/10/A%26B%3DC?99=A%26B%3D"), E(OK),
      F(DL), "01/12312312312333/10/A%26B%3DC", NULL, NULL },
    { T("https://a/01/12312312312333?99=A+B&linkType=gs1:pip&x"), E(OK),
      F(DL), "01/12312312312333", NULL, NULL },
    { T("https://a/01/12312312312333?linkType=&99=X&&"), E(OK), F(DL),
      "01/12312312312333", NULL, NULL },
    { T("https://a/01/12312312312333?"), E(OK), F(DL), "01/12312312312333",
      NULL, NULL },
    { T("https://a/01/12312312312333#frag%G1 x"), E(OK), F(DL),
      "01/12312312312333", NULL, NULL },
    { T("https://a/01/12312312312333?17=281231#x"), E(OK), F(DL),
      "01/12312312312333", NULL, NULL },
    { T("https://a/01/8934673577038"), E(OK), F(DL), "01/08934673577038",
      NULL, NULL },
    { T("https://a/01/416000336108"), E(OK), F(DL), "01/00416000336108",
      NULL, NULL },
    { T("https://a/01/02345673"), E(OK), F(DL), "01/00000002345673", NULL,
      NULL },
    { T("https://a/414/9521141000007/254/X"), E(OK), F(DL),
      "414/9521141000007/254/X", NULL, NULL },
    { T("https://a/8006/095060001343520102/22/C/10/L/21/S"), E(OK), F(DL),
      "8006/095060001343520102/22/C/10/L/21/S", NULL, NULL },
    { T("https://a/8004/9521141ABC%2F1"), E(OK), F(DL),
      "8004/9521141ABC%2F1", NULL, NULL },
    /* a Digital Link names an AI once, even with the same value */
    { T("https://a/01/12312312312333?17=281231&17=281231"), E(AI_REPEATED),
      F(DL), NULL, "17", NULL },
    { T("]Q1https://id.gs1.org/01/12312312312326"), E(OK), F(DL),
      "01/12312312312326", NULL, NULL },

    /* Digital Link errors */
    { T("https://a/01/12312312312326/"), E(DL_SYNTAX), F(DL), NULL, NULL,
      NULL },
    { T("https://a/01/12312312312326/10/L/"), E(DL_SYNTAX), F(DL), NULL,
      NULL, NULL },
    { T("https://a//01/12312312312326"), E(DL_SYNTAX), F(DL), NULL, NULL,
      NULL },
    { T("https://a/01//12312312312326"), E(DL_SYNTAX), F(DL), NULL, NULL,
      NULL },
    { T("https://a/01/12312312312326/10"), E(DL_SYNTAX), F(DL), NULL, NULL,
      NULL },
    { T("https://a/01/12312312312326?99="), E(DL_SYNTAX), F(DL), NULL, "99",
      NULL },
    { T("https://a/01/12312312312326?99"), E(DL_SYNTAX), F(DL), NULL, "99",
      NULL },
    { T("https://a/01/12312312312326?999=faux"), E(UNKNOWN_AI), F(DL), NULL,
      "999", NULL },
    { T("https://a/01/12312312312326?10=ABC"), E(DL_SYNTAX), F(DL), NULL,
      "10", NULL },
    { T("https://a/01/12312312312326?21=ABC"), E(DL_SYNTAX), F(DL), NULL,
      "21", NULL },
    { T("https://a/01/12312312312326?01=12312312312326"), E(DL_SYNTAX),
      F(DL), NULL, "01", NULL },
    { T("https://a/01/12312312312326/21/S/10/L"), E(DL_SYNTAX), F(DL), NULL,
      NULL, NULL },
    { T("https://a/01/12312312312326/10/L/10/L"), E(DL_SYNTAX), F(DL), NULL,
      NULL, NULL },
    { T("https://a/01/12312312312326/10/L/235/T"), E(OK), F(DL),
      "01/12312312312326/10/L/235/T", NULL, NULL },
    { T("https://a/01/12312312312326/21/S/235/T"), E(DL_SYNTAX), F(DL), NULL,
      NULL, NULL },
    { T("https://a/8006/095060001343520102/235/T"), E(DL_SYNTAX), F(DL),
      NULL, NULL, NULL },
    { T("https://a/01/12312312312326/235/T/21/S"), E(DL_SYNTAX), F(DL), NULL,
      NULL, NULL },
    { T("https://a/01/12312312312326/99/X"), E(DL_SYNTAX), F(DL), NULL, NULL,
      NULL },
    { T("https://a/01/12312312312326/17/281231"), E(DL_SYNTAX), F(DL), NULL,
      NULL, NULL },
    { T("https://a/00/123456789012345675/10/L"), E(DL_SYNTAX), F(DL), NULL,
      NULL, NULL },
    { T("https:///01/12312312312326"), E(DL_SYNTAX), F(DL), NULL, NULL,
      NULL },
    { T("https://a b/01/12312312312326"), E(DL_SYNTAX), F(DL), NULL, NULL,
      NULL },
    { T("https://user@a/01/12312312312326"), E(DL_SYNTAX), F(DL), NULL,
      NULL, NULL },
    { T("https://a/01/12312312312326/10/A B"), E(DL_SYNTAX), F(DL), NULL,
      NULL, NULL },
    { T("https://a/01/12312312312326/10/A\0B"), E(DL_SYNTAX), F(DL), NULL,
      NULL, NULL },
    { T("https://a/01/12312312312326/10/A\"B"), E(DL_SYNTAX), F(DL), NULL,
      NULL, NULL },
    { T("https://a/01/12312312312326/10/AB%"), E(PERCENT), F(DL), NULL, NULL,
      NULL },
    { T("https://a/01/12312312312326/10/AB%4"), E(PERCENT), F(DL), NULL,
      NULL, NULL },
    { T("https://a/01/12312312312326/10/AB%4/21/X"), E(PERCENT), F(DL), NULL,
      NULL, NULL },
    { T("https://a/01/12312312312326/10/AB%G1"), E(PERCENT), F(DL), NULL,
      NULL, NULL },
    { T("https://a/01/12312312312326?99=%zz"), E(PERCENT), F(DL), NULL, NULL,
      NULL },
    { T("https://a/stem%/01/12312312312326"), E(PERCENT), F(DL), NULL, NULL,
      NULL },
    { T("https://a/01/12312312312326/10/A%20B"), E(AI_CHARSET), F(DL), NULL,
      "10", NULL },
    { T("https://a/01/12312312312326/10/A%00B"), E(AI_CHARSET), F(DL), NULL,
      "10", NULL },
    { T("https://a/01/12312312312326/10/A~B"), E(AI_CHARSET), F(DL), NULL,
      "10", NULL },
    { T("https://a/01/1231231231244"), E(CHECK_DIGIT), F(DL), NULL, "01",
      NULL },
    { T("https://a/01/12312312312327"), E(CHECK_DIGIT), F(DL), NULL, "01",
      NULL },
    { T("https://a/01/12312312312"), E(AI_LENGTH), F(DL), NULL, "01", NULL },
    { T("https://a/01/123123123123261"), E(AI_LENGTH), F(DL), NULL, "01",
      NULL },
    { T("https://a/01/%31%32%33%31%32%33%31%32%33%31%32%33%32%36"), E(OK),
      F(DL), "01/12312312312326", NULL, NULL },
    { T("https://a/01/12312312312326/10/123456789012345678901"), E(AI_LENGTH),
      F(DL), NULL, "10", NULL },
    { T("https://a/01/12312312312326?17=230229"), E(AI_DATE), F(DL), NULL,
      "17", NULL },
    { T("https://a/01/12312312312326?422=999"), E(AI_COUNTRY), F(DL), NULL,
      "422", NULL },
    { T("https://a/01/12312312312326?17=281231&17=291231"), E(AI_DUPLICATE),
      F(DL), NULL, "17", NULL },
    { T("https://a/01/12312312312326?17=281231&17=281231"), E(AI_REPEATED),
      F(DL), NULL, "17", NULL },
    { T("https://a/01/12312312312326?02=09506000134352"), E(AI_EXCLUDES),
      F(DL), NULL, "01", "02" },
    { T("https://a/8004/X?17=281231"), E(AI_REQUIRES), F(DL), NULL, "17",
      "01" },
};


typedef struct {
    const char  *in;
    size_t       len;
} input_t;


/* every input of a group must give the group's canonical form */
static const input_t  equiv[][6] = {
    { { T("01/12312312312326/21/abc123") },
      { T("(01)12312312312326(21)abc123") },
      { T("https://id.gs1.org/01/12312312312326/21/abc123") },
      { T("011231231231232621abc123") },
      { T("]d2011231231231232621abc123") },
      { T("https://example.com/some/stem/01/12312312312326/21/abc123"
          "?17=281231") } },
    { { T("01/08934673577038/10/ABC123") },
      { T("(01)08934673577038(10)ABC123(17)281231") },
      { T("https://id.gs1.org/01/08934673577038/10/ABC123?17=281231") },
      { T("]C1010893467357703810ABC123\x1d" "17281231") },
      { T("(17)281231(10)ABC123(01)08934673577038") },
      { T("https://id.gs1.org/01/8934673577038/10/ABC123") } },
    { { T("01/08934673577038") },
      { T("8934673577038") },
      { T("(01)08934673577038") },
      { T("0108934673577038") },
      { T("https://id.gs1.org/01/08934673577038") },
      { T("]E08934673577038") } },
    { { T("01/12312312312333/10/ABC%2B123") },
      { T("(01)12312312312333(10)ABC+123(17)281231") },
      { T("https://id.gs1.org/01/12312312312333/10/ABC%2B123?17=281231") },
      { T("https://brand.example/products/01/12312312312333/10/ABC+123") },
      { T("]C10112312312312333" "10ABC+123\x1d" "17281231") },
      { T("(10)ABC+123(01)12312312312333") } },
    { { T("01/09506000134352/10/LOT-ABC") },
      { T("https://brand.example/products/01/09506000134352/10/LOT-ABC"
          "?17=281231") },
      { T("(01)09506000134352(10)LOT-ABC") },
      { T("0109506000134352" "10LOT-ABC") },
      { T("]Q3" "0109506000134352" "17281231" "10LOT-ABC") },
      { T("HTTP://ID.GS1.ORG/01/09506000134352/10/LOT%2dABC#x") } },
    { { T("01/08934673577038/10/ABC%2F1") },
      { T("(01)08934673577038(10)ABC/1") },
      { T("https://id.gs1.org/01/08934673577038/10/ABC%2F1") },
      { T("https://id.gs1.org/01/08934673577038/10/ABC%2f1") },
      { T("]C1010893467357703810ABC/1") },
      { T("(10)ABC/1(01)08934673577038") } },
};


static void
test_code_cases(void)
{
    int                        cond;
    size_t                     i;
    const code_case_t         *c;
    ngx_http_passport_code_t   code;

    for (i = 0; i < sizeof(code_cases) / sizeof(code_cases[0]); i++) {
        c = &code_cases[i];

        ngx_http_passport_code_parse(U(c->in), c->len, TODAY, &code);

        cond = code.err == c->err && code.form == c->form
               && strlen(code.canon) == code.len
               && (c->canon == NULL || strcmp(code.canon, c->canon) == 0)
               && (c->ai == NULL || strcmp(code.ai, c->ai) == 0)
               && (c->ai2 == NULL || strcmp(code.ai2, c->ai2) == 0)
               && (code.err == E(OK) || code.len == 0)
               && (code.err != E(OK) || code.len > 0)
               && code.pos <= c->len;

        ok(cond, "code \"%s\": err %d form %d canon \"%s\" ai \"%s\" "
           "ai2 \"%s\" pos %lu", show(c->in, c->len), code.err, code.form,
           code.canon, code.ai, code.ai2, (unsigned long) code.pos);
    }
}


static void
test_equivalence(void)
{
    int                        same;
    size_t                     g, i;
    ngx_http_passport_code_t   code;

    for (g = 0; g < sizeof(equiv) / sizeof(equiv[0]); g++) {
        same = 1;

        for (i = 1; i < 6; i++) {
            ngx_http_passport_code_parse(U(equiv[g][i].in), equiv[g][i].len,
                                         TODAY, &code);

            if (code.err != E(OK) || strcmp(code.canon, equiv[g][0].in) != 0)
            {
                diag("\"%s\" gave err %d canon \"%s\"",
                     show(equiv[g][i].in, equiv[g][i].len), code.err,
                     code.canon);
                same = 0;
            }
        }

        ok(same, "equivalent forms give canonical \"%s\"", equiv[g][0].in);
    }
}


/* one input, and checks of the fields not covered by the tables */
static void
test_code_fields(void)
{
    ngx_http_passport_code_t  c;

    ngx_http_passport_code_parse(U("(01)08934673577038(17)281231(422)704"),
                                 36, TODAY, &c);
    ok(c.err == 0 && c.has_expiry && c.expiry == 20281231L && c.has_origin
       && c.origin == 704 && strcmp(c.gtin, "08934673577038") == 0,
       "expiry %ld, origin %d, gtin %s", c.expiry, c.origin, c.gtin);

    ngx_http_passport_code_parse(U("(01)08934673577038"), 18, TODAY, &c);
    ok(c.err == 0 && !c.has_expiry && !c.has_origin,
       "no expiry nor origin without AI 17 and 422");

    ngx_http_passport_code_parse(U("(01)08934673577038(17)240229"), 28,
                                 TODAY, &c);
    ok(c.err == 0 && c.expiry == 20240229L, "17 240229 leap day: %ld",
       c.expiry);

    ngx_http_passport_code_parse(U("(01)08934673577038(17)230200"), 28,
                                 TODAY, &c);
    ok(c.err == 0 && c.expiry == 20230228L, "17 230200 day 00: %ld",
       c.expiry);

    ngx_http_passport_code_parse(U("(01)08934673577038(17)240200"), 28,
                                 TODAY, &c);
    ok(c.err == 0 && c.expiry == 20240229L, "17 240200 leap day 00: %ld",
       c.expiry);

    ngx_http_passport_code_parse(U("(01)08934673577038(17)251200"), 28,
                                 TODAY, &c);
    ok(c.err == 0 && c.expiry == 20251231L, "17 251200: %ld", c.expiry);

    ngx_http_passport_code_parse(U("https://a/01/08934673577038?17=250400"),
                                 37, TODAY, &c);
    ok(c.err == 0 && c.has_expiry && c.expiry == 20250430L,
       "DL 17=250400: %ld", c.expiry);

    ngx_http_passport_code_parse(U("https://a/01/08934673577038?422=704"),
                                 35, TODAY, &c);
    ok(c.err == 0 && c.has_origin && c.origin == 704, "DL 422=704: %d",
       c.origin);

    ngx_http_passport_code_parse(U("(01)09506000134352(422)004"), 26, TODAY,
                                 &c);
    ok(c.err == 0 && c.origin == 4, "422 004 (AF) accepted");

    ngx_http_passport_code_parse(U("(17)281231(422)704"), 18, TODAY, &c);
    ok(c.err == E(AI_REQUIRES) && !c.has_expiry && !c.has_origin
       && c.expiry == 0 && c.origin == 0,
       "no expiry nor origin from an invalid code");

    ngx_http_passport_code_parse(U("(00)123456789012345675"), 22, TODAY, &c);
    ok(c.err == 0 && c.gtin[0] == '\0', "no gtin for an SSCC");

    /* check digits */

    ngx_http_passport_code_parse(U("1234567890129"), 13, TODAY, &c);
    ok(c.err == E(CHECK_DIGIT) && c.expected == 8 && c.found == 9,
       "GTIN-13 check digit expected %d found %d", c.expected, c.found);

    ngx_http_passport_code_parse(U("(01)09506000134353"), 18, TODAY, &c);
    ok(c.err == E(CHECK_DIGIT) && c.expected == 2 && c.found == 3
       && c.pos == 4, "AI 01 check digit expected %d found %d pos %lu",
       c.expected, c.found, (unsigned long) c.pos);

    ngx_http_passport_code_parse(U("https://a/01/1231231231244"), 26, TODAY,
                                 &c);
    ok(c.err == E(CHECK_DIGIT) && c.expected == 9 && c.found == 4,
       "zero-suppressed DL GTIN check digit expected %d found %d",
       c.expected, c.found);

    /* positions */

    ngx_http_passport_code_parse(U("  (01)0950600013435X"), 20, TODAY, &c);
    ok(c.err == E(AI_CHARSET) && c.pos == 19, "charset pos %lu",
       (unsigned long) c.pos);

    ngx_http_passport_code_parse(U("(01)09506000134352(10)A\\(B C"), 28,
                                 TODAY, &c);
    ok(c.err == E(AI_CHARSET) && c.pos == 26, "charset pos after \\( %lu",
       (unsigned long) c.pos);

    ngx_http_passport_code_parse(U("https://a/01/12312312312326/10/A%41%20B"),
                                 39, TODAY, &c);
    ok(c.err == E(AI_CHARSET) && c.pos == 35, "charset pos after %%XX %lu",
       (unsigned long) c.pos);

    ngx_http_passport_code_parse(U("https://a/01/12312312312326/10/AB%G1"),
                                 36, TODAY, &c);
    ok(c.err == E(PERCENT) && c.pos == 33, "percent pos %lu",
       (unsigned long) c.pos);

    ngx_http_passport_code_parse(U("https://a/01/12312312312326/"), 28, TODAY,
                                 &c);
    ok(c.err == E(DL_SYNTAX) && c.pos == 10, "DL syntax pos %lu",
       (unsigned long) c.pos);

    ngx_http_passport_code_parse(U("]C10109506000134352" "8999X"), 24, TODAY,
                                 &c);
    ok(c.err == E(UNKNOWN_AI) && c.pos == 19, "unknown AI pos %lu",
       (unsigned long) c.pos);

    ngx_http_passport_code_parse(NULL, 10, TODAY, &c);
    ok(c.err == E(EMPTY), "NULL trace code is empty");
}


static void
test_century(void)
{
    size_t                     i;
    ngx_http_passport_code_t   c;
    char                       in[64];

    static const struct {
        long         today;
        const char  *yymmdd;
        long         expiry;
    } w[] = {
        { 20250601L, "281231", 20281231L },
        { 20250601L, "750101", 20750101L },
        { 20250601L, "760101", 19760101L },
        { 20250601L, "990101", 19990101L },
        { 20250601L, "000101", 20000101L },
        { 20600101L, "050101", 21050101L },
        { 20600101L, "100101", 21100101L },
        { 20600101L, "110101", 20110101L },
        { 19991231L, "000229", 20000229L },
        { 20990101L, "000229", 21000229L },     /* 2100: not a leap year */
        { 0L,        "250101", 20250101L },     /* no date: 2000s */
        { -5L,       "990101", 19990101L },
        { 123456789L, "250101", 20250101L },
    };

    for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
        snprintf(in, sizeof(in), "(01)09506000134352(17)%s", w[i].yymmdd);
        ngx_http_passport_code_parse(U(in), strlen(in), w[i].today, &c);

        if (w[i].today == 20990101L) {
            ok(c.err == E(AI_DATE), "today %ld: 17 %s is invalid (2100)",
               w[i].today, w[i].yymmdd);
            continue;
        }

        ok(c.err == 0 && c.expiry == w[i].expiry,
           "today %ld: 17 %s -> %ld (got %ld)", w[i].today, w[i].yymmdd,
           w[i].expiry, c.expiry);
    }
}


/* a megabyte of one AI repeated, and a long seller ID */
static void
test_limits_big(void)
{
    char                        *big, *p;
    size_t                       n, len;
    ngx_http_passport_code_t     c;
    ngx_http_passport_seller_t   sl;

    len = 1024 * 1024;
    big = malloc(len + 64);
    if (big == NULL) {
        abort();
    }

    p = big + sprintf(big, "https://a/01/09506000134352?17=281231");

    while ((size_t) (p - big) + 10 < len) {
        p += sprintf(p, "&17=281231");
    }

    n = p - big;
    ngx_http_passport_code_parse(U(big), n, TODAY, &c);
    ok(c.err == E(OVERSIZE), "1 MB Digital Link of AI 17 repeated: err %d",
       c.err);

    /* within the limit, the repeat itself is refused in a Digital Link */

    ngx_http_passport_code_parse(U(big), 47, TODAY, &c);
    ok(c.err == E(AI_REPEATED) && strcmp(c.ai, "17") == 0,
       "AI 17 twice in a Digital Link: err %d", c.err);

    memset(big, ' ', 513);
    memcpy(big + 200, "0100109106", 10);
    ngx_http_passport_seller_parse(U(big), 512, &sl);
    ok(sl.err == E(OK), "a tax code padded to 512 bytes: err %d", sl.err);
    ngx_http_passport_seller_parse(U(big), 513, &sl);
    ok(sl.err == E(OVERSIZE) && sl.len == 0,
       "padded to 513 bytes: err %d", sl.err);

    free(big);
}


static void
test_limits(void)
{
    size_t                     n;
    char                       in[2048], *p;
    ngx_http_passport_code_t   c;
    static const char         *ais[] = {
        "10", "11", "12", "13", "15", "16", "17", "20", "21", "22", "240",
        "241", "242", "243", "250", "251", "30", "3100", "3101", "3102",
        "3103", "3104", "3105", "3106", "3107", "3108", "3109", "3200",
        "3201", "3202", "3203", "3204"
    };

    /* 32 distinct AIs fit, 33 do not */

    for (n = 31; n <= 32; n++) {
        size_t  i;

        p = in + sprintf(in, "(01)09506000134352");

        for (i = 0; i < n; i++) {
            p += sprintf(p, "(%s)%s", ais[i],
                         ais[i][0] == '1' && ais[i][1] != '0' ? "250101"
                         : ais[i][0] == '3' && ais[i][1] != '0' ? "000100"
                         : ais[i][0] == '2' && ais[i][1] == '0' ? "01"
                         : "1");
        }

        ngx_http_passport_code_parse(U(in), p - in, TODAY, &c);
        ok(c.err == (n == 31 ? E(OK) : E(TOO_LONG)), "%lu AIs: err %d",
           (unsigned long) n + 1, c.err);
    }

    /* 64 path segments fit, 65 do not */

    for (n = 62; n <= 63; n++) {
        size_t  i;

        p = in + sprintf(in, "https://a");

        for (i = 0; i < n; i++) {
            p += sprintf(p, "/s");
        }

        p += sprintf(p, "/01/09506000134352");

        ngx_http_passport_code_parse(U(in), p - in, TODAY, &c);
        ok(c.err == (n == 63 ? E(TOO_LONG) : E(OK)),
           "%lu path segments: err %d", (unsigned long) n + 2, c.err);
    }

    /* the longest canonical form */

    p = in + sprintf(in, "https://a/01/09506000134352/22/");

    for (n = 0; n < 20; n++) {
        p += sprintf(p, "%%25");
    }

    p += sprintf(p, "/10/");

    for (n = 0; n < 20; n++) {
        p += sprintf(p, "%%2F");
    }

    p += sprintf(p, "/21/");

    for (n = 0; n < 20; n++) {
        p += sprintf(p, "%%3F");
    }

    ngx_http_passport_code_parse(U(in), p - in, TODAY, &c);
    ok(c.err == 0 && c.len == 209 && c.len == strlen(c.canon),
       "longest 01 canonical form: %lu bytes", (unsigned long) c.len);

    /* a long value is a length error, up to the input limit */

    memset(in, 'A', sizeof(in));
    memcpy(in, "(01)09506000134352(91)", 22);
    ngx_http_passport_code_parse(U(in), 512, TODAY, &c);
    ok(c.err == E(AI_LENGTH), "512-byte AI 91 value: err %d", c.err);

    memcpy(in, "https://a/01/09506000134352?91=", 31);
    ngx_http_passport_code_parse(U(in), 512, TODAY, &c);
    ok(c.err == E(AI_LENGTH), "512-byte DL query value: err %d", c.err);

    memset(in, '%', sizeof(in));
    memcpy(in, "https://a/01/09506000134352?91=", 31);
    ngx_http_passport_code_parse(U(in), 512, TODAY, &c);
    ok(c.err == E(PERCENT), "512 bytes of %%: err %d", c.err);

    memset(in, '1', sizeof(in));
    ngx_http_passport_code_parse(U(in), 512, TODAY, &c);
    ok(c.err == E(SHAPE), "512 bytes of digits: err %d", c.err);

    /* past the input limit nothing is looked at, not even white space */

    ngx_http_passport_code_parse(U(in), 513, TODAY, &c);
    ok(c.err == E(OVERSIZE) && c.len == 0 && c.form == F(NONE),
       "513 bytes of digits: err %d", c.err);

    memset(in, ' ', sizeof(in));
    memcpy(in + 600, "09506000134352", 14);
    ngx_http_passport_code_parse(U(in), sizeof(in), TODAY, &c);
    ok(c.err == E(OVERSIZE), "a GTIN padded past 512 bytes: err %d", c.err);

    test_limits_big();

    /* 91 characters in AI 91 */

    p = in + sprintf(in, "(01)09506000134352(91)");
    memset(p, 'z', 91);
    ngx_http_passport_code_parse(U(in), p - in + 90, TODAY, &c);
    ok(c.err == E(OK), "AI 91 with 90 characters");
    ngx_http_passport_code_parse(U(in), p - in + 91, TODAY, &c);
    ok(c.err == E(AI_LENGTH), "AI 91 with 91 characters");
}


static void
test_countries(void)
{
    ok(ngx_http_passport_country(U("VN"), 2) == 704
       && ngx_http_passport_country(U("vn"), 2) == 704
       && ngx_http_passport_country(U("vN"), 2) == 704, "VN = 704");
    ok(ngx_http_passport_country(U("US"), 2) == 840, "US = 840");
    ok(ngx_http_passport_country(U("CN"), 2) == 156, "CN = 156");
    ok(ngx_http_passport_country(U("JP"), 2) == 392, "JP = 392");
    ok(ngx_http_passport_country(U("KR"), 2) == 410, "KR = 410");
    ok(ngx_http_passport_country(U("TH"), 2) == 764, "TH = 764");
    ok(ngx_http_passport_country(U("DE"), 2) == 276, "DE = 276");
    ok(ngx_http_passport_country(U("FR"), 2) == 250, "FR = 250");
    ok(ngx_http_passport_country(U("GB"), 2) == 826, "GB = 826");
    ok(ngx_http_passport_country(U("AF"), 2) == 4
       && ngx_http_passport_country(U("ZW"), 2) == 716
       && ngx_http_passport_country(U("ZM"), 2) == 894
       && ngx_http_passport_country(U("AX"), 2) == 248, "first and last");
    ok(ngx_http_passport_country(U("704"), 3) == 704
       && ngx_http_passport_country(U("004"), 3) == 4
       && ngx_http_passport_country(U("894"), 3) == 894, "numeric codes");
    ok(ngx_http_passport_country(U("UK"), 2) == -1
       && ngx_http_passport_country(U("XK"), 2) == -1
       && ngx_http_passport_country(U("EU"), 2) == -1, "UK, XK, EU are not "
       "assigned");
    ok(ngx_http_passport_country(U("999"), 3) == -1
       && ngx_http_passport_country(U("000"), 3) == -1
       && ngx_http_passport_country(U("70"), 2) == -1
       && ngx_http_passport_country(U("7O4"), 3) == -1
       && ngx_http_passport_country(U("0704"), 4) == -1, "bad numerics");
    ok(ngx_http_passport_country(U("V"), 1) == -1
       && ngx_http_passport_country(U("VNM"), 3) == -1
       && ngx_http_passport_country(U("V\0"), 2) == -1
       && ngx_http_passport_country(U(""), 0) == -1
       && ngx_http_passport_country(NULL, 2) == -1, "bad alpha-2");
    ok(ngx_http_passport_country_alpha2(704) != NULL
       && strcmp(ngx_http_passport_country_alpha2(704), "VN") == 0
       && strcmp(ngx_http_passport_country_alpha2(4), "AF") == 0
       && strcmp(ngx_http_passport_country_alpha2(894), "ZM") == 0
       && ngx_http_passport_country_alpha2(0) == NULL
       && ngx_http_passport_country_alpha2(-1) == NULL
       && ngx_http_passport_country_alpha2(999) == NULL
       && ngx_http_passport_country_alpha2(1000) == NULL, "alpha2()");
}


static void
test_all_countries(void)
{
    int   n, count, back;
    char  num[16];

    count = 0;
    back = 1;

    for (n = 0; n < 1000; n++) {
        if (ngx_http_passport_country_alpha2(n) == NULL) {
            continue;
        }

        count++;
        snprintf(num, sizeof(num), "%03d", n);

        if (ngx_http_passport_country(U(ngx_http_passport_country_alpha2(n)),
                                      2) != n
            || ngx_http_passport_country(U(num), 3) != n)
        {
            back = 0;
        }
    }

    ok(count == 249, "249 assigned ISO 3166-1 codes (%d)", count);
    ok(back, "alpha-2 and numeric round trip for all");
}


static void
test_check_digit(void)
{
    ok(ngx_http_passport_gs1_check_digit(U("0234567"), 7) == 3
       && ngx_http_passport_gs1_check_digit(U("41600033610"), 11) == 8
       && ngx_http_passport_gs1_check_digit(U("123456789012"), 12) == 8
       && ngx_http_passport_gs1_check_digit(U("1234567890123"), 13) == 1
       && ngx_http_passport_gs1_check_digit(U("12345678901234567"), 17) == 5,
       "GS1 check digits");
    ok(ngx_http_passport_gs1_check_digit(U("12a"), 3) == -1
       && ngx_http_passport_gs1_check_digit(U("1\0002"), 3) == -1
       && ngx_http_passport_gs1_check_digit(U(""), 0) == 0
       && ngx_http_passport_gs1_check_digit(NULL, 0) == 0
       && ngx_http_passport_gs1_check_digit(NULL, 3) == -1,
       "GS1 check digit edge cases");
    ok(ngx_http_passport_gs1_check_digit(U("1234567890129"), 12) == 8,
       "only the first len digits count");
}


/* explanations */

static int
explain_ok(const char *s, size_t n)
{
    return n > 0 && n == strlen(s) && s[n - 1] != '.' && s[n - 1] != ' '
           && utf8_valid(s) && strchr(s, '$') == NULL
           && strchr(s, '\n') == NULL;
}


static void
test_explain(void)
{
    int                          err, all, lang;
    size_t                       i, n;
    char                         buf[256], small[16];
    ngx_http_passport_seller_t   sl;
    ngx_http_passport_code_t     c;

    static const input_t  sellers[] = {
        { T("0100109106") }, { T("") }, { T("X") }, { T("0100000008") },
        { T("0100233480") }, { T("213800KUD8LXJWSQ9D15") },
        { T("0314409058-000") }, { T("003099012345") },
        { T("001499012345") }, { T("0110000010") },
        { T("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") },
        { T("001099012345") }, { T("213800KUD8LAJWSQ9D15") },
    };

    static const input_t  codes[] = {
        { T("(01)12312312312326") }, { T("") }, { T("ABC") },
        { T("1234567890129") }, { T("(999)1") }, { T("(01)1") },
        { T("(01)1234567890128X") }, { T("(01)09506000134352(17)231301") },
        { T("(01)09506000134352(422)999") },
        { T("(01)09506000134352(10)A(10)B") }, { T("(10)A") },
        { T("(01)09506000134352(21)A(235)B") }, { T("(99)A") },
        { T("https://a/01/09506000134352/") },
        { T("https://a/01/09506000134352/10/%G1") },
    };

    all = 1;

    for (i = 0; i < sizeof(sellers) / sizeof(sellers[0]); i++) {
        ngx_http_passport_seller_parse(U(sellers[i].in), sellers[i].len, &sl);

        for (lang = 0; lang < 2; lang++) {
            n = ngx_http_passport_seller_explain(&sl, lang, buf, sizeof(buf));

            if (!explain_ok(buf, n)) {
                diag("bad seller explanation \"%s\"", buf);
                all = 0;
            }
        }
    }

    ok(all, "seller explanations are single clean sentences");

    all = 1;

    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        ngx_http_passport_code_parse(U(codes[i].in), codes[i].len, TODAY, &c);

        for (lang = 0; lang < 2; lang++) {
            n = ngx_http_passport_code_explain(&c, lang, buf, sizeof(buf));

            if (!explain_ok(buf, n)) {
                diag("bad code explanation \"%s\"", buf);
                all = 0;
            }
        }
    }

    ok(all, "code explanations are single clean sentences");

    /* every error code has its own sentence */

    all = 1;

    for (err = 0; err <= E(AI_REPEATED) + 1; err++) {
        memset(&c, 0, sizeof(c));
        c.err = err;
        strcpy(c.ai, "01");
        strcpy(c.ai2, "02");

        for (lang = 0; lang < 2; lang++) {
            n = ngx_http_passport_code_explain(&c, lang, buf, sizeof(buf));

            if (!explain_ok(buf, n)) {
                diag("code error %d: \"%s\"", err, buf);
                all = 0;
            }
        }

        memset(&sl, 0, sizeof(sl));
        sl.err = err;

        for (lang = 0; lang < 2; lang++) {
            n = ngx_http_passport_seller_explain(&sl, lang, buf, sizeof(buf));

            if (!explain_ok(buf, n)) {
                diag("seller error %d: \"%s\"", err, buf);
                all = 0;
            }
        }
    }

    ok(all, "every error code explained in both languages");

    /* exact sentences */

    ngx_http_passport_code_parse(U("(01)09506000134353"), 18, TODAY, &c);
    ngx_http_passport_code_explain(&c, NGX_HTTP_PASSPORT_LANG_EN, buf,
                                   sizeof(buf));
    ok(strcmp(buf, "check digit of the barcode number (GTIN, AI 01) is 3, "
                   "expected 2") == 0,
       "EN: %s", buf);
    ngx_http_passport_code_explain(&c, NGX_HTTP_PASSPORT_LANG_VI, buf,
                                   sizeof(buf));
    ok(strcmp(buf, "số kiểm tra của mã số mã vạch (GTIN, AI 01) là 3, "
                   "đúng ra phải là 2") == 0,
       "VI: %s", buf);

    ngx_http_passport_code_parse(U("(999)1"), 6, TODAY, &c);
    ngx_http_passport_code_explain(&c, NGX_HTTP_PASSPORT_LANG_EN, buf,
                                   sizeof(buf));
    ok(strcmp(buf, "unknown GS1 Application Identifier (AI 999)") == 0,
       "EN: %s", buf);

    ngx_http_passport_code_parse(U("(10)A"), 5, TODAY, &c);
    ngx_http_passport_code_explain(&c, NGX_HTTP_PASSPORT_LANG_EN, buf,
                                   sizeof(buf));
    ok(strcmp(buf, "the lot (AI 10) needs the barcode number (GTIN, AI 01)")
       == 0, "EN: %s", buf);

    ngx_http_passport_seller_parse(U("0100233480"), 10, &sl);
    ngx_http_passport_seller_explain(&sl, NGX_HTTP_PASSPORT_LANG_EN, buf,
                                     sizeof(buf));
    ok(strcmp(buf, "tax code check digit is 0, expected 8") == 0, "EN: %s",
       buf);
    ngx_http_passport_seller_explain(&sl, NGX_HTTP_PASSPORT_LANG_VI, buf,
                                     sizeof(buf));
    ok(strcmp(buf, "số kiểm tra của mã số thuế là 0, đúng ra phải là 8") == 0,
       "VI: %s", buf);

    ngx_http_passport_seller_parse(U("ABC"), 3, &sl);
    ngx_http_passport_seller_explain(&sl, NGX_HTTP_PASSPORT_LANG_EN, buf,
                                     sizeof(buf));
    ok(strcmp(buf, "not a Vietnamese tax code, citizen ID or LEI") == 0,
       "EN: %s", buf);
    ngx_http_passport_seller_explain(&sl, NGX_HTTP_PASSPORT_LANG_VI, buf,
                                     sizeof(buf));
    ok(strcmp(buf, "không phải mã số thuế, số định danh cá nhân hay mã LEI")
       == 0, "VI: %s", buf);

    ngx_http_passport_seller_parse(U("213800KUD8LXJWSQ9D15"), 20, &sl);
    ngx_http_passport_seller_explain(&sl, NGX_HTTP_PASSPORT_LANG_EN, buf,
                                     sizeof(buf));
    ok(strcmp(buf, "LEI check digits are 15, expected 58") == 0, "EN: %s",
       buf);

    ngx_http_passport_seller_parse(U("003099012345"), 12, &sl);
    ngx_http_passport_seller_explain(&sl, NGX_HTTP_PASSPORT_LANG_EN, buf,
                                     sizeof(buf));
    ok(strstr(buf, "003") != NULL, "EN: %s", buf);

    /* cut to fit */

    memset(small, 'x', sizeof(small));
    ok(ngx_http_passport_seller_explain(&sl, 0, small, 0) == 0
       && small[0] == 'x', "size 0 writes nothing");
    ok(ngx_http_passport_code_explain(&c, 1, small, 0) == 0
       && small[0] == 'x', "size 0 writes nothing (code)");
    ok(ngx_http_passport_code_explain(&c, 1, small, 1) == 0
       && small[0] == '\0', "size 1 gives an empty string");

    all = 1;

    ngx_http_passport_seller_parse(U("ABC"), 3, &sl);

    for (n = 1; n <= sizeof(small); n++) {
        memset(small, 'x', sizeof(small));
        i = ngx_http_passport_seller_explain(&sl, NGX_HTTP_PASSPORT_LANG_VI,
                                             small, n);

        if (i >= n || strlen(small) != i || !utf8_valid(small)) {
            all = 0;
        }
    }

    ok(all, "Vietnamese cut on UTF-8 boundaries for every size");
}


/* random inputs: nothing may crash, and the outputs stay consistent */

static unsigned long  rnd_state = 12345;


static unsigned
rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245UL + 12345UL;

    return (unsigned) ((rnd_state >> 16) & 0x7fff) % n;
}


static void
test_random(void)
{
    int                          good, canon_ok, ok_count;
    size_t                       i, j, len, m;
    char                         in[300], again[600], buf[64];
    ngx_http_passport_code_t     c, c2;
    ngx_http_passport_seller_t   sl;

    static const char  alpha[] = "0123456789012345678901234567890123456789"
                                 "()%/?&=#:]Cd\x1d+AaZz-._~ \t2F%41";
    static const input_t  seeds[] = {
        { T("https://id.gs1.org/01/12312312312326/10/A%2FB/21/X?17=281231") },
        { T("(01)08934673577038(10)ABC123(17)281231(422)704") },
        { T("]C1010893467357703810ABC123\x1d" "17281231") },
        { T("0100112437-011") },
        { T("213800KUD8LAJWSQ9D15") },
        { T("https://a/8006/095060001343520102/22/C/10/L/21/S") },
    };

    good = 1;
    canon_ok = 1;
    ok_count = 0;

    for (i = 0; i < 60000; i++) {
        if (i % 2) {
            len = rnd(sizeof(in));

            for (j = 0; j < len; j++) {
                in[j] = (char) (rnd(4) ? (unsigned char) alpha[rnd(sizeof(alpha)
                                                                  - 1)]
                                       : rnd(256));
            }

        } else {
            m = rnd(sizeof(seeds) / sizeof(seeds[0]));
            len = seeds[m].len;
            memcpy(in, seeds[m].in, len);

            for (j = rnd(4); j > 0; j--) {
                switch (rnd(3)) {
                case 0:
                    if (len == 0) {
                        break;
                    }

                    in[rnd(len)] = (char) (rnd(2) ? alpha[rnd(sizeof(alpha)
                                                              - 1)]
                                                  : 'x');
                    break;
                case 1:
                    len = rnd(len + 1);
                    break;
                default:
                    if (len < sizeof(in)) {
                        in[len++] = alpha[rnd(sizeof(alpha) - 1)];
                    }
                }
            }
        }

        ngx_http_passport_code_parse(U(in), len, 20250601L, &c);

        if (c.err < 0 || c.err > E(AI_REPEATED) || c.len != strlen(c.canon)
            || c.len >= NGX_HTTP_PASSPORT_CANON_MAX || c.pos > len
            || (c.err == 0) != (c.len > 0) || strlen(c.ai) > 4
            || strlen(c.ai2) > 4 || strlen(c.gtin) > 14)
        {
            good = 0;
        }

        ngx_http_passport_code_explain(&c, rnd(2), buf, 1 + rnd(64));

        if (c.err == 0) {
            ok_count++;

            /* the canonical form is itself a Digital Link path */
            snprintf(again, sizeof(again), "https://id.gs1.org/%s", c.canon);
            ngx_http_passport_code_parse(U(again), strlen(again), 20250601L,
                                         &c2);

            if (c2.err != 0 || strcmp(c2.canon, c.canon) != 0) {
                diag("canonical form of \"%s\" does not parse back: %d",
                     show(in, len), c2.err);
                canon_ok = 0;
            }
        }

        ngx_http_passport_seller_parse(U(in), len % 40, &sl);

        if (sl.err < 0 || sl.err > E(AI_REPEATED)
            || strlen(sl.id) >= NGX_HTTP_PASSPORT_SELLER_MAX)
        {
            good = 0;
        }

        ngx_http_passport_seller_explain(&sl, rnd(2), buf, 1 + rnd(64));
    }

    ok(good, "60000 random and mutated inputs keep the outputs consistent");
    ok(canon_ok && ok_count > 100,
       "canonical forms parse back to themselves (%d valid codes)", ok_count);
}


int
main(void)
{
    test_seller();
    test_code_cases();
    test_equivalence();
    test_code_fields();
    test_century();
    test_limits();
    test_countries();
    test_all_countries();
    test_check_digit();
    test_explain();
    test_random();

    printf("1..%d\n", tests);

    if (failed) {
        printf("# %d of %d tests failed\n", failed, tests);
        return 1;
    }

    return 0;
}
