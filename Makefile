# Two commands do everything from a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# `make run` is for a laptop: DEBUG on gives the documented demo users (admin/123, user1/123).
RUN_ENV := DEBUG=$${DEBUG:-1}

.PHONY: run paper test test-fast lint bench install clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_default_users
	@# The watchdog runs beside the web server; stopping make run (Ctrl-C) stops both.
	$(RUN_ENV) $(PY) manage.py watchdog & watchdog=$$!; \
	trap 'kill $$watchdog 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole loop on a laptop: the service, the watchdog and the paper bridge (python -m bridge),
# with AAPL, EURUSD and NMFC-ROIC registered; send alerts and watch them fill. Ctrl-C stops all
# three. US stock orders fill only while New York is open (PAPER_EXTENDED_HOURS=1 widens it).
paper: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_default_users
	$(RUN_ENV) $(PY) manage.py seed_paper_demo
	$(RUN_ENV) $(PY) manage.py watchdog & watchdog=$$!; \
	BRIDGE_PASSPHRASE=$${WEBHOOK_PASSPHRASE:-webhook} BRIDGE_API=http://127.0.0.1:$(PORT)/v3 \
	  $(PY) -m bridge & bridge=$$!; \
	trap 'kill $$watchdog $$bridge 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# Type checking only imports the settings; DEBUG spares it a SECRET_KEY.
	DEBUG=1 $(VENV)/bin/mypy .

test: lint
	$(PY) -m pytest $(PYTEST_ARGS)

# Skips the tests that start gunicorn or drive the browser.
test-fast: lint
	$(PY) -m pytest -m "not server and not browser" $(PYTEST_ARGS)

# Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (BENCH_PG_SERVER, BENCH_REDIS_URL);
# restarts PostgreSQL once, in the fault run.
bench: install
	cd bench && status=0; ../$(PY) run.py || status=1; ../$(PY) latency.py || status=1; \
	  ../$(PY) faults.py || status=1; exit $$status

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 test-db.sqlite3* paper-book.json
