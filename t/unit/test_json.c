
/*
 * Copyright (C) passport developers
 *
 * Unit tests for counting the values of a JSON text before parsing it,
 * and for showing a number (under UBSan: no conversion out of range).
 * TAP output.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "passport_json.h"
#include "tap.h"


static size_t
count(const char *s, size_t max)
{
    return ngx_http_passport_json_values((const unsigned char *) s,
                                         strlen(s), max);
}


/* the count of a valid text is what jansson builds */
static size_t
jansson_values(json_t *v)
{
    size_t       i, n;
    json_t      *e;
    const char  *k;

    n = 1;

    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            n += jansson_values(e);
        }

    } else if (json_is_object(v)) {
        json_object_foreach(v, k, e) {
            n += jansson_values(e);
        }
    }

    return n;
}


static void
test_count(void)
{
    size_t         i, n;
    char          *big;
    json_t        *doc;
    json_error_t   err;

    static const char  *valid[] = {
        "{}", "[]", "1", "-1.5e3", "\"x\"", "true", "null",
        "{\"a\":1}", "{\"a\" : \"b\" , \"c\":[1,2,{}]}",
        "[\"a:\",\"b\\\"\",\":\"]", "{\"k\\\"\":\"v\"}",
        " [ { \"a\" : [ ] } , 1e2 , false ] ",
        "{\"seller\":\"0100109106\",\"items\":[{\"trace_code\":\"x\"}]}"
    };

    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        doc = json_loads(valid[i], JSON_DECODE_ANY, &err);
        if (doc == NULL) {
            abort();
        }

        n = jansson_values(doc);
        is_int((long) count(valid[i], 1000), (long) n, valid[i]);
        json_decref(doc);
    }

    is_int((long) count("", 10), 0, "an empty text has no value");
    is_int((long) count("[1,2,3,4,5]", 3), 4, "the count stops at max + 1");
    is_int((long) count("[1,2,3]", 4), 4, "exactly max is not more");
    is_int((long) count("\"unterminated", 10), 1,
           "an unterminated string is one");
    is_int((long) count("[{},{}]:::::::", 100), 3,
           "garbage after a valid beginning does not lower the count");

    /* the attack: a megabyte of empty objects */

    n = 333333;
    big = malloc(n * 3 + 16);
    if (big == NULL) {
        abort();
    }

    strcpy(big, "{\"pad\":[");
    for (i = 0; i < n; i++) {
        memcpy(big + 8 + i * 3, "{},", 3);
    }
    strcpy(big + 8 + n * 3 - 1, "]}");

    is_int((long) count(big, 50000), 50001,
           "a megabyte of {} is more than 50000 values");
    is_int((long) count(big, (size_t) -2), (long) n + 2,
           "and exactly 333335 of them");
    free(big);
}


static void
test_number(void)
{
    char    buf[64];
    size_t  n;

    n = ngx_http_passport_json_number(42, buf, sizeof(buf));
    is_str(buf, "42", "a whole number as an integer");
    is_int((long) n, 2, "its length");

    ngx_http_passport_json_number(-7, buf, sizeof(buf));
    is_str(buf, "-7", "a negative one");

    ngx_http_passport_json_number(0.5, buf, sizeof(buf));
    is_str(buf, "0.5", "a fraction");

    /* out of any integer type's range: UBSan stops the test if converted */

    ngx_http_passport_json_number(1e300, buf, sizeof(buf));
    is_str(buf, "1.0000000000000001e+300", "1e300 is not converted");

    ngx_http_passport_json_number(-1e300, buf, sizeof(buf));
    is_str(buf, "-1.0000000000000001e+300", "nor -1e300");

    ngx_http_passport_json_number(1e19, buf, sizeof(buf));
    is_str(buf, "1e+19", "1e19, past int64, as %.17g");

    ngx_http_passport_json_number(1e15, buf, sizeof(buf));
    is_str(buf, "1000000000000000", "1e15 as %.17g");

    n = ngx_http_passport_json_number(123456, buf, 4);
    is_str(buf, "123", "cut to the buffer");
    is_int((long) n, 3, "the length written");
}


int
main(void)
{
    test_count();
    test_number();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
