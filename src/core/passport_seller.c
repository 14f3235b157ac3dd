
/*
 * Copyright (C) passport developers
 */


/*
 * Seller IDs: Vietnamese enterprise tax code, citizen ID, ISO 17442 LEI.
 * Pure C, no nginx dependency.
 */


#include <stddef.h>
#include <string.h>

#include "passport_ids.h"


/* the 63 province codes in use (Circular 07/2016/TT-BCA) */
static const char  ngx_http_passport_provinces[] =
    "001002004006008010011012014015017019020022024025026027030031033034"
    "035036037038040042044045046048049051052054056058060062064066067068"
    "070072074075077079080082083084086087089091092093094095096";


/* seller IDs */

static int
ngx_http_passport_tax_code(ngx_http_passport_seller_t *out)
{
    static const int  w[9] = { 31, 29, 23, 19, 17, 13, 7, 5, 3 };

    int                   i, sum;
    const unsigned char  *id;

    id = (const unsigned char *) out->id;
    out->kind = NGX_HTTP_PASSPORT_SELLER_TAX_CODE;

    if (out->len > 10
        && (out->len != 14 || !ngx_http_passport_digits(id + 11, 3)
            || memcmp(id + 11, "000", 3) == 0))
    {
        return out->err = NGX_HTTP_PASSPORT_ID_BRANCH;
    }

    if (memcmp(id + 2, "0000000", 7) == 0) {
        return out->err = NGX_HTTP_PASSPORT_ID_SHAPE;
    }

    for (sum = 0, i = 0; i < 9; i++) {
        sum += (id[i] - '0') * w[i];
    }

    out->found = id[9] - '0';

    if (sum % 11 == 0) {
        /* the check digit would be 10 */
        return out->err = NGX_HTTP_PASSPORT_ID_NO_VALID_CODE;
    }

    out->expected = 10 - sum % 11;

    if (out->expected != out->found) {
        return out->err = NGX_HTTP_PASSPORT_ID_CHECK_DIGIT;
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


static int
ngx_http_passport_citizen(ngx_http_passport_seller_t *out)
{
    size_t                i;
    const unsigned char  *id;

    id = (const unsigned char *) out->id;
    out->kind = NGX_HTTP_PASSPORT_SELLER_CITIZEN;

    for (i = 0; i < sizeof(ngx_http_passport_provinces) - 1; i += 3) {
        if (memcmp(ngx_http_passport_provinces + i, id, 3) == 0) {
            break;
        }
    }

    if (i >= sizeof(ngx_http_passport_provinces) - 1) {
        out->found = ngx_http_passport_num(id, 3);
        return out->err = NGX_HTTP_PASSPORT_ID_PROVINCE;
    }

    /*
     * Century and gender: 0/1 born in the 1900s, 2/3 in the 2000s, 4/5 in
     * the 2100s and so on up to 8/9: only 0-3 are possible today.
     */

    if (id[3] > '3') {
        out->found = id[3] - '0';
        return out->err = NGX_HTTP_PASSPORT_ID_CENTURY;
    }

    return NGX_HTTP_PASSPORT_ID_OK;
}


/* ISO 17442: ISO 7064 MOD 97-10 with A = 10 ... Z = 35 */
static int
ngx_http_passport_lei(ngx_http_passport_seller_t *out)
{
    int                   r, body;
    size_t                i;
    const unsigned char  *id;

    id = (const unsigned char *) out->id;

    for (r = 0, body = 0, i = 0; i < 20; i++) {
        if (!ngx_http_passport_digit(id[i]) && !ngx_http_passport_upper(id[i]))
        {
            return out->err = NGX_HTTP_PASSPORT_ID_SHAPE;
        }

        r = ngx_http_passport_digit(id[i]) ? (r * 10 + id[i] - '0') % 97
                                           : (r * 100 + id[i] - 'A' + 10) % 97;
        body = (i == 17) ? r : body;
    }

    out->kind = NGX_HTTP_PASSPORT_SELLER_LEI;
    out->expected = 98 - (body * 100) % 97;
    out->found = ngx_http_passport_num(id + 18, 2);

    return out->err = (r == 1) ? NGX_HTTP_PASSPORT_ID_OK
                               : NGX_HTTP_PASSPORT_ID_CHECK_DIGIT;
}


int
ngx_http_passport_seller_parse(const unsigned char *s, size_t len,
    ngx_http_passport_seller_t *out)
{
    size_t   i, nd;
    char    *id;

    memset(out, 0, sizeof(ngx_http_passport_seller_t));

    /* before anything else: an over-long ID is not even trimmed */

    if (len > NGX_HTTP_PASSPORT_INPUT_MAX) {
        return out->err = NGX_HTTP_PASSPORT_ID_OVERSIZE;
    }

    s = ngx_http_passport_trim(s, &len, 1);

    if (len == 0) {
        return out->err = NGX_HTTP_PASSPORT_ID_EMPTY;
    }

    if (len >= NGX_HTTP_PASSPORT_SELLER_MAX) {
        return out->err = NGX_HTTP_PASSPORT_ID_TOO_LONG;
    }

    /* upper case; bytes that cannot be shown become '?' */

    id = out->id;

    for (i = 0; i < len; i++) {
        id[i] = (char) (ngx_http_passport_lower(s[i]) ? s[i] - 'a' + 'A'
                        : (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?');
    }

    out->len = len;

    for (nd = 0; nd < len && ngx_http_passport_digit(s[nd]); nd++) {
        /* void */
    }

    if (nd == len && len == 13) {
        /* a dependent unit written without the dash */
        memmove(id + 11, id + 10, 3);
        id[10] = '-';
        out->len = 14;
    }

    if ((nd == len && (len == 10 || len == 13)) || (nd == 10 && id[10] == '-'))
    {
        return ngx_http_passport_tax_code(out);
    }

    if (nd == len && len == 12) {
        return ngx_http_passport_citizen(out);
    }

    if (len == 20 && ngx_http_passport_digit(id[18])
        && ngx_http_passport_digit(id[19]))
    {
        return ngx_http_passport_lei(out);
    }

    return out->err = NGX_HTTP_PASSPORT_ID_SHAPE;
}


const char *
ngx_http_passport_seller_kind_name(int kind)
{
    static const char *const  names[] = {
        "unknown", "tax_code", "citizen_id", "lei"
    };

    return names[(kind >= 0 && kind <= 3) ? kind : 0];
}
