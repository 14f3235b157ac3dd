
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_DECIDE_H_INCLUDED_
#define _PASSPORT_DECIDE_H_INCLUDED_


/*
 * The verdict of a checked request, from all of its problems.
 *
 * Pure C, no nginx dependency (unit-tested in t/unit/test_decide.c).
 */


#include <stddef.h>

#include "passport_verdict.h"


/*
 * Ranks the n problems in place, keeping their order within a rank:
 * problems with the body as a whole first, then the other definite ones,
 * then the lookups not made because the worker was busy (REGISTRY_BUSY),
 * the ones the registry could not settle (REGISTRY_UNAVAILABLE) last, so
 * that the first problem decides the response status.  Returns the
 * verdict (VERDICT_PASS, _FLAG or _BLOCK); mode and on_error are as for
 * ngx_http_passport_verdict().  With REGISTRY_BUSY and no definite
 * problem the verdict is BLOCK in every mode: the caller refuses the
 * request (unless it only monitors), it never passes nor flags it.
 */
int ngx_http_passport_decide(ngx_http_passport_error_t *errors, size_t n,
    int mode, int on_error);


#endif /* _PASSPORT_DECIDE_H_INCLUDED_ */
