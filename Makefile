# Two commands for a fresh clone: `make run` and `make test`. Both create .venv with the
# machine's python3 and only ever call .venv/bin/python afterwards.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint audit serve worker beat clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Kinetogram is running at http://127.0.0.1:8000/  (staff: http://127.0.0.1:8000/admin/)"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Style, import contracts, and bandit (medium or high severity fails; config in pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -c pyproject.toml -r . --severity-level medium --quiet

# Known vulnerabilities in the pinned runtime dependencies; needs OSV's database online.
audit: $(STAMP)
	$(PY) .ci/dependency_audit.py

# Production-like: gunicorn, a Celery worker and beat, as the Procfile says, against the
# PostgreSQL and Redis that DATABASE_URL and REDIS_URL name.
serve: $(STAMP)
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || { echo "make serve needs DATABASE_URL (PostgreSQL) and REDIS_URL: see .env.example"; exit 2; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start -f Procfile web worker beat

worker: $(STAMP)
	$(VENV)/bin/celery -A kinetogram worker --loglevel=info

beat: $(STAMP)
	$(VENV)/bin/celery -A kinetogram beat --loglevel=info

clean:
	rm -rf $(VENV) staticfiles
