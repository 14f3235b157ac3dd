# ngx_http_passport_module
#
#   make          build build/ngx_http_passport_module.so for Debian's nginx
#   make test     install what is missing, build, run every test
#   make test-asan      the tests with the module under ASan and UBSan
#   make test-valgrind  a subset under valgrind's memcheck
#   make fuzz     each fuzz target for FUZZ_SECONDS (fuzz/README.md)
#   make deps     install the Debian packages needed (root), or print how
#   make clean    remove build/

SHELL := /bin/bash

NGX_SRC ?= /usr/share/nginx/src
BUILD   := $(CURDIR)/build
MODULE  := $(BUILD)/ngx_http_passport_module.so
OBJS    := $(BUILD)/nginx

# the flags Debian builds its own dynamic modules with (dh_nginx)
CC_OPT  ?= -g -O2 -fstack-protector-strong -Wformat \
           -Werror=format-security -fPIC -D_FORTIFY_SOURCE=2
LD_OPT  ?= -Wl,-z,relro -Wl,-z,now -fPIC

DEPS    := gcc make libc6-dev perl nginx nginx-dev libjansson-dev \
           libcurl4-openssl-dev libpcre2-dev libssl-dev openssl \
           clang-14 libclang-rt-14-dev valgrind

SRCS    := $(wildcard src/*.c src/*.h src/core/*.c src/core/*.h) config

# src/core: the nginx-free rules (identifiers, verdicts, problem documents,
# registry records, report records).  Built with plain cc, unit-tested
# under ASan/UBSan, and the source of passport-verify.
CORE_SRCS   := $(wildcard src/core/*.c)
CORE_HDRS   := $(wildcard src/core/*.h)
CORE_LIBS   := -ljansson -lcrypto

UNIT_CC     ?= cc
UNIT_CFLAGS ?= -std=c99 -Wall -Wextra -Werror -O1 -g \
               -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_TESTS  := $(BUILD)/unit/test_id $(BUILD)/unit/test_verdict \
               $(BUILD)/unit/test_record $(BUILD)/unit/test_report \
               $(BUILD)/unit/report_gen $(BUILD)/unit/test_decide \
               $(BUILD)/unit/test_pointer $(BUILD)/unit/test_json \
               $(BUILD)/unit/test_catalog $(BUILD)/unit/test_cache_control \
               $(BUILD)/unit/test_record_pack $(BUILD)/unit/test_json_tok

VERIFY        := $(BUILD)/passport-verify
VERIFY_CFLAGS ?= -std=c99 -Wall -Wextra -Werror -O2 -g \
                 -fstack-protector-strong -D_FORTIFY_SOURCE=2

PROVE_JOBS  ?= 2


ASAN_OBJS   := $(BUILD)/asan
ASAN_MODULE := $(ASAN_OBJS)/ngx_http_passport_module.so

.PHONY: all deps test unit clean test-asan core-check test-valgrind \
        fuzz fuzz-build

all: $(MODULE) $(VERIFY)


# nginx-dev ships headers, auto/ and configure: configure runs in a copy,
# so that nothing is written under /usr/share.

$(OBJS)/Makefile: config
	@test -f $(NGX_SRC)/configure || { \
	    echo "$(NGX_SRC)/configure not found: run 'make deps'" >&2; \
	    exit 1; }
	rm -rf $(BUILD)/nginx-src $(OBJS)
	mkdir -p $(BUILD)
	cp -r $(NGX_SRC) $(BUILD)/nginx-src
	cd $(BUILD)/nginx-src && . ./conf_flags && ./configure \
	    --with-cc-opt="$(CC_OPT)" --with-ld-opt="$(LD_OPT)" \
	    "$${NGX_CONF_FLAGS[@]}" \
	    --add-dynamic-module=$(CURDIR) --builddir=$(OBJS)

$(MODULE): $(OBJS)/Makefile $(SRCS)
	$(MAKE) -f $(OBJS)/Makefile -C $(BUILD)/nginx-src modules
	@# a new file, not the old one overwritten: a running nginx keeps it
	cp $(OBJS)/ngx_http_passport_module.so $@.tmp
	mv -f $@.tmp $@


# each unit test links the whole core: what it does not call is not there
$(BUILD)/unit/%: t/unit/%.c t/unit/tap.h $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(UNIT_CC) $(UNIT_CFLAGS) -Isrc/core -o $@ $(CORE_SRCS) $< $(CORE_LIBS)

# the regulators' verifier, standalone: built from the same sources
$(VERIFY): tools/passport-verify.c $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(UNIT_CC) $(VERIFY_CFLAGS) -Isrc/core -o $@ $(CORE_SRCS) $< \
	    $(CORE_LIBS)

# the core must stay free of nginx: no nginx header, no ngx_ type
core-check:
	@! grep -n '#include <ngx_\|#include "ngx_' $(CORE_SRCS) $(CORE_HDRS) \
	    || { echo "core-check: src/core includes nginx" >&2; exit 1; }
	@echo "core-check: src/core is nginx-free"

unit: $(UNIT_TESTS)


deps:
	@missing=; \
	for p in $(DEPS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	        | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
	    echo "deps: all packages installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing$$missing"; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        --no-install-recommends $$missing; \
	else \
	    echo "deps: missing packages, run as root:"; \
	    echo "    apt-get install$$missing"; \
	    exit 1; \
	fi

# the fuzz targets are built too, so that a change of the core's API
# cannot leave them behind until the next fuzz run
test: deps
	$(MAKE) core-check all unit fuzz-build
	prove -I t/lib -j$(PROVE_JOBS) t/

# the integration tests against a module built with AddressSanitizer and
# UBSan, in Debian's (uninstrumented) nginx: the ASan runtime is preloaded.
# ASan reports go to build/asan-report.PID; UBSan, whose runtime is a copy
# of its own beside ASan's, ignores log_path and writes to stderr, which
# nginx sends to the test's error log: both are looked for after the run,
# and either fails it.  A UBSan report also stops the process.
ASAN_CFLAGS ?= -g -O1 -fno-omit-frame-pointer -fPIC \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined

$(ASAN_OBJS)/Makefile: config
	rm -rf $(BUILD)/asan-src $(ASAN_OBJS)
	mkdir -p $(BUILD)
	cp -r $(NGX_SRC) $(BUILD)/asan-src
	cd $(BUILD)/asan-src && . ./conf_flags && ./configure \
	    --with-cc-opt="$(ASAN_CFLAGS)" \
	    --with-ld-opt="-fsanitize=address,undefined -fPIC" \
	    "$${NGX_CONF_FLAGS[@]}" \
	    --add-dynamic-module=$(CURDIR) --builddir=$(ASAN_OBJS)

$(ASAN_MODULE): $(ASAN_OBJS)/Makefile $(SRCS)
	$(MAKE) -f $(ASAN_OBJS)/Makefile -C $(BUILD)/asan-src modules

SANITIZER_REPORT := \
    'ERROR: AddressSanitizer\|runtime error:\|SUMMARY: .*Sanitizer'

test-asan: deps
	$(MAKE) core-check all unit $(ASAN_MODULE)
	rm -f $(BUILD)/asan-report.*
	@rc=0; \
	PASSPORT_MODULE=$(ASAN_MODULE) \
	PASSPORT_NGINX_PRELOAD=$$($(UNIT_CC) -print-file-name=libasan.so) \
	ASAN_OPTIONS=detect_leaks=0:log_path=$(BUILD)/asan-report \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    prove -I t/lib -j$(PROVE_JOBS) t/ || rc=1; \
	if ls $(BUILD)/asan-report.* >/dev/null 2>&1; then \
	    cat $(BUILD)/asan-report.*; rc=1; fi; \
	if grep -l $(SANITIZER_REPORT) $(BUILD)/t/*/logs/*.log 2>/dev/null; \
	then \
	    grep -h -A20 $(SANITIZER_REPORT) $(BUILD)/t/*/logs/*.log; rc=1; \
	fi; \
	if [ $$rc = 0 ]; then echo "test-asan: no sanitizer report"; fi; \
	exit $$rc

# a subset of the integration tests with nginx in one process under
# valgrind's memcheck (t/lib/PassportTest.pm, PASSPORT_VALGRIND=1): any
# invalid access or definite leak fails, but for t/valgrind.supp.  Left
# out: tests that reload or need several workers (a single process has
# none), and thread pools, which nginx itself cannot shut down without a
# master process (a crash in ngx_thread_task_post at exit).
VALGRIND_TESTS ?= t/020-listing.t t/025-problem-order.t t/030-bad-input.t \
                  t/040-modes.t t/060-registry-faults.t \
                  t/080-registry-tls.t \
                  t/100-cache.t

test-valgrind: deps
	$(MAKE) core-check all unit
	@rc=0; \
	PASSPORT_VALGRIND=1 prove -I t/lib -j$(PROVE_JOBS) $(VALGRIND_TESTS) \
	    || rc=1; \
	for t in $(VALGRIND_TESTS); do \
	    n=$$(basename $$t .t); \
	    ls $(BUILD)/t/$$n/logs/valgrind.*.log >/dev/null 2>&1 \
	        || { echo "test-valgrind: $$n left no valgrind log"; rc=1; }; \
	    for f in $(BUILD)/t/$$n/logs/valgrind.*.log; do \
	        grep -q 'ERROR SUMMARY: 0 errors' $$f && continue; \
	        cat $$f; rc=1; \
	    done; \
	done; \
	if [ $$rc = 0 ]; then echo "test-valgrind: no memcheck error"; fi; \
	exit $$rc


# libFuzzer targets on the core (fuzz/README.md): each runs FUZZ_SECONDS
# from its committed seeds (fuzz/corpus/T) and what earlier runs found
# (build/fuzz/corpus/T); a crash is kept in build/fuzz/artifacts/
FUZZ_CC      ?= clang-14
FUZZ_CFLAGS  ?= -std=c99 -Wall -Wextra -Werror -g -O1 \
                -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all
FUZZ_TARGETS := ids body record report cache_control record_pack \
                json_tok
FUZZ_SECONDS ?= 60

$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Isrc/core -Ifuzz -o $@ $< $(CORE_SRCS) \
	    $(CORE_LIBS)

fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

fuzz: deps
	$(MAKE) fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)/fuzz/corpus/$$t $(BUILD)/fuzz/artifacts; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	    UBSAN_OPTIONS=print_stacktrace=1 \
	    $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	        -artifact_prefix=$(BUILD)/fuzz/artifacts/$$t- \
	        $(BUILD)/fuzz/corpus/$$t fuzz/corpus/$$t \
	        > $(BUILD)/fuzz/$$t.log 2>&1 \
	    || { tail -60 $(BUILD)/fuzz/$$t.log; \
	         echo "fuzz: $$t failed, input in $(BUILD)/fuzz/artifacts/"; \
	         exit 1; }; \
	    grep -h 'stat::number_of_executed_units' $(BUILD)/fuzz/$$t.log; \
	done

clean:
	rm -rf $(BUILD)


# ------------------------------------------------------------------ first run
# make demo       install what is missing, build, start the demo nginx on
#                 127.0.0.1:8080-8083 (DEMO_PORT=...) and show what it does
# make demo-stop  stop it
# make install    the module, its modules-enabled snippet, passport-verify
#                 (DESTDIR, PREFIX); make uninstall removes them
# See docs/operations.md.

# the demo sends its requests with curl
DEPS += curl

PREFIX          ?= /usr/local
BINDIR          ?= $(PREFIX)/bin
NGX_MODULES_DIR ?= /usr/lib/nginx/modules
NGX_MODULES_AVAILABLE ?= /usr/share/nginx/modules-available
NGX_MODULES_ENABLED   ?= /etc/nginx/modules-enabled
MODULE_SNIPPET  := mod-http-passport.conf

.PHONY: demo demo-stop install uninstall

demo: deps
	$(MAKE) all
	tools/demo.sh start

demo-stop:
	tools/demo.sh stop

# As Debian's libnginx-mod-* packages do: the module next to theirs, a
# snippet in modules-available and its link in modules-enabled, which
# Debian's nginx.conf includes.  A new file is moved over the old one: a
# running nginx keeps the one it has loaded until it is reloaded.
install: all
	install -d $(DESTDIR)$(NGX_MODULES_DIR) \
	    $(DESTDIR)$(NGX_MODULES_AVAILABLE) \
	    $(DESTDIR)$(NGX_MODULES_ENABLED) $(DESTDIR)$(BINDIR)
	install -m 0644 $(MODULE) \
	    $(DESTDIR)$(NGX_MODULES_DIR)/ngx_http_passport_module.so.tmp
	mv -f $(DESTDIR)$(NGX_MODULES_DIR)/ngx_http_passport_module.so.tmp \
	    $(DESTDIR)$(NGX_MODULES_DIR)/ngx_http_passport_module.so
	printf 'load_module %s;\n' \
	    $(NGX_MODULES_DIR)/ngx_http_passport_module.so \
	    > $(DESTDIR)$(NGX_MODULES_AVAILABLE)/$(MODULE_SNIPPET)
	chmod 0644 $(DESTDIR)$(NGX_MODULES_AVAILABLE)/$(MODULE_SNIPPET)
	ln -sfn $(NGX_MODULES_AVAILABLE)/$(MODULE_SNIPPET) \
	    $(DESTDIR)$(NGX_MODULES_ENABLED)/50-$(MODULE_SNIPPET)
	install -m 0755 $(VERIFY) $(DESTDIR)$(BINDIR)/passport-verify
	@echo "installed; check and load it with:  nginx -t && nginx -s reload"

uninstall:
	rm -f $(DESTDIR)$(NGX_MODULES_ENABLED)/50-$(MODULE_SNIPPET) \
	    $(DESTDIR)$(NGX_MODULES_AVAILABLE)/$(MODULE_SNIPPET) \
	    $(DESTDIR)$(NGX_MODULES_DIR)/ngx_http_passport_module.so \
	    $(DESTDIR)$(BINDIR)/passport-verify
	@echo "uninstalled; if nginx still loads it:  nginx -t && nginx -s reload"


# ------------------------------------------------------------------ soak
# make soak       the fault and load scenarios at full length (about 3
#                 minutes, loopback only): registry flapping, kill -9,
#                 reloads, hostile clients, big bodies.  t/400-*.t run
#                 short versions of them in make test.  See
#                 docs/operations.md#limits.

.PHONY: soak

soak: deps
	$(MAKE) all
	prove -v -I t/lib t/soak/


# ------------------------------------------------------------------ bench
# make bench        build, then bench/run.pl: the table and the ratios of
#                   docs/benchmarks.md (BENCH_ARGS="--quick" for a smoke run)
# make bench-deps   install what it needs (root): wrk; the Lua peer's
#                   libnginx-mod-http-lua and lua-cjson (skipped without)
# Not part of make test, which runs it once in --quick mode (t/300).

BENCH_DEPS  := wrk libnginx-mod-http-lua lua-cjson
BENCH_ARGS  ?=

.PHONY: bench bench-deps

bench: all
	@for p in $(BENCH_DEPS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	        | grep -q 'install ok installed' \
	    || echo "bench: $$p is not installed: make bench-deps" >&2; \
	done
	perl bench/run.pl $(BENCH_ARGS)

bench-deps:
	$(MAKE) deps DEPS="$(BENCH_DEPS)"

# t/300 runs the bench in quick mode: make test needs wrk (not the Lua peer)
DEPS += wrk
