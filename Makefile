# The one entry point. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
CPP_BUILD := build/cpp
JOBS ?= $(shell nproc)

HEADLINE_FLAGS := -x=-0.1 -X=0.1 -y=-0.1 -Y=0.1 -m=20 -M=100 -R=4000

.PHONY: all setup system-deps venv install cpp run test test-cpp test-python bench bench-cpp bench-deep lint clean

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

## bench-deep: deep-zoom views of the peer's location, against the MPFR oracle and the peer
bench-deep: install
	$(VENV_PY) -m juliaset.bench_deep

bench-cpp: cpp
	$(CPP_BUILD)/bench/juliaset_bench_kernels

## lint: mypy --strict over the installed package, its generated stub included
lint: install
	$(VENV_PY) -m mypy --strict -p juliaset

clean:
	rm -rf build $(VENV) plot.png
