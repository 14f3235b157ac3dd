
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
    size_t                     i, j, nunavailable;
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

    return ngx_http_passport_verdict(mode, n - nunavailable, nunavailable,
                                     on_error);
}


static int
ngx_http_passport_rank(int reason)
{
    if (ngx_http_passport_reason_is_body(reason)) {
        return 0;
    }

    return reason == NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE ? 2 : 1;
}
