# uctrack build. `make` builds build/uctrack; `make test` installs what is
# missing, builds and runs every test; `make check` runs the suite under
# ASan+UBSan; `make demo` generates the default data set and serves it.

CC ?= cc

# The shared reference data (EOIR code tables, FEBRL, ...) lives in
# ../shared beside the project. A clone made somewhere else finds it beside
# the repository it was cloned from. Tests, the demo and benchmarks get the
# EOIR lookup tables through $UCTRACK_EOIR_LOOKUP (set it to override).
SHARED ?= $(firstword $(wildcard $(abspath ../shared) \
	$(abspath $(shell git config --get remote.origin.url 2>/dev/null)/../shared)))
ifneq ($(SHARED),)
export UCTRACK_EOIR_LOOKUP ?= $(SHARED)/data/eoir/lookup_tables_combined.csv
endif
PKGS := sqlite3 jansson libsodium libcrypto libutf8proc inih libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -lpthread

WARN := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla -Wundef -Wcast-align \
	-Wno-unused-parameter
OPT ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Isrc $(PKG_CFLAGS) -MMD -MP
LDFLAGS +=
BUILD ?= build

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CFLAGS += -DUCTRACK_VERSION='"$(VERSION)"'

SRC := $(sort $(shell find src -name '*.c'))
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
OBJ := $(SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/migrations.o $(BUILD)/obj/webassets.o
LIBOBJ := $(filter-out $(BUILD)/obj/main.o,$(OBJ))

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all deps test unit cli check demo clean fuzz bench lint

all: $(BUILD)/uctrack

deps:
	./scripts/deps.sh

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/gen/migrations.c: src/store/read_indexes.sql $(MIGRATIONS) scripts/embed-sql.sh
	@mkdir -p $(dir $@)
	./scripts/embed-sql.sh $@ src/store/read_indexes.sql $(MIGRATIONS)

$(BUILD)/obj/migrations.o: $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-overlength-strings -c $< -o $@

$(BUILD)/gen/webassets.c: $(wildcard web/*) scripts/embed-web.sh
	@mkdir -p $(dir $@)
	./scripts/embed-web.sh $@ $(sort $(wildcard web/*))

$(BUILD)/obj/webassets.o: $(BUILD)/gen/webassets.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/uctrack: $(OBJ)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(LIBOBJ) $(PKG_LIBS) -lcmocka

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

cli: $(BUILD)/uctrack
	UCTRACK=$(abspath $(BUILD)/uctrack) ./tests/cli/run.sh

# Banned libc calls; SQL outside the modules that own the tables.
lint:
	./scripts/format-check.sh
	./scripts/banned.sh
	./scripts/sql-owner.py

# The whole suite: deps, build, unit tests, black-box tests.
test: deps
	$(MAKE) all
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) cli

# The suite under AddressSanitizer + UndefinedBehaviorSanitizer.
check: deps
	$(MAKE) BUILD=build-san OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" all unit cli

# Fuzz targets (libFuzzer, clang); each runs FUZZ_TIME seconds.
FUZZ_TIME ?= 20
fuzz: deps
	./tests/fuzz/run.sh $(FUZZ_TIME)

DEMO_DIR ?= demo-data
DEMO_N ?= 600000
demo: deps
	$(MAKE) all
	./scripts/demo.sh $(DEMO_N) $(DEMO_DIR)

bench: all
	./bench/import.sh

clean:
	rm -rf build build-san build-fuzz

-include $(OBJ:.o=.d)
