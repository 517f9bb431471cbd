# Yakuba: `make run` sets up and starts everything; `make test` runs the whole suite.
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
TEST_TASK_QUEUE_URL ?= redis://127.0.0.1:6379/0
# Every Python package is pinned with its hashes in a lock file, and the install takes nothing
# else (issue 14 §4): requirements.lock is the project with its dev extra, requirements-pcsc.lock
# the same plus pyscard (the pcsc extra), which compiles against libpcsclite and so is installed
# only where that library is. `make lock` rebuilds both from pyproject.toml.
LOCK := requirements$(shell pkg-config --exists libpcsclite 2>/dev/null && echo -pcsc).lock
LOCK_TOOLS := .venv-lock
VENDOR := static/vendor
FONTS := node_modules/@expo-google-fonts

.PHONY: install assets lock run test test-pg lint clean

install: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# pip-compile keeps the pins that still satisfy pyproject.toml (`make lock PIP_COMPILE_ARGS=--upgrade`
# takes the newest); requirements.lock starts from the other file's pins, so both say the same.
PIP_COMPILE = $(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --build-deps-for editable --extra dev $(PIP_COMPILE_ARGS)

lock: export CUSTOM_COMPILE_COMMAND = make lock
lock:
	test -x $(LOCK_TOOLS)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_TOOLS) && \
		$(LOCK_TOOLS)/bin/python -m pip install --quiet pip-tools; }
	$(PIP_COMPILE) --extra pcsc --output-file requirements-pcsc.lock pyproject.toml
	cp requirements-pcsc.lock requirements.lock
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml

assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/fonts
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/htmx-ext-sse/dist/sse.min.js $(VENDOR)/htmx-ext-sse.min.js
	cp $(FONTS)/biz-udpgothic/400Regular/BIZUDPGothic_400Regular.ttf $(VENDOR)/fonts/BIZUDPGothic-Regular.ttf
	cp $(FONTS)/biz-udpgothic/700Bold/BIZUDPGothic_700Bold.ttf $(VENDOR)/fonts/BIZUDPGothic-Bold.ttf
	cp $(FONTS)/biz-udgothic/400Regular/BIZUDGothic_400Regular.ttf $(VENDOR)/fonts/BIZUDGothic-Regular.ttf
	cp $(FONTS)/biz-udgothic/700Bold/BIZUDGothic_700Bold.ttf $(VENDOR)/fonts/BIZUDGothic-Bold.ttf
	cp $(FONTS)/biz-udmincho/400Regular/BIZUDMincho_400Regular.ttf $(VENDOR)/fonts/BIZUDMincho-Regular.ttf
	touch $@

# The task consumer runs beside the server and stops with it (Ctrl+C stops both).
run: install
	$(FLASK) db upgrade
	YAKUBA_DEMO=1 $(FLASK) demo load --if-empty
	YAKUBA_DEMO=1 $(FLASK) tasks worker & consumer=$$!; \
	trap 'kill -INT $$consumer 2>/dev/null; wait $$consumer' EXIT; \
	YAKUBA_DEMO=1 YAKUBA_SIMULATE_DEVICES=1 YAKUBA_AGENT_SERVER=http://127.0.0.1:$(PORT) \
		$(FLASK) run --host 127.0.0.1 --port $(PORT) --with-threads

# The suite runs on pytest-xdist workers, one per core (`PYTEST_WORKERS=4`, or 0 for one process,
# e.g. under a debugger); each worker has its own databases, servers and daemons (tests/conftest.py,
# tests/hardware/conftest.py). --dist loadgroup keeps each xdist_group on one worker.
PYTEST_WORKERS ?= auto
PYTEST_XDIST = $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup)
# pytest exits 5 when it collected no tests: that is a failure here, not a pass.
PYTEST = $(BIN)/python -m pytest $(PYTEST_XDIST) --durations=15 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

test: install
	$(BIN)/ruff check app hardware tests bench
	$(PYTEST)

test-pg: install
	export TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_TASK_QUEUE_URL=$(TEST_TASK_QUEUE_URL); $(PYTEST)

lint: install
	$(BIN)/ruff check app hardware tests bench

clean:
	rm -rf $(VENV) $(LOCK_TOOLS) node_modules $(VENDOR) .pytest_cache .ruff_cache
