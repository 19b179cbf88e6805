# bdsrx — BeiDou-3 software receiver.  `make` builds build/libbdsrx.a and bin/*.
#   make check       build and run the test suite (installs Debian deps if missing)
#   make check-asan  the same with AddressSanitizer + UndefinedBehaviorSanitizer
#   make run         run the receiver on the bundled default capture in data/
#   make bench       benchmarks (acquisition, tracking, correlator, LDPC FER)
#   make bench-callgrind  correlator instructions per sample under valgrind (load-independent)
# Library sources: every dsp/*.c nav/*.c src/*.c except src/main.c and src/cli_*.c.
# Programs: src/main.c + src/cli_*.c -> bin/bdsrx; tools/<name>.c -> bin/<name>.
# Tests: tests/test_<name>.c -> build/tests/test_<name> (cmocka).

PKGS    := fftw3f volk gsl libusb-1.0 librtlsdr jansson
BUILD   ?= build
SAN     ?=
CC      ?= cc
OPT     ?= -O2 -march=x86-64-v2 -mtune=generic
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -pthread -Iinclude -Idsp -Inav -Isrc \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(SAN)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread $(SAN)

LIB_SRC := $(wildcard dsp/*.c nav/*.c) $(filter-out src/main.c src/cli_%.c,$(wildcard src/*.c))
CLI_SRC := src/main.c $(wildcard src/cli_*.c)
TOOL_SRC:= $(wildcard tools/*.c)
TEST_SRC:= $(wildcard tests/test_*.c)
BENCH_SRC:= $(wildcard bench/*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIB     := $(BUILD)/libbdsrx.a
BINDIR  ?= bin
PROGS   := $(BINDIR)/bdsrx $(TOOL_SRC:tools/%.c=$(BINDIR)/%)
TESTS   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCHES := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

DEPS_STAMP := .deps-ok

.PHONY: all deps check check-asan run bench bench-callgrind clean
.SECONDARY:
all: $(LIB) $(PROGS)

# Installs missing Debian packages (idempotent); see tools/install-deps.sh.
deps: $(DEPS_STAMP)
$(DEPS_STAMP): tools/install-deps.sh
	@sh tools/install-deps.sh && touch $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BINDIR)/bdsrx: $(CLI_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BINDIR)/%: $(BUILD)/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

check: deps
	@$(MAKE) --no-print-directory all $(TESTS)
	@sh tests/run.sh $(BUILD)/tests

check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan BINDIR=build-asan/bin OPT="-O1 -march=x86-64-v2" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  all $(TESTS:$(BUILD)/%=build-asan/%)
	@BDSRX_BIN=build-asan/bin BDSRX_ASAN=1 sh tests/run.sh build-asan/tests

run: deps
	@$(MAKE) --no-print-directory all
	@sh tools/run-default.sh

bench: deps
	@$(MAKE) --no-print-directory all $(BENCHES)
	@sh bench/run.sh $(BUILD)/bench

bench-callgrind: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench_trk
	@sh bench/callgrind.sh $(BUILD)/bench

clean:
	rm -rf build build-asan bin

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TESTS:=.d) $(BENCHES:=.d) $(TOOL_SRC:tools/%.c=$(BUILD)/tools/%.d)
