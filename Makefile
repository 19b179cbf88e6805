# bdsrx — BeiDou-3 software receiver.  `make` builds the library (static and shared), the
# command-line helper archive and bin/*.
#   make check       build and run the whole test suite and examples (installs Debian deps if
#                    missing), then a few seconds of each fuzzing harness when clang is installed
#   make check-fast  the unit tests only (under a minute on 2 cores), for iteration
#   make check-e2e   end-to-end runs of several minutes (RTK from the IQ of two simulated receivers)
#   make check-asan  the whole suite with AddressSanitizer + UndefinedBehaviorSanitizer
#   make ci          what CI runs (.ci/run): make check, then check-asan-fast (the unit tests under
#                    ASan + UBSan) and check-tsan (the threaded / live tests under ThreadSanitizer)
#   make soak        hours of signal through the live engine, memory / fds / threads sampled
#                    (tests/soak.sh; SOAK_H=hours)
#   make run         run the receiver on the bundled default capture in data/
#   make bench       benchmarks (acquisition, tracking, correlator, LDPC FER)
#   make bench-callgrind  correlator instructions per sample under valgrind (load-independent)
#   make install PREFIX=/usr/local [DESTDIR=]   make uninstall
#
# Layout (src/README.md has the picture):
#   dsp/                 signal processing (codes, acquisition, tracking, correlators, IQ formats)
#   nav/{fec,msg,geo,pos,fmt}  channel coding, messages, geodesy/time/orbits, solvers, file formats
#   src/{rx,io,sim}      receiver engine, sample sources and sinks, the signal simulator
#   src/cli              the `bdsrx` command line and the pieces the tools share (not in the library)
# Library: dsp nav/* src/{rx,io,sim} -> build/libbdsrx.a + build/libbdsrx.so.$(SOVERSION)
# CLI helpers: src/cli/*.c except main.c -> build/libbdsrx-cli.a (linked into programs and tests)
# Programs: src/cli/main.c -> bin/bdsrx; tools/<name>.c -> bin/<name>.
# Tests: tests/test_<name>.c -> build/tests/test_<name> (cmocka); examples/*.c -> build/examples/.

VERSION_MAJOR := 0
VERSION_MINOR := 3
VERSION_PATCH := 0
VERSION   := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)
SOVERSION := $(VERSION_MAJOR)

PKGS    := fftw3f volk gsl libusb-1.0 librtlsdr jansson zlib
# the command line only (libbdsrx-cli.a): INI config files
CLI_PKGS:= inih
BUILD   ?= build
SAN     ?=
CC      ?= cc
OPT     ?= -O2 -march=x86-64-v2 -mtune=generic
CFLAGS  ?= $(OPT) -g
SRC_DIRS:= dsp $(sort $(dir $(wildcard nav/*/*.c))) src/rx src/io src/sim src/cli
INCS    := -Iinclude $(addprefix -I,$(patsubst %/,%,$(SRC_DIRS)))
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -pthread -fPIC $(INCS) \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(SAN)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread $(SAN)
CLI_LIBS := $(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null)

LIB_SRC := $(wildcard dsp/*.c nav/*/*.c src/rx/*.c src/io/*.c src/sim/*.c)
CLI_SRC := $(filter-out src/cli/main.c,$(wildcard src/cli/*.c))
TOOL_SRC:= $(wildcard tools/*.c)
TEST_SRC:= $(wildcard tests/test_*.c)
BENCH_SRC:= $(wildcard bench/*.c)
EX_SRC  := $(wildcard examples/*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIB     := $(BUILD)/libbdsrx.a
SOLIB   := $(BUILD)/libbdsrx.so.$(VERSION)
CLILIB  := $(BUILD)/libbdsrx-cli.a
BINDIR  ?= bin
SCRIPTS := $(wildcard tools/bdsrx-*.py)
PROGS   := $(BINDIR)/bdsrx $(TOOL_SRC:tools/%.c=$(BINDIR)/%) $(SCRIPTS:tools/%.py=$(BINDIR)/%)
TESTS   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCHES := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
EXAMPLES:= $(EX_SRC:examples/%.c=$(BUILD)/examples/%)
# the unit tests: everything except the end-to-end receiver runs on long simulated captures
SLOW_TESTS := test_b2b_full test_receiver test_receiver_dual test_signalsim_rx test_live test_trk test_acq test_dashboard test_navout test_firstfix test_trkweak \
              test_seam test_rtklive_iq test_rtkfield_iq test_rinex3_readers test_ppp_iq test_reacq_escalate
FAST_TESTS := $(filter-out $(SLOW_TESTS:%=$(BUILD)/tests/%),$(TESTS))
# end-to-end runs of several minutes (two simulated receivers' captures, ~0.5 GB): `make check-e2e`
E2E_TESTS := test_rtklive_iq test_ppp_iq test_rtkfield_iq
CHECK_TESTS := $(filter-out $(E2E_TESTS:%=$(BUILD)/tests/%),$(TESTS))

DEPS_STAMP := .deps-ok

PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
BIN_INSTALL ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man

.PHONY: fuzz fuzz-smoke fuzz-bins
.PHONY: all deps check check-fast check-e2e check-asan check-asan-fast check-tsan ci soak check-repeat examples run bench bench-callgrind clean install uninstall
.SECONDARY:
all: $(LIB) $(SOLIB) $(PROGS)

# Installs missing Debian packages (idempotent); see tools/install-deps.sh.
deps: $(DEPS_STAMP)
$(DEPS_STAMP): tools/install-deps.sh
	@sh tools/install-deps.sh && touch $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(SOLIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libbdsrx.so.$(SOVERSION) -o $@ $^ $(LDLIBS)
	ln -sf libbdsrx.so.$(VERSION) $(BUILD)/libbdsrx.so.$(SOVERSION)
	ln -sf libbdsrx.so.$(SOVERSION) $(BUILD)/libbdsrx.so

$(CLILIB): $(CLI_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DBX_VERSION_STRING='"$(VERSION)"' -MMD -MP -c $< -o $@

$(BINDIR)/bdsrx: $(BUILD)/src/cli/main.o $(CLILIB) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CLI_LIBS)

$(BINDIR)/%: $(BUILD)/tools/%.o $(CLILIB) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CLI_LIBS)

# Python tools (Debian's python3, matplotlib): copied as programs, @BDSRX_VERSION@ -> the version
$(BINDIR)/%: tools/%.py Makefile
	@mkdir -p $(@D)
	sed 's/@BDSRX_VERSION@/$(VERSION)/g' $< > $@.tmp && chmod 755 $@.tmp && mv $@.tmp $@

# tests/testutil.c (process runner, capture cache) is linked into every test
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/tests/testutil.o $(CLILIB) $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CLI_LIBS) -lcmocka

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(CLILIB) $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CLI_LIBS)

# examples link against the library only, as an integrator's program would
$(BUILD)/examples/%: $(BUILD)/examples/%.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

examples: $(EXAMPLES)

check: deps
	@$(MAKE) --no-print-directory all $(CHECK_TESTS) $(EXAMPLES)
	@sh tests/run.sh $(BUILD)/tests $(notdir $(CHECK_TESTS))
	@sh examples/run.sh $(BUILD)/examples
	@$(MAKE) --no-print-directory fuzz-smoke

check-e2e: deps
	@$(MAKE) --no-print-directory all $(E2E_TESTS:%=$(BUILD)/tests/%)
	@sh tests/run.sh $(BUILD)/tests $(E2E_TESTS)

check-fast: deps
	@$(MAKE) --no-print-directory all $(FAST_TESTS) $(EXAMPLES)
	@BDSRX_FAST=1 sh tests/run.sh $(BUILD)/tests $(notdir $(FAST_TESTS))

# Sanitizer builds live in their own folders (build-asan, build-tsan) beside build/.
ASAN_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_ENV := BDSRX_BIN=build-asan/bin BDSRX_ASAN=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan BINDIR=build-asan/bin OPT="-O1 -march=x86-64-v2" \
	  SAN="$(ASAN_SAN)" $(PROGS:$(BINDIR)/%=build-asan/bin/%) $(TESTS:$(BUILD)/%=build-asan/%)
	@$(ASAN_ENV) sh tests/run.sh build-asan/tests

# CI: the unit tests (check-fast's list) under ASan + UBSan
check-asan-fast: deps
	@$(MAKE) --no-print-directory BUILD=build-asan BINDIR=build-asan/bin OPT="-O1 -march=x86-64-v2" \
	  SAN="$(ASAN_SAN)" $(PROGS:$(BINDIR)/%=build-asan/bin/%) $(FAST_TESTS:$(BUILD)/%=build-asan/%)
	@$(ASAN_ENV) BDSRX_FAST=1 sh tests/run.sh build-asan/tests $(notdir $(FAST_TESTS))

# CI: the tests with threads (live engine and its reader thread, sample ring, rtl_tcp reconnect,
# NTRIP / RTK base reader threads, NMEA TCP server, serial port) under ThreadSanitizer; the
# programs they start are TSan builds too.  Reports stop the test (halt_on_error); the few
# suppressions, each with its reason, are in tests/tsan.supp.
TSAN_TESTS := test_ringbuf test_source test_reconnect test_rtltcp test_nmea_tcp_guard test_faults \
              test_ntrip test_ntrip_gga test_rtklive test_live
check-tsan: deps
	@$(MAKE) --no-print-directory BUILD=build-tsan BINDIR=build-tsan/bin OPT="-O1 -march=x86-64-v2" \
	  SAN="-fsanitize=thread" $(PROGS:$(BINDIR)/%=build-tsan/bin/%) $(TSAN_TESTS:%=build-tsan/tests/%)
	@BDSRX_BIN=build-tsan/bin BDSRX_TSAN=1 \
	  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" \
	  sh tests/run.sh build-tsan/tests $(TSAN_TESTS)

# what .ci/run runs (the README's test command): the suite, then the sanitizer runs
ci:
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory check-asan-fast
	@$(MAKE) --no-print-directory check-tsan

soak: all
	@nice -n 19 sh tests/soak.sh

# issue 13: REPEAT (10) runs of make check in a row with another make check beside (BESIDE=1);
# about 2 hours on 2 cores (tests/repeat.sh; BESIDE_FIRST: commands run once beside first)
check-repeat: deps
	@sh tests/repeat.sh

# Fuzzing (tests/fuzz/README.md): libFuzzer harnesses built with Debian's clang,
# the library instrumented for coverage + ASan/UBSan in build-fuzz/.
#   make fuzz FUZZ_S=60     each harness for FUZZ_S seconds (one at a time)
#   make fuzz-smoke         a few seconds each (CI); skipped with a message without clang
FUZZ_CC  ?= clang
FUZZ_S   ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS:= $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%)

fuzz-bins: $(FUZZ_BINS)
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_util.h $(CLILIB) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(CLILIB) $(LIB) $(LDLIBS) $(CLI_LIBS)

fuzz fuzz-smoke:
	@if ! command -v $(FUZZ_CC) >/dev/null 2>&1; then \
	  echo "$@: $(FUZZ_CC) not found: fuzzing skipped (apt-get install clang)"; \
	  [ "$@" = fuzz-smoke ]; exit $$?; fi
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) OPT="-O1 -g -march=x86-64-v2" \
	  SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-bins
	@sh tests/fuzz/run.sh build-fuzz $(if $(filter fuzz-smoke,$@),$(or $(FUZZ_SMOKE_S),3),$(FUZZ_S))

run: deps
	@$(MAKE) --no-print-directory all
	@sh tools/run-default.sh

bench: deps
	@$(MAKE) --no-print-directory all $(BENCHES)
	@sh bench/run.sh $(BUILD)/bench

bench-callgrind: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench_trk
	@sh bench/callgrind.sh $(BUILD)/bench

$(BUILD)/bdsrx.pc: Makefile
	@mkdir -p $(@D)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' '' \
	  'Name: bdsrx' 'Description: BeiDou-3 software GNSS receiver library (B1C, B2a)' \
	  'Version: $(VERSION)' 'Requires.private: $(PKGS)' \
	  'Libs: -L$${libdir} -lbdsrx' 'Libs.private: -lm -pthread' \
	  'Cflags: -I$${includedir}' > $@

install: all $(BUILD)/bdsrx.pc
	install -d $(DESTDIR)$(INCDIR)/bdsrx $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BIN_INSTALL) $(DESTDIR)$(MANDIR)/man1
	install -m 644 include/bdsrx/*.h $(DESTDIR)$(INCDIR)/bdsrx/
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libbdsrx.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libbdsrx.so.$(SOVERSION)
	ln -sf libbdsrx.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libbdsrx.so
	install -m 644 $(BUILD)/bdsrx.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 755 $(PROGS) $(DESTDIR)$(BIN_INSTALL)/
	sh tools/gen-man.sh $(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(VERSION)
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 tools/bdsrx.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/bdsrx
	for p in $(TOOL_SRC:tools/%.c=%); do ln -sf bdsrx $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$p; done

uninstall:
	rm -rf $(DESTDIR)$(INCDIR)/bdsrx
	rm -f $(DESTDIR)$(LIBDIR)/libbdsrx.a $(DESTDIR)$(LIBDIR)/libbdsrx.so* $(DESTDIR)$(LIBDIR)/pkgconfig/bdsrx.pc
	rm -f $(PROGS:$(BINDIR)/%=$(DESTDIR)$(BIN_INSTALL)/%) $(PROGS:$(BINDIR)/%=$(DESTDIR)$(MANDIR)/man1/%.1)
	rm -f $(PROGS:$(BINDIR)/%=$(DESTDIR)$(PREFIX)/share/bash-completion/completions/%)

clean:
	rm -rf build build-asan build-tsan build-fuzz bin

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(BUILD)/src/cli/main.d $(TESTS:=.d) $(BENCHES:=.d) $(EXAMPLES:=.d) $(TOOL_SRC:tools/%.c=$(BUILD)/tools/%.d)
