
/*
 * Copyright (C) passport developers
 */


#include <stddef.h>

#include "passport_decide.h"


static int ngx_http_passport_rank(int reason);


int
ngx_http_passport_decide(ngx_http_passport_error_t *errors, size_t n,
    int mode, int on_error)
{
    int                        rank;
    size_t                     i, j, nunavailable, nbusy;
    ngx_http_passport_error_t  tmp;

    /* an insertion sort: stable, and a request has few problems */

    for (i = 1; i < n; i++) {
        rank = ngx_http_passport_rank(errors[i].reason);

        if (ngx_http_passport_rank(errors[i - 1].reason) <= rank) {
            continue;
        }

        tmp = errors[i];

        for (j = i;
             j > 0 && ngx_http_passport_rank(errors[j - 1].reason) > rank;
             j--)
        {
            errors[j] = errors[j - 1];
        }

        errors[j] = tmp;
    }

    /* ranked last, the ones the registry could not settle are counted apart */

    for (nunavailable = 0; nunavailable < n; nunavailable++) {
        if (errors[n - 1 - nunavailable].reason
            != NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE)
        {
            break;
        }
    }

    /* before them, the ones not asked because the worker was busy */

    for (nbusy = 0; nbusy < n - nunavailable; nbusy++) {
        if (errors[n - nunavailable - 1 - nbusy].reason
            != NGX_HTTP_PASSPORT_REGISTRY_BUSY)
        {
            break;
        }
    }

    /*
     * Nothing is known of a listing whose lookups could not all be made
     * here: it is refused whatever passport_on_registry_error says, which
     * is about the registry failing, not about this worker's limits.
     */

    if (nbusy && nbusy + nunavailable == n) {
        return NGX_HTTP_PASSPORT_VERDICT_BLOCK;
    }

    return ngx_http_passport_verdict(mode, n - nunavailable, nunavailable,
                                     on_error);
}


static int
ngx_http_passport_rank(int reason)
{
    if (ngx_http_passport_reason_is_body(reason)) {
        return 0;
    }

    switch (reason) {
    case NGX_HTTP_PASSPORT_REGISTRY_BUSY:
        return 2;
    case NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE:
        return 3;
    default:
        return 1;
    }
}
