# A newcomer's two commands: `make run` and `make test`. Each does all the
# set-up it needs, on a fresh machine: Debian packages, virtualenv, Python and
# npm dependencies, compiled translations, static files, migrations.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DEBIAN_PACKAGES := libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext chromium poppler-utils
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup system-deps lint bench clean

run: setup
	$(PY) manage.py load_demo
	$(PY) manage.py rundev

test: deps
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	$(VENV)/bin/pytest $(PYTEST_ARGS)

setup: deps
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py migrate --noinput -v 1

deps: system-deps $(VENV)/.installed node_modules/.installed

system-deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# ten years of programme on the production stack (PostgreSQL, Redis,
# gunicorn, Celery), then the PDF documents: writes docs/performance.md
bench: setup
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }
	$(PY) benchmarks/programme.py

clean:
	rm -rf $(VENV) node_modules var
