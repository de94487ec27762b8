# The README's two commands:
#   make lab    set up the pinned environment in .venv and open the course in JupyterLab
#   make test   set up the same environment (plus test tools, Chromium and bubblewrap) and run the whole test suite
# Both work on a fresh machine with Python 3.11; re-running them skips what is already installed.
# Also: make instructor (JupyterLab with nbgrader's formgrader), make reset LESSON=03 (start a lesson over).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Jupyter refuses to start as root (containers, CI) unless told it is on purpose.
AS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# nbgrader shells out to `alembic` and `jupyter`: the venv's tools must come first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup setup-dev lab instructor hub reset test test-fast readme-shots lessons release grade benchmark system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamp files make re-runs instant and re-install when the pins change.
$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.hub: requirements-hub.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-hub.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.hub
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# Running a notebook writes outputs into it; nbstripout, registered as git's filter for *.ipynb (.gitattributes),
# keeps them out of what git sees, so working a lesson (or running a solution) never shows as a change.
$(VENV)/.git-filter: $(VENV)/.runtime
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
		git config filter.nbstripout.clean "'$(CURDIR)/$(BIN)/python' -m nbstripout --keep-id" && \
		git config filter.nbstripout.smudge cat && \
		git config diff.ipynb.textconv "'$(CURDIR)/$(BIN)/python' -m nbstripout -t --keep-id"; fi
	touch $@

setup: $(VENV)/.runtime $(VENV)/.git-filter
setup-dev: $(VENV)/.dev $(VENV)/.git-filter

# The student's JupyterLab: nbgrader's Validate and Assignment List, without its instructor-only parts (formgrader,
# Create Assignment, course list) and without JupyterLab's news pop-up (autograder/jupyter/student).
STUDENT_JUPYTER := JUPYTER_CONFIG_PATH="$(CURDIR)/autograder/jupyter/student"

lab: setup
	$(STUDENT_JUPYTER) $(BIN)/jupyter lab $(AS_ROOT) --ServerApp.root_dir="$(CURDIR)" \
		exercises/01_losses/01_losses.ipynb

# The instructor's JupyterLab: everything nbgrader offers (Nbgrader > Formgrader to grade, Create Assignment).
instructor: setup-dev
	$(BIN)/jupyter lab $(AS_ROOT) --ServerApp.root_dir="$(CURDIR)"

# The class's JupyterHub on this machine (autograder/HUB.md): it runs as root, students log in with their Unix
# accounts, the hub keeps its database in HUB_STATE and nbgrader's exchange is BACKPROP_EXCHANGE.
HUB_STATE ?= /srv/jupyterhub
BACKPROP_EXCHANGE ?= /srv/nbgrader/exchange
# sudo starts from a clean environment: hand the hub every BACKPROP_* setting (BACKPROP_INSTRUCTORS=ada make hub).
HUB_ENV = $(foreach v,$(filter BACKPROP_%,$(.VARIABLES)),$(v)="$($(v))")
hub: $(VENV)/.hub $(VENV)/.git-filter
	@command -v configurable-http-proxy >/dev/null || { $(SUDO) apt-get update -q && \
		$(SUDO) apt-get install -y -q node-configurable-http-proxy; }
	$(SUDO) install -d -m 0700 $(HUB_STATE)
	$(SUDO) install -d -m 1777 $(BACKPROP_EXCHANGE)
	cd $(HUB_STATE) && $(SUDO) env PATH="$(PATH)" $(HUB_ENV) \
		$(CURDIR)/$(BIN)/jupyterhub -f $(CURDIR)/autograder/hub/jupyterhub_config.py

# Start a lesson over: make reset LESSON=03 (asks first; your notebook is kept in exercises/<lesson>/.backups/).
reset: setup
	@test -n "$(LESSON)" || { echo "Say which lesson: make reset LESSON=03"; exit 2; }
	$(BIN)/python -m autograder reset $(LESSON)

# Debian's Chromium drives the browser tests (never `playwright install`); bubblewrap is the sandbox cohort grading
# runs student code in; Debian's configurable-http-proxy is JupyterHub's proxy (the hub test, make hub).
system-deps:
	@{ command -v chromium >/dev/null && command -v bwrap >/dev/null && \
		command -v configurable-http-proxy >/dev/null; } || { $(SUDO) apt-get update -q && \
		$(SUDO) apt-get install -y -q chromium chromium-driver bubblewrap node-configurable-http-proxy; }

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
	BACKPROP_README_SHOTS=1 $(BIN)/python -m pytest -m browser tests/browser/test_browser.py -k solution_notebook

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
