# Two commands do everything on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# pywb (used by the tests to replay our WARCs) pins old libraries: it gets a venv of its own.
PYWB := $(VENV)/pywb/.installed
# The `wacz` package (its validator checks the packages `scrapy wacz` writes) pins libraries of its
# own (frictionless and its tree): a venv of its own, for the tests.
WACZ_TOOL := $(VENV)/wacz/.installed
# pip-audit, in a venv of its own, checks the locked dependency set.
AUDIT := $(VENV)/audit/.installed
# newspaper4k and news-please, the extraction benchmark's other baselines, pin libraries of
# their own (news-please brings a second Scrapy): a venv of their own, for `make bench` only.
BASELINES := $(VENV)/baselines/.installed
# py-spy, for `python -m benchmarks.profile` (where the crawler's time goes): a venv of its own.
BENCHVENV := $(VENV)/bench/.installed
# s3rver, the second S3-compatible server the tests run (from npm).
S3RVER := tests/.s3rver/node_modules/.bin/s3rver
# ReplayWeb.page (npm; its built ui.js and sw.js only), for the test that opens a WACZ in it.
RWP_VERSION := 2.5.3
RWP := tests/.replaywebpage/package/ui.js
# Java (Debian's), for PySpark: scrapy replay --engine spark and its tests.
JAVA := /usr/bin/java
# Headless Chromium (Debian's), for the tests that look at replays and reports in a browser.
CHROMIUM := /usr/bin/chromium

.PHONY: venv demo test audit bench baselines profile lock clean

venv: $(STAMP)

# (Re)create the virtualenv when the dependency declarations change.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[test,spark]'
	touch $(STAMP)

$(PYWB): requirements-pywb.lock
	test -x $(VENV)/pywb/bin/python || $(PYTHON) -m venv $(VENV)/pywb
	$(VENV)/pywb/bin/pip install --quiet -r requirements-pywb.lock
	touch $(PYWB)

$(WACZ_TOOL): requirements-wacz.lock
	test -x $(VENV)/wacz/bin/python || $(PYTHON) -m venv $(VENV)/wacz
	$(VENV)/wacz/bin/pip install --quiet -r requirements-wacz.lock
	touch $(WACZ_TOOL)

$(BASELINES): requirements-baselines.lock
	test -x $(VENV)/baselines/bin/python || $(PYTHON) -m venv $(VENV)/baselines
	$(VENV)/baselines/bin/pip install --quiet -r requirements-baselines.lock
	touch $(BASELINES)

baselines: $(BASELINES)

$(BENCHVENV): requirements-bench.lock
	test -x $(VENV)/bench/bin/python || $(PYTHON) -m venv $(VENV)/bench
	$(VENV)/bench/bin/pip install --quiet -r requirements-bench.lock
	touch $(BENCHVENV)

profile: $(STAMP) $(BENCHVENV)
	$(PY) -m benchmarks.profile --label "$(or $(LABEL),now)"

$(AUDIT): requirements-audit.lock
	test -x $(VENV)/audit/bin/python || $(PYTHON) -m venv $(VENV)/audit
	$(VENV)/audit/bin/pip install --quiet -r requirements-audit.lock
	touch $(AUDIT)

# Fails on a known vulnerability in requirements.lock; says so when it could not check.
# AUDIT_OSV_URL=<OSV query API> audits against that OSV service instead of PyPI's data.
audit: $(AUDIT)
	$(PYTHON) .ci/audit.py

$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

$(RWP):
	mkdir -p tests/.replaywebpage
	cd tests/.replaywebpage && npm pack --silent replaywebpage@$(RWP_VERSION) >/dev/null \
	  && tar xzf replaywebpage-$(RWP_VERSION).tgz package/ui.js package/sw.js package/LICENSE

$(JAVA):
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null)

$(S3RVER):
	npm install --prefix tests/.s3rver --no-audit --no-fund --silent s3rver@3.7.1

demo: $(STAMP)
	$(VENV)/bin/scrapy demo --output demo-output

# The suite on TEST_WORKERS pytest-xdist workers (most tests wait on real servers and crawler
# processes, so more workers than CI's 2 cores); --dist loadgroup keeps the tests of a module
# that share a module-scoped crawl on one worker and starts the long ones first (tests/conftest.py,
# hence --no-loadscope-reorder). TEST_WORKERS=0: serial.
TEST_WORKERS ?= 3
test: $(STAMP) $(PYWB) $(WACZ_TOOL) $(S3RVER) $(RWP) $(CHROMIUM) $(JAVA) audit
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder --durations=15

# Every benchmark, each writing its own tables into benchmarks/RESULTS.md.
# QUICK=1: all of them on small inputs in about two minutes (CI runs it), tables into a temp file;
# the extraction baselines' venv is used when there, not built.
ifeq ($(QUICK),)
bench: $(STAMP) $(JAVA) $(BASELINES)
	$(PY) -m benchmarks
else
bench: $(STAMP) $(JAVA)
	$(PY) -m benchmarks --quick
endif

# Refresh the lock files from the current environments.
lock: $(STAMP) $(PYWB) $(WACZ_TOOL) $(AUDIT) $(BASELINES) $(BENCHVENV)
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock
	$(VENV)/pywb/bin/pip freeze > requirements-pywb.lock
	$(VENV)/wacz/bin/pip freeze > requirements-wacz.lock
	$(VENV)/audit/bin/pip freeze > requirements-audit.lock
	$(VENV)/baselines/bin/pip freeze > requirements-baselines.lock
	$(VENV)/bench/bin/pip freeze > requirements-bench.lock

clean:
	rm -rf $(VENV) demo-output .pytest_cache
