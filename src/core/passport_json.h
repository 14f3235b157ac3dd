
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_JSON_H_INCLUDED_
#define _PASSPORT_JSON_H_INCLUDED_


/*
 * What the module needs to know of a JSON text before and after a parser
 * has read it: how many values it holds, and how a number is shown.
 *
 * Pure C, no nginx dependency (unit-tested in t/unit/test_json.c).
 */


#include <stddef.h>


/*
 * The number of values in the JSON text p (objects, arrays, strings that
 * are not member names, numbers, true, false, null), counted without
 * parsing, in one pass.  The count stops at max + 1: a result above max
 * means "more than max".  For valid JSON the count is exact; for any text,
 * it is at least the number of values a parser builds from its valid
 * beginning, so that a parser never builds more than max values after
 * the count said at most max.
 */
size_t ngx_http_passport_json_values(const unsigned char *p, size_t len,
    size_t max);

/*
 * Writes the number d as a client would have written it: a whole number
 * of less than 1e15 in magnitude as an integer ("42"), any other as
 * "%.17g" ("0.5", "1e+300").  Writes at most size - 1 bytes and a NUL;
 * returns the length written.  No conversion to an integer type happens
 * before d is known to fit.
 */
size_t ngx_http_passport_json_number(double d, char *buf, size_t size);


#endif /* _PASSPORT_JSON_H_INCLUDED_ */
