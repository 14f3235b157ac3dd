
/*
 * Copyright (C) passport developers
 *
 * Shared by the fuzz targets (fuzz/README.md): a check that aborts, so
 * that libFuzzer keeps the input, and the libFuzzer entry point.
 */


#ifndef _PASSPORT_FUZZ_H_INCLUDED_
#define _PASSPORT_FUZZ_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define FUZZ_TODAY  20250601L


/* a property every input must keep */
#define fuzz_assert(cond)                                                    \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                         \
        }                                                                    \
    } while (0)


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


#endif /* _PASSPORT_FUZZ_H_INCLUDED_ */
