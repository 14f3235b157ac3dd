
/*
 * Copyright (C) passport developers
 *
 * Unit tests for ranking a request's problems into a verdict.  TAP output.
 */


#include <stdio.h>
#include <string.h>

#include "passport_decide.h"
#include "tap.h"


#define ENF    NGX_HTTP_PASSPORT_MODE_ENFORCE
#define FLG    NGX_HTTP_PASSPORT_MODE_FLAG
#define MON    NGX_HTTP_PASSPORT_MODE_MONITOR
#define BLK    NGX_HTTP_PASSPORT_ON_ERROR_BLOCK
#define FLAGP  NGX_HTTP_PASSPORT_ON_ERROR_FLAG
#define PASSP  NGX_HTTP_PASSPORT_ON_ERROR_PASS
#define PASS   NGX_HTTP_PASSPORT_VERDICT_PASS
#define FLAG   NGX_HTTP_PASSPORT_VERDICT_FLAG
#define BLOCK  NGX_HTTP_PASSPORT_VERDICT_BLOCK

#define NOT_JSON     NGX_HTTP_PASSPORT_BODY_NOT_JSON
#define MALFORMED    NGX_HTTP_PASSPORT_BODY_MALFORMED
#define TOO_MANY     NGX_HTTP_PASSPORT_TOO_MANY_ITEMS
#define NO_SELLER    NGX_HTTP_PASSPORT_SELLER_MISSING
#define BAD_CODE     NGX_HTTP_PASSPORT_CODE_INVALID
#define EXPIRED      NGX_HTTP_PASSPORT_CODE_EXPIRED
#define UNKNOWN      NGX_HTTP_PASSPORT_CODE_NOT_REGISTERED
#define INACTIVE     NGX_HTTP_PASSPORT_SELLER_INACTIVE
#define UNAVAILABLE  NGX_HTTP_PASSPORT_REGISTRY_UNAVAILABLE
#define BUSY         NGX_HTTP_PASSPORT_REGISTRY_BUSY
#define RECALLED     NGX_HTTP_PASSPORT_CODE_RECALLED


#define MAX  8


typedef struct {
    int          reason;
    const char  *pointer;
} problem_t;


/*
 * Ranks the problems, checks the verdict and returns the new order as
 * "REASON pointer, ..."; each problem's detail is its pointer, so that a
 * detail that did not move with its problem shows.
 */

static const char *
decide(const problem_t *p, size_t n, int mode, int on_error, int verdict,
    const char *name)
{
    size_t                     i;
    static char                out[512];
    ngx_http_passport_error_t  err[MAX];

    memset(err, 0, sizeof(err));

    for (i = 0; i < n; i++) {
        err[i].reason = p[i].reason;
        err[i].pointer = (const unsigned char *) p[i].pointer;
        err[i].pointer_len = strlen(p[i].pointer);
        snprintf(err[i].detail, sizeof(err[i].detail), "%s", p[i].pointer);
    }

    is_int(ngx_http_passport_decide(err, n, mode, on_error), verdict, name);

    out[0] = '\0';

    for (i = 0; i < n; i++) {
        if (strcmp(err[i].detail, (const char *) err[i].pointer) != 0) {
            return "a detail did not move with its problem";
        }

        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s %s",
                 i ? ", " : "", ngx_http_passport_reason_name(err[i].reason),
                 (const char *) err[i].pointer);
    }

    return out;
}


static void
test_order(void)
{
    problem_t  fields[] = {
        { BAD_CODE, "/items/0/code" }, { MALFORMED, "" },
        { EXPIRED, "/items/1/code" }
    };
    problem_t  registry[] = {
        { UNAVAILABLE, "/seller" }, { UNKNOWN, "/items/0/code" },
        { UNAVAILABLE, "/items/1/code" }, { INACTIVE, "/items/2/seller" }
    };
    problem_t  all[] = {
        { UNAVAILABLE, "/a" }, { BAD_CODE, "/b" }, { NOT_JSON, "/c" },
        { UNAVAILABLE, "/d" }, { MALFORMED, "/e" }, { NO_SELLER, "/f" }
    };
    problem_t  listing[] = {
        { NO_SELLER, "/seller" }, { TOO_MANY, "/items" }
    };

    is_str(decide(NULL, 0, ENF, BLK, PASS, "no problems: pass"), "",
           "no problems: nothing to rank");

    is_str(decide(fields, 3, ENF, BLK, BLOCK, "field problems block"),
           "BODY_MALFORMED , CODE_INVALID /items/0/code, "
           "CODE_EXPIRED /items/1/code",
           "a problem with the body comes first, the others keep order");

    is_str(decide(registry, 4, ENF, BLK, BLOCK,
                  "registry problems block"),
           "CODE_NOT_REGISTERED /items/0/code, "
           "SELLER_INACTIVE /items/2/seller, "
           "REGISTRY_UNAVAILABLE /seller, "
           "REGISTRY_UNAVAILABLE /items/1/code",
           "what the registry could not settle goes last, in its order");

    is_str(decide(all, 6, FLG, PASSP, FLAG, "flag mode flags"),
           "BODY_NOT_JSON /c, BODY_MALFORMED /e, CODE_INVALID /b, "
           "SELLER_MISSING /f, REGISTRY_UNAVAILABLE /a, "
           "REGISTRY_UNAVAILABLE /d",
           "three ranks, each in the order found");

    is_str(decide(listing, 2, ENF, BLK, BLOCK, "a listing problem blocks"),
           "SELLER_MISSING /seller, TOO_MANY_ITEMS /items",
           "too many items is no problem with the body as a whole");
}


static void
test_unavailable(void)
{
    size_t     i;
    problem_t  down[] = {
        { UNAVAILABLE, "/seller" }, { UNAVAILABLE, "/items/0/code" }
    };
    problem_t  mixed[] = {
        { UNAVAILABLE, "/seller" }, { EXPIRED, "/items/0/code" }
    };
    struct {
        int          mode, on_error, verdict;
        const char  *name;
    } v[] = {
        { ENF, BLK, BLOCK, "registry down, block policy: block" },
        { ENF, FLAGP, FLAG, "registry down, flag policy: flag" },
        { ENF, PASSP, PASS, "registry down, pass policy: pass" },
        { FLG, BLK, FLAG, "registry down in flag mode: flag" },
        { MON, BLK, BLOCK, "monitor records what enforce would do" },
        { MON, PASSP, PASS, "monitor, pass policy: pass" },
    };

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        (void) decide(down, 2, v[i].mode, v[i].on_error, v[i].verdict,
                      v[i].name);
    }

    is_str(decide(mixed, 2, ENF, PASSP, BLOCK,
                  "a real problem blocks whatever the registry policy"),
           "CODE_EXPIRED /items/0/code, REGISTRY_UNAVAILABLE /seller",
           "the real problem decides the status");

    (void) decide(mixed, 2, FLG, BLK, FLAG,
                  "a real problem in flag mode flags");
}


/* a lookup not made here (a local limit) never passes nor flags */

static void
test_busy(void)
{
    size_t     i;
    problem_t  busy[] = {
        { UNAVAILABLE, "/seller" }, { BUSY, "/items/0/code" },
        { BUSY, "/items/1/code" }
    };
    problem_t  known[] = {
        { BUSY, "/items/0/code" }, { RECALLED, "/items/1/code" }
    };
    struct {
        int          mode, on_error;
        const char  *name;
    } v[] = {
        { ENF, BLK, "busy, block policy: block" },
        { ENF, FLAGP, "busy, flag policy: block all the same" },
        { ENF, PASSP, "busy, pass policy: block all the same" },
        { FLG, PASSP, "busy in flag mode: block, not flag" },
        { MON, PASSP, "busy in monitor mode: recorded as a block" },
    };

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        (void) decide(busy, 3, v[i].mode, v[i].on_error, BLOCK, v[i].name);
    }

    is_str(decide(busy, 3, ENF, PASSP, BLOCK, "busy blocks"),
           "REGISTRY_BUSY /items/0/code, REGISTRY_BUSY /items/1/code, "
           "REGISTRY_UNAVAILABLE /seller",
           "busy ranks before unavailable: it decides the status");

    is_str(decide(known, 2, ENF, PASSP, BLOCK, "a known problem blocks"),
           "CODE_RECALLED /items/1/code, REGISTRY_BUSY /items/0/code",
           "a known problem ranks before busy");

    (void) decide(known, 2, FLG, PASSP, FLAG,
                  "a known problem in flag mode flags, busy or not");
}


int
main(void)
{
    test_order();
    test_unavailable();
    test_busy();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
