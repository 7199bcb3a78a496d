# The two set-up commands (README): `make demo` and `make test`.  Each creates .venv by itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test bench fixtures clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,browse,plot,parquet,distributed]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python fixtures/demo.py --db archive.db

test: $(STAMP)
	sh scripts/install-chromium.sh
	sh scripts/redis-server.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/dates.py
	$(BIN)/python bench/crawl.py
	$(BIN)/python bench/archive.py --n 100000
	$(BIN)/python bench/incremental.py
	$(BIN)/python bench/distributed.py

fixtures: $(STAMP)
	$(BIN)/python fixtures/build_site.py

clean:
	rm -rf $(VENV) archive.db archive.db-wal archive.db-shm .pytest_cache
