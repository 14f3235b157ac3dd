
/*
 * Copyright (C) passport developers
 */


/*
 * Human-readable explanations of identifier errors, in English and
 * Vietnamese.  Pure C, no nginx dependency.
 */


#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "passport_ids.h"


/*
 * Explanations by error code, English and Vietnamese.  In the templates
 * $a and $b stand for the AIs, $f and $e for the found and expected check
 * digits ($F, $E: two digits; $P: three), $p for the 1-based position in
 * the input, $i for the first 9 digits of the ID and $k for its kind.
 */

typedef struct {
    const char                     *ai;
    const char                     *ai2;
    const char                     *id;
    const char                     *kind;
    int                             found;
    int                             expected;
    unsigned long                   pos;
} ngx_http_passport_args_t;


static const char *const  ngx_http_passport_code_msgs[][2] = {
    { "valid GS1 trace code", "mã truy xuất GS1 hợp lệ" },
    { "trace code is empty", "mã truy xuất đang để trống" },
    { "not a GTIN, GS1 element string or GS1 Digital Link URI",
      "không phải mã GTIN, chuỗi dữ liệu GS1 hay URI GS1"
      " Digital Link" },
    { "check digit of AI ($a) is $f, expected $e",
      "số kiểm tra của AI ($a) là $f, đúng ra phải là $e" },
    { NULL, NULL },
    { NULL, NULL },
    { NULL, NULL },
    { NULL, NULL },
    { "unknown GS1 Application Identifier ($a)",
      "số phân định ứng dụng GS1 ($a) không xác định" },
    { "value of AI ($a) has the wrong length",
      "giá trị của AI ($a) có độ dài không đúng" },
    { "invalid character at position $p in AI ($a)",
      "ký tự không hợp lệ ở vị trí $p trong AI ($a)" },
    { "invalid date in AI ($a)", "ngày trong AI ($a) không hợp lệ" },
    { "AI ($a) holds an unassigned ISO 3166 country code",
      "AI ($a) chứa mã quốc gia ISO 3166 không tồn tại" },
    { "AI ($a) appears twice with different values",
      "AI ($a) xuất hiện hai lần với giá trị khác nhau" },
    { "AI ($a) requires AI ($b)", "AI ($a) phải đi kèm AI ($b)" },
    { "AI ($a) cannot be used together with AI ($b)",
      "AI ($a) không được dùng cùng với AI ($b)" },
    { "no GS1 primary key such as a GTIN (01)",
      "thiếu khóa chính GS1, chẳng hạn GTIN (01)" },
    { "malformed GS1 Digital Link URI at position $p",
      "URI GS1 Digital Link sai cú pháp ở vị trí $p" },
    { "malformed percent escape at position $p",
      "mã thoát phần trăm sai ở vị trí $p" },
    { "trace code is too long", "mã truy xuất quá dài" },
    { "invalid trace code", "mã truy xuất không hợp lệ" },
};


static const char *const  ngx_http_passport_seller_msgs[][2] = {
    { "$k is valid", "$k hợp lệ" },
    { "seller ID is empty",
      "mã định danh người bán đang để trống" },
    { "not a Vietnamese tax code, citizen ID or LEI",
      "không phải mã số thuế, số định danh cá nhân"
      " hay mã LEI" },
    { "tax code check digit is $f, expected $e",
      "số kiểm tra của mã số thuế là $f, đúng ra phải là $e" },
    { "tax code branch suffix must be -001 to -999",
      "mã đơn vị phụ thuộc của mã số thuế phải"
      " từ -001 đến -999" },
    { "citizen ID province code $P is not in use",
      "mã tỉnh $P của số định danh cá nhân không tồn tại" },
    { "citizen ID 4th digit $f means a birth year after 2099",
      "chữ số thứ tư $f của số định danh cá nhân"
      " ứng với năm sinh sau 2099" },
    { "tax code prefix $i has no valid check digit",
      "tiền tố $i của mã số thuế không có số kiểm"
      " tra hợp lệ" },
    { "seller ID is too long", "mã định danh người bán quá dài" },
    { "invalid seller ID", "mã định danh người bán không hợp lệ" },
    { "tax code digits 3 to 9 cannot all be zero",
      "chữ số thứ 3 đến thứ 9 của mã số thuế không"
      " được đều bằng 0" },
    { "LEI check digits are $F, expected $E",
      "hai số kiểm tra của mã LEI là $F, đúng ra phải là $E" },
};


static size_t
ngx_http_passport_expand(char *buf, size_t size, const char *t,
    const ngx_http_passport_args_t *a)
{
    int     n;
    char    tmp[256], *p, *last;
    size_t  len;

    if (buf == NULL || size == 0) {
        return 0;
    }

    p = tmp;
    last = tmp + sizeof(tmp) - 1;

    for ( /* void */ ; *t && p < last; t++) {
        if (t[0] != '$' || t[1] == '\0') {
            *p++ = *t;
            continue;
        }

        switch (*++t) {
        case 'a':
        case 'b':
        case 'i':
        case 'k':
            n = snprintf(p, last - p + 1, *t == 'i' ? "%.9s" : "%.30s",
                         *t == 'a' ? a->ai : *t == 'b' ? a->ai2
                         : *t == 'i' ? a->id : a->kind);
            break;
        case 'p':
            n = snprintf(p, last - p + 1, "%lu", a->pos);
            break;
        case 'e':
        case 'E':
            n = snprintf(p, last - p + 1, *t == 'e' ? "%d" : "%02d",
                         a->expected);
            break;
        default:
            n = snprintf(p, last - p + 1,
                         *t == 'F' ? "%02d" : *t == 'P' ? "%03d" : "%d",
                         a->found);
        }

        p += (n < 0) ? 0 : (n > last - p) ? last - p : n;
    }

    /* cut to fit, on a UTF-8 character boundary */

    len = p - tmp;

    if (len >= size) {
        for (len = size - 1;
             len > 0 && ((unsigned char) tmp[len] & 0xc0) == 0x80;
             len--)
        {
            /* void */
        }
    }

    memcpy(buf, tmp, len);
    buf[len] = '\0';

    return len;
}


size_t
ngx_http_passport_seller_explain(const ngx_http_passport_seller_t *sl,
    int lang, char *buf, size_t size)
{
    int                        e, vi;
    ngx_http_passport_args_t   a;
    static const char *const   kinds[][2] = {
        { "seller ID", "mã định danh người bán" },
        { "tax code", "mã số thuế" },
        { "citizen ID", "số định danh cá nhân" },
        { "LEI", "mã LEI" },
    };

    vi = (lang == NGX_HTTP_PASSPORT_LANG_VI);
    e = sl->err;

    if (e == NGX_HTTP_PASSPORT_ID_SHAPE
        && sl->kind == NGX_HTTP_PASSPORT_SELLER_TAX_CODE)
    {
        e = 10;

    } else if (e == NGX_HTTP_PASSPORT_ID_CHECK_DIGIT
               && sl->kind == NGX_HTTP_PASSPORT_SELLER_LEI)
    {
        e = 11;

    } else if (e == NGX_HTTP_PASSPORT_ID_TOO_LONG) {
        e = 8;

    } else if (e < 0 || e > NGX_HTTP_PASSPORT_ID_NO_VALID_CODE) {
        e = 9;
    }

    memset(&a, 0, sizeof(ngx_http_passport_args_t));
    a.id = sl->id;
    a.kind = kinds[(sl->kind >= 0 && sl->kind <= 3) ? sl->kind : 0][vi];
    a.found = sl->found % 1000;
    a.expected = sl->expected % 1000;

    return ngx_http_passport_expand(buf, size,
                                    ngx_http_passport_seller_msgs[e][vi], &a);
}


size_t
ngx_http_passport_code_explain(const ngx_http_passport_code_t *code,
    int lang, char *buf, size_t size)
{
    int                        e;
    size_t                     n, n2;
    char                       ai[5], ai2[5];
    const char                *p;
    ngx_http_passport_args_t   a;

    e = code->err;

    if (e < 0 || e > NGX_HTTP_PASSPORT_ID_TOO_LONG
        || ngx_http_passport_code_msgs[e][0] == NULL)
    {
        e = NGX_HTTP_PASSPORT_ID_TOO_LONG + 1;
    }

    /* the parser wrote printable AIs; only bound them here */

    p = memchr(code->ai, '\0', 4);
    n = p ? (size_t) (p - code->ai) : 4;
    p = memchr(code->ai2, '\0', 4);
    n2 = p ? (size_t) (p - code->ai2) : 4;

    memset(&a, 0, sizeof(ngx_http_passport_args_t));
    memcpy(ai, code->ai, n);
    ai[n] = '\0';
    memcpy(ai2, code->ai2, n2);
    ai2[n2] = '\0';
    a.ai = ai;
    a.ai2 = ai2;
    a.found = code->found % 1000;
    a.expected = code->expected % 1000;
    a.pos = (unsigned long) code->pos + 1;

    return ngx_http_passport_expand(buf, size,
                                    ngx_http_passport_code_msgs[e]
                                        [lang == NGX_HTTP_PASSPORT_LANG_VI],
                                    &a);
}
