# The one entry point. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
CPP_BUILD := build/cpp
JOBS ?= $(shell nproc)

HEADLINE_FLAGS := -x=-0.1 -X=0.1 -y=-0.1 -Y=0.1 -m=20 -M=100 -R=4000

.PHONY: all setup system-deps venv install cpp run test test-cpp test-python bench bench-cpp lint clean
.PHONY: sanitize test-sanitize fuzz-deps fuzz-build fuzz
.PHONY: explore bench-explore
.PHONY: bench-dask
.PHONY: bench-deep

all: install

## setup: Debian packages, the project's virtual environment and the package built in Release
setup: install

system-deps:
	@tools/install-system-deps.sh

$(VENV_PY): | system-deps
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install -q --upgrade pip

venv: $(VENV_PY)
	$(VENV_PY) -m pip install -q scikit-build-core nanobind

# Non-isolated build: the venv already has the build requirements, and the build folder
# (build/{wheel_tag}) is reused, so a re-install only recompiles what changed.
install: venv
	$(VENV_PY) -m pip install -q --no-build-isolation ".[test,bench]"

## cpp: the C++ library, command and GoogleTest suite (Release)
cpp: system-deps
	cmake -S . -B $(CPP_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DJULIASET_BUILD_TESTS=ON -DJULIASET_BUILD_BENCH=ON -DJULIASET_WERROR=ON
	cmake --build $(CPP_BUILD) -j $(JOBS)

## run: render the seed's headline image (4000 x 4000 zoom) to plot.png
run: install
	$(VENV)/bin/juliaset $(HEADLINE_FLAGS) -o plot.png
	@echo "wrote plot.png"

## test: every test, C++ and Python
test: test-cpp test-python

test-cpp: cpp
	ctest --test-dir $(CPP_BUILD) --output-on-failure -j $(JOBS)

test-python: install
	$(VENV_PY) -m pytest

## bench: the seed's timing table, reproduced on this machine beside our own rows
bench: install
	$(VENV_PY) -m juliaset.bench

## explore: the browser explorer (juliaset-explore) on a free port; bench-explore: its timings
explore: install
	$(VENV)/bin/juliaset-explore --open

bench-explore: install
	$(VENV_PY) -m juliaset.explore.bench --screenshot docs/images/explorer.png

## bench-deep: deep-zoom views of the peer's location, against the MPFR oracle and the peer
bench-deep: install
	$(VENV_PY) -m juliaset.bench_deep

bench-cpp: cpp
	$(CPP_BUILD)/bench/juliaset_bench_kernels

## bench-dask: the seed's view at 100,000 x 100,000 into Zarr on a local Dask cluster
bench-dask: install
	$(VENV_PY) -m juliaset.dask_bench
## bench-animate: frames per second of a 1280x720 morph and a 1080p zoom, render vs encode
.PHONY: bench-animate
bench-animate: install
	$(VENV_PY) -m juliaset.animate.bench

## lint: mypy --strict over the installed package, its generated stub included
lint: install
	$(VENV_PY) -m mypy --strict -p juliaset

## test-sanitize: the C++ tests and command-line cases under AddressSanitizer + UBSan
## (build/sanitize; docs/design.md, "Hardening"). Any sanitizer report fails the run.
SANITIZE_BUILD := build/sanitize
SANITIZER_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

sanitize: system-deps
	cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DJULIASET_SANITIZE=address,undefined -DJULIASET_BUILD_TESTS=ON -DJULIASET_WERROR=ON
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)

test-sanitize: sanitize install
	$(SANITIZER_ENV) ctest --test-dir $(SANITIZE_BUILD) --output-on-failure -j $(JOBS)
	$(SANITIZER_ENV) JULIASET_CLI=$(CURDIR)/$(SANITIZE_BUILD)/juliaset \
	  $(VENV_PY) -m pytest -q tests/sanitize

## fuzz: libFuzzer targets (fuzz/) built with Clang, ASan and UBSan in build/fuzz, each run for
## FUZZ_SECONDS on its committed corpus (fuzz/corpus/<target>) plus what it finds (build/fuzz/corpus)
FUZZ_BUILD := build/fuzz
FUZZ_TARGETS := option_parser_fuzz png_record_fuzz record_json_fuzz deep_view_fuzz
FUZZ_SECONDS ?= 300
FUZZ_PACKAGES := clang libclang-rt-14-dev  # Debian 12's Clang; the second has libFuzzer

fuzz-deps:
	@tools/install-system-deps.sh $(FUZZ_PACKAGES)

fuzz-build: system-deps fuzz-deps
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DJULIASET_SANITIZE=address,undefined \
	  -DJULIASET_BUILD_FUZZERS=ON -DJULIASET_BUILD_TESTS=OFF -DJULIASET_WERROR=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(FUZZ_TARGETS)

fuzz: fuzz-build
	$(SANITIZER_ENV) fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf build $(VENV) plot.png
