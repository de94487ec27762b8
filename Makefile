# The README's two commands:
#   make lab    set up the pinned environment in .venv and open the course in JupyterLab
#   make test   set up the same environment (plus test tools, Chromium and bubblewrap) and run the whole test suite
# Both work on a fresh machine with Python 3.11; re-running them skips what is already installed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Jupyter refuses to start as root (containers, CI) unless told it is on purpose.
AS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# nbgrader shells out to `alembic` and `jupyter`: the venv's tools must come first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup setup-dev lab test test-fast readme-shots lessons release grade benchmark system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamp files make re-runs instant and re-install when the pins change.
$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

lab: setup
	$(BIN)/jupyter lab $(AS_ROOT) --ServerApp.root_dir="$(CURDIR)" exercises/01_losses/01_losses.ipynb

# Debian's Chromium drives the browser tests (never `playwright install`); bubblewrap is the sandbox cohort grading
# runs student code in.
system-deps:
	@{ command -v chromium >/dev/null && command -v bwrap >/dev/null; } || { $(SUDO) apt-get update -q && \
		$(SUDO) apt-get install -y -q chromium chromium-driver bubblewrap; }

# Two pytest workers on two cores: threaded BLAS inside each would only fight over them.
test test-fast: export OPENBLAS_NUM_THREADS = 1
test test-fast: export OMP_NUM_THREADS = 1

test: setup-dev system-deps
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests

# Everything but the browser, nbgrader and whole-notebook tests, and any test over a second: about 15 s on 2 cores,
# for the edit-test loop.
test-fast: setup-dev
	$(BIN)/python -m pytest -n 2 -m "not browser and not slow" tests

# Re-take the README's widget pictures in JupyterLab.
readme-shots: setup-dev system-deps
	BACKPROP_README_SHOTS=1 $(BIN)/python -m pytest -m browser tests/test_browser.py

# Build each solutions/<aid>/<aid>.ipynb from its lesson script solutions/<aid>/<aid>.py (after editing the script).
lessons: setup-dev
	$(BIN)/python -m autograder lessons

# Regenerate exercises/ from solutions/ with nbgrader; refuses while a lesson script and its notebook disagree.
release: setup-dev
	$(BIN)/python -m autograder release

# Grade a cohort: make grade SUBMISSIONS=week3.zip [ARGS="-a 03_backprop"] (installs bubblewrap if missing).
grade: setup
	@command -v bwrap >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q bubblewrap; }
	$(BIN)/python -m autograder grade $(SUBMISSIONS) $(ARGS)

benchmark: setup-dev
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) autograder/submitted autograder/autograded autograder/feedback autograder/gradebook.db
