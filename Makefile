# Wangge — the two commands of the quick start are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
PG_URL ?= postgres://postgres@127.0.0.1:5432/wangge

.PHONY: install demo run worker test test-sqlite test-postgres bench browser-deps messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## make demo — install, migrate, load the demo sub-district, run web server + worker (SQLite).
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --if-empty
	bash scripts/demo.sh

## make test — the whole suite on SQLite, then on PostgreSQL.
test: install browser-deps
	bash scripts/test.sh

test-sqlite: install browser-deps
	WANGGE_TEST_DB=sqlite $(BIN)/python -m pytest

test-postgres: install browser-deps
	WANGGE_TEST_DB=postgres WANGGE_TEST_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest

## Headless Chromium (Debian's) and CJK fonts for the browser tests.
browser-deps:
	@bash scripts/browser-deps.sh

## make bench — throughput and latency figures on PostgreSQL, printed as a table.
bench: install
	WANGGE_BENCH_DATABASE_URL=$(PG_URL) $(BIN)/python -m benchmarks.run

## Recompile translations after editing locale/*/LC_MESSAGES/django.po
messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf var $(VENV)
