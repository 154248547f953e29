# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
GOVUK := node_modules/govuk-frontend/dist/govuk
MOJ := node_modules/@ministryofjustice/frontend/moj
ASSETS := build/govuk-frontend
PORT ?= 8000
# Links in the demo's e-mail (under var/mail) lead to this server.
SERVICE_URL ?= http://127.0.0.1:$(PORT)
DEMO_ENV := DEMO=true STAFF_OTP_REQUIRED=false SERVICE_URL=$(SERVICE_URL)

.PHONY: run test bench install install-dev assets lint clean

run: install assets
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@echo "Starting web, worker and scheduler. Open http://127.0.0.1:$(PORT)/ (Ctrl-C stops all three)."
	$(DEMO_ENV) PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

test: install-dev assets
	$(PY) -m pytest

# The benchmarks (benchmarks/README.md): the round's assignment solver, a
# feedback letter's rendering, 500 feedback letters issued through two
# workers on Redis (PostgreSQL and REDIS_URL needed; target: median under
# 0.5 s a letter, no memory growth), the pages at 25,000 cases (scale 100) beside
# their floors with query counts compared at scale 1, the case list's CSV of
# every case (memory flat), 200 people on
# gunicorn for two minutes, and closing a round of 5,000 drafts and sending
# their emails through two workers (target: the close under 10 s, queries
# flat); then the table of every budget. PostgreSQL when
# DATABASE_URL (or BENCH_DATABASE_URL) is set: scratch databases named after
# it with _s1, _s100, _s100_load and _letters; the seeds are reused while
# the seed version is the same.
BENCH_SCALE ?= 100
bench: install-dev
	-$(PY) benchmarks/assignment.py
	$(PY) benchmarks/letters.py
	$(PY) benchmarks/letter_batch.py --letters 500
	$(PY) benchmarks/pages.py --scale $(BENCH_SCALE)
	$(PY) benchmarks/case_list_csv.py --scale $(BENCH_SCALE)
	$(PY) benchmarks/load.py --scale $(BENCH_SCALE)
	$(PY) benchmarks/close_round.py --drafts 5000
	$(PY) benchmarks/report.py

lint: install-dev
	$(VENV)/bin/ruff check .

# The packages are installed by uv (from PyPI, into the venv): on a 2-core
# machine with nothing cached, 8 s for the test dependencies, where pip took
# 38 s of `make test`.
UV := $(VENV)/bin/uv pip install --quiet --python $(PY)

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv

$(VENV)/.installed: $(VENV)/bin/activate pyproject.toml
	$(UV) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/bin/activate pyproject.toml
	$(UV) -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# GOV.UK Frontend's and MOJ Frontend's built CSS, JS, source maps, fonts and
# images, flat in one folder that collectstatic finds (their CSS asks for
# /assets/fonts/... and /assets/images/...).
assets: build/.govuk-frontend-built

build/.govuk-frontend-built: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(ASSETS) && mkdir -p $(ASSETS)
	cp $(GOVUK)/govuk-frontend.min.css $(GOVUK)/govuk-frontend.min.css.map \
	   $(GOVUK)/govuk-frontend.min.js $(GOVUK)/govuk-frontend.min.js.map $(ASSETS)/
	cp -R $(GOVUK)/assets/. $(ASSETS)/
	cp $(MOJ)/moj-frontend.min.css $(MOJ)/moj-frontend.min.css.map \
	   $(MOJ)/moj-frontend.min.js $(MOJ)/moj-frontend.min.js.map $(ASSETS)/
	cp -R $(MOJ)/assets/images/. $(ASSETS)/images/
	touch $@

clean:
	rm -rf $(VENV) node_modules build staticfiles var
