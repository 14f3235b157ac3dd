
/*
 * Copyright (C) passport developers
 */


/*
 * Counting the values of a JSON text before it is parsed, so that a body
 * made of many tiny values ("[{},{},...]") is refused before a parser
 * turns each three bytes of it into a hundred bytes of tree; and showing
 * a number.  Pure C, no nginx dependency.
 */


#include <stdio.h>
#include <string.h>

#include "passport_json.h"


#define ngx_http_passport_json_ws(c)                                          \
    ((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')

/* the bytes that end a literal (a number, true, false, null) */
#define ngx_http_passport_json_stop(c)                                        \
    (ngx_http_passport_json_ws(c) || (c) == '{' || (c) == '}'                 \
     || (c) == '[' || (c) == ']' || (c) == ',' || (c) == ':' || (c) == '"')


/* past the closing quote of the string whose opening quote is at p */
static const unsigned char *
ngx_http_passport_json_string(const unsigned char *p, const unsigned char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\') {
            p++;
            continue;
        }

        if (*p == '"') {
            return p + 1;
        }
    }

    return end;
}


/*
 * Containers, strings and literals each count one, except a string that
 * a ':' follows (a member name).  Nothing is ever subtracted, so that
 * garbage after a valid beginning cannot lower the count.
 */
size_t
ngx_http_passport_json_values(const unsigned char *p, size_t len, size_t max)
{
    size_t                n;
    const unsigned char  *end, *q;

    end = p + len;
    n = 0;

    while (p < end && n <= max) {

        if (ngx_http_passport_json_ws(*p) || *p == '}' || *p == ']'
            || *p == ',' || *p == ':')
        {
            p++;
            continue;
        }

        if (*p == '{' || *p == '[') {
            n++;
            p++;
            continue;
        }

        if (*p == '"') {
            p = ngx_http_passport_json_string(p, end);

            for (q = p; q < end && ngx_http_passport_json_ws(*q); q++) {
                /* void */
            }

            n += (q == end || *q != ':');
            p = q;
            continue;
        }

        /* a literal, up to the next structural byte */

        n++;

        while (p < end && !ngx_http_passport_json_stop(*p)) {
            p++;
        }
    }

    return n;
}


size_t
ngx_http_passport_json_number(double d, char *buf, size_t size)
{
    int  n;

    if (size == 0) {
        return 0;
    }

    /* the range first: converting 1e300 to an integer is undefined */

    if (d > -1e15 && d < 1e15 && d == (double) (long long) d) {
        n = snprintf(buf, size, "%lld", (long long) d);

    } else {
        n = snprintf(buf, size, "%.17g", d);
    }

    if (n < 0) {
        buf[0] = '\0';
        return 0;
    }

    return ((size_t) n < size) ? (size_t) n : size - 1;
}
