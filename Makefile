# segur-ledger: a thin wrapper over CMake. See README.md and docs/building.md.
#
#   make run        install what is missing, build, run the main job on ./var/
#   make test       install what is missing, build, run every test, then the
#                   same suite again under AddressSanitizer + UBSan
#   make test-asan  only the sanitizer half
#   make test-tsan  segurd's unit tests (tests/unit/test-daemon-*.c) under
#                   ThreadSanitizer
#   make bench      Release build, run the benchmarks of bench/;
#                   BASE=REV adds the user's commands side by side with REV
#   make fuzz       clang libFuzzer build of tests/fuzz/, short run;
#                   make fuzz FUZZ_RUNS=10000000 for the long one
#   make format     clang-format the lines changed since FORMAT_BASE (HEAD);
#                   make lint: cppcheck, clang-tidy
#   make install    PREFIX=/usr/local by default, DESTDIR honoured; builds
#                   and installs, never installs packages (no bootstrap)
PREFIX	?= /usr/local
JOBS	?= $(shell nproc 2>/dev/null || echo 2)
CMAKE	?= cmake
CTEST	?= ctest
FUZZ_SECONDS ?= 20
# Executions per target instead of seconds when set (docs/building.md).
FUZZ_RUNS ?=

BUILD		= build
BUILD_ASAN	= build-asan
BUILD_REL	= build-release
BUILD_FUZZ	= build-fuzz
BUILD_TSAN	= build-tsan

SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || \
	  find include lib cli daemon tests bench -name '*.[ch]')

.PHONY: all bootstrap build build-asan run test test-unit test-asan bench \
	fuzz fuzz-build fuzz-smoke test-tsan format lint install clean

all: build

bootstrap:
	@./scripts/bootstrap

# The test builds compile in the crash tests' hooks (docs/building.md).
build: bootstrap
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Debug \
	    -DCMAKE_INSTALL_PREFIX=$(PREFIX) -DSEGUR_FAULT_INJECTION=ON
	$(CMAKE) --build $(BUILD) -j $(JOBS)

build-asan: bootstrap
	$(CMAKE) -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug \
	    -DSEGUR_SANITIZE=ON -DSEGUR_FAULT_INJECTION=ON
	$(CMAKE) --build $(BUILD_ASAN) -j $(JOBS)

run: build
	./scripts/demo $(BUILD)

test: build
	$(CTEST) --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory fuzz-smoke
	$(MAKE) --no-print-directory test-tsan
	$(MAKE) --no-print-directory test-asan

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(CTEST) --test-dir $(BUILD_ASAN) --output-on-failure -j $(JOBS)

# segurd's threads (loop, ingest and alerts workers) under ThreadSanitizer;
# libuv needs no suppression (docs/building.md).
test-tsan: bootstrap
	$(CMAKE) -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=Debug -DSEGUR_TSAN=ON
	$(CMAKE) --build $(BUILD_TSAN) -j $(JOBS) --target \
	    $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test-daemon-*.c))
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	    $(CTEST) --test-dir $(BUILD_TSAN) --output-on-failure -j $(JOBS) \
	    -R '^unit/test-daemon-'

# make bench BASE=REV: the same, then side by side with commit REV, built
# in $(BUILD_REL)/base (a git worktree).
bench: bootstrap
	$(CMAKE) -S . -B $(BUILD_REL) -DCMAKE_BUILD_TYPE=Release \
	    -DSEGUR_FAULT_INJECTION=OFF
	$(CMAKE) --build $(BUILD_REL) -j $(JOBS) --target all benches
	@if [ -n "$(BASE)" ]; then \
	    rm -rf $(BUILD_REL)/base && git worktree prune && \
	    git worktree add --detach $(BUILD_REL)/base $(BASE) && \
	    $(CMAKE) -S $(BUILD_REL)/base -B $(BUILD_REL)/base/build \
		-DCMAKE_BUILD_TYPE=Release && \
	    $(CMAKE) --build $(BUILD_REL)/base/build -j $(JOBS) \
		--target segurctl bench-ledger; fi
	./scripts/bench $(BUILD_REL) $(if $(BASE),$(BUILD_REL)/base/build)

$(BUILD_FUZZ)/CMakeCache.txt:
	CC=clang $(CMAKE) -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug \
	    -DSEGUR_FUZZ=ON

fuzz-build: bootstrap $(BUILD_FUZZ)/CMakeCache.txt
	$(CMAKE) --build $(BUILD_FUZZ) -j $(JOBS)

# A long run: make fuzz FUZZ_SECONDS=3600, or FUZZ_RUNS=10000000.
fuzz: fuzz-build
	FUZZ_RUNS=$(FUZZ_RUNS) ./scripts/fuzz $(BUILD_FUZZ) $(FUZZ_SECONDS)

# The short smoke run make test does.
fuzz-smoke: fuzz-build
	./scripts/fuzz $(BUILD_FUZZ) 10

# The lines changed since FORMAT_BASE (HEAD: the uncommitted change), not
# the whole tree: clang-format cannot write KNF's tab-aligned declarations,
# and rewriting every file would move the code away from the house style
# (docs/internals/style.md).
FORMAT_BASE ?= HEAD
format:
	@git clang-format --binary clang-format $(FORMAT_BASE) -- $(SOURCES)

lint: build
	cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
	    --enable=warning,performance,portability \
	    --suppress=missingIncludeSystem -I include -I $(BUILD)/include \
	    lib cli daemon
	clang-tidy -p $(BUILD) --quiet $(filter %.c,$(filter lib/% cli/% daemon/%,$(SOURCES)))

# No bootstrap: installing (often as root, into a DESTDIR for a package)
# must not install packages; a missing library stops the configure step.
install:
	$(CMAKE) -S . -B $(BUILD_REL) -DCMAKE_BUILD_TYPE=Release \
	    -DSEGUR_FAULT_INJECTION=OFF -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	$(CMAKE) --build $(BUILD_REL) -j $(JOBS)
	DESTDIR="$(DESTDIR)" $(CMAKE) --install $(BUILD_REL) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_REL) $(BUILD_FUZZ) $(BUILD_TSAN)
