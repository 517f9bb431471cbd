# Yakuba: `make run` sets up and starts everything; `make test` runs the whole suite.
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
TEST_TASK_QUEUE_URL ?= redis://127.0.0.1:6379/0
# pyscard compiles against libpcsclite; install the PC/SC extra only where that library is.
EXTRAS := dev$(shell pkg-config --exists libpcsclite 2>/dev/null && echo ,pcsc)
VENDOR := static/vendor
FONTS := node_modules/@expo-google-fonts

.PHONY: install assets run test test-pg lint clean

install: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

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
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .ruff_cache
