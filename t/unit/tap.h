
/*
 * Copyright (C) passport developers
 *
 * A minimal TAP producer shared by the C unit tests: "ok N - name" lines,
 * the plan printed by the test at the end, a non-zero exit on failure.
 */


#ifndef _NGX_HTTP_PASSPORT_TAP_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_TAP_H_INCLUDED_


#include <stdio.h>
#include <string.h>


static int  tests, failed;


static inline void
ok(int cond, const char *name)
{
    tests++;

    if (!cond) {
        failed++;
    }

    printf("%sok %d - %s\n", cond ? "" : "not ", tests, name);
}


static inline void
is_int(long got, long want, const char *name)
{
    ok(got == want, name);

    if (got != want) {
        printf("#   got:  %ld\n#   want: %ld\n", got, want);
    }
}


static inline void
is_str(const char *got, const char *want, const char *name)
{
    ok(strcmp(got, want) == 0, name);

    if (strcmp(got, want) != 0) {
        printf("#   got:  '%s'\n#   want: '%s'\n", got, want);
    }
}


#endif /* _NGX_HTTP_PASSPORT_TAP_H_INCLUDED_ */
