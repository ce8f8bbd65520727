# Two commands do everything on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# pywb (used by the tests to replay our WARCs) pins old libraries: it gets a venv of its own.
PYWB := $(VENV)/pywb/.installed
# s3rver, the second S3-compatible server the tests run (from npm).
S3RVER := tests/.s3rver/node_modules/.bin/s3rver

.PHONY: venv demo test bench lock clean

venv: $(STAMP)

# (Re)create the virtualenv when the dependency declarations change.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

$(PYWB): requirements-pywb.lock
	test -x $(VENV)/pywb/bin/python || $(PYTHON) -m venv $(VENV)/pywb
	$(VENV)/pywb/bin/pip install --quiet -r requirements-pywb.lock
	touch $(PYWB)

$(S3RVER):
	npm install --prefix tests/.s3rver --no-audit --no-fund --silent s3rver@3.7.1

demo: $(STAMP)
	$(VENV)/bin/scrapy demo --output demo-output

test: $(STAMP) $(PYWB) $(S3RVER)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m benchmarks

# Refresh the lock files from the current environments.
lock: $(STAMP) $(PYWB)
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock
	$(VENV)/pywb/bin/pip freeze > requirements-pywb.lock

clean:
	rm -rf $(VENV) demo-output .pytest_cache
