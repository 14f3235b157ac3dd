
/*
 * Copyright (C) passport developers
 */


/*
 * Helpers shared by the identifier files (seller IDs, trace codes, registry
 * records).  Pure C, no nginx dependency.
 */


#include <stddef.h>

#include "passport_ids.h"


/* trims spaces, tabs, CR, LF and, if vf, VT and FF */
const unsigned char *
ngx_http_passport_trim(const unsigned char *s, size_t *len, int vf)
{
    size_t  n;

    for (n = s ? *len : 0; n > 0 && (*s == ' ' || *s == '\t' || *s == '\r'
                                     || *s == '\n'
                                     || (vf && (*s == '\v' || *s == '\f')));
         n--)
    {
        s++;
    }

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'
                     || s[n - 1] == '\n'
                     || (vf && (s[n - 1] == '\v' || s[n - 1] == '\f'))))
    {
        n--;
    }

    *len = n;

    return s;
}


int
ngx_http_passport_digits(const unsigned char *p, size_t n)
{
    while (n > 0 && ngx_http_passport_digit(p[n - 1])) {
        n--;
    }

    return n == 0;
}


/* value of up to 9 digits */
int
ngx_http_passport_num(const unsigned char *p, size_t n)
{
    int  v;

    for (v = 0; n > 0; n--, p++) {
        v = v * 10 + (*p - '0');
    }

    return v;
}
