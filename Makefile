# Lantern. `make run` serves the site; `make test` installs what it needs and runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LANGS := ur ar pl sk cs ro
export FLASK_APP := app:create_app

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-24s %s\n", $$1, $$2}'

# Both lock files pin every package, transitive ones included, with hashes (`make lock` writes
# them from requirements*.in); pip refuses anything whose hash differs. Running needs only the
# runtime lock; tests and tools add the dev lock, which holds the same runtime pins.
$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

runtime: $(VENV)/.runtime ## Create the virtualenv with only what running the site needs

venv: $(VENV)/.dev ## Create the virtualenv with the runtime, test and tool packages (hash-checked)

lock: ## Recompile both lock files, with hashes, from requirements*.in (needs the index)
	test -x $(VENV)/tools/bin/pip-compile || { $(PYTHON) -m venv $(VENV)/tools && \
	  $(VENV)/tools/bin/pip install --quiet pip-tools; }
	for pair in "requirements.txt requirements.in" "requirements-dev.txt requirements-dev.in"; do \
	  set -- $$pair; CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/tools/bin/pip-compile --quiet \
	    --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	    -o $$1 $$2; done

# fonts-noto-core gives the test browser Urdu and Arabic glyphs, as readers' phones have, so the
# screenshots show real text rather than empty boxes. The site itself loads no fonts.
BROWSER_PACKAGES := chromium fonts-noto-core
chromium: ## Install Debian's chromium (and Noto fonts) for the browser tests when missing
	@command -v chromium >/dev/null && [ -d /usr/share/fonts/truetype/noto ] || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(BROWSER_PACKAGES); }

# Debian's nginx-light is the front server (deploy/nginx.conf), tested in front of gunicorn.
nginx: ## Install Debian's nginx-light for the front server and its tests when missing
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light; }

PORT ?= 5000
PROXY_PORT ?= 8080

run: runtime translations-compile ## Serve the site at http://127.0.0.1:5000 on embedded defaults (another port: PORT=8080)
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

serve: runtime translations-compile ## Serve production-like with gunicorn (see gunicorn.conf.py) on PORT
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) 'app:create_app()'

serve-proxy: runtime translations-compile nginx ## gunicorn behind nginx (deploy/) at http://127.0.0.1:8080 (PROXY_PORT=)
	LANTERN_PROXY_HOPS=1 $(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) \
	  'app:create_app()' & trap "kill $$!" EXIT; \
	  $(BIN)/python deploy/nginx.py --listen $(PROXY_PORT) --upstream $(PORT)

test: venv chromium nginx translations-compile ## Run every test, browser and load tests included (what CI runs)
	$(BIN)/pytest -q

# The inner loop: lint, then every test but the browser, load and gunicorn-cluster ones.
check: venv translations-compile ## Lint and the fast tests (no browser, load or multi-instance): under two minutes
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -n 2 -m "not browser and not load and not slow" -p no:cacheprovider

lint: venv ## ruff check and format check, bandit on the product's code
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r app.py web directory chatbot storage deploy

audit: venv ## pip-audit of the pinned requirements (needs the internet: not run in CI here)
	$(BIN)/pip-audit -r requirements.txt -r requirements-dev.txt --no-deps --disable-pip

format: venv ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

translations-extract: venv ## Extract messages into translations/messages.pot
	PYTHONPATH=. $(BIN)/pybabel extract --no-location --sort-by-file -F babel.cfg -k _l -k lazy_gettext \
	  --project=Lantern --copyright-holder=Lantern -o translations/messages.pot .

translations-update: translations-extract ## Merge the .pot into every language's catalogue
	@for l in $(LANGS); do \
	  if [ -f translations/$$l/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations -l $$l; \
	  else $(BIN)/pybabel init -i translations/messages.pot -d translations -l $$l; fi; \
	done

translations-compile: runtime ## Compile the catalogues (.mo files are built, never committed)
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile --statistics -d translations 2>&1 | tail -n 7; fi

model: venv ## Train the triage reader's classifier on content/flows/corpus (after changing it)
	$(BIN)/python -m chatbot.reader.train

evaluate: venv translations-compile ## Print the triage reader's figures on the frozen held-out set
	$(BIN)/flask chat evaluate --set heldout

bench: venv translations-compile ## Run the benchmarks and print their figures
	$(BIN)/python -m bench

load: venv nginx translations-compile ## Only the load test (3 min, also in `make test`): 200 clients through nginx, crash, DB restart
	$(BIN)/pytest -m load tests/load -q -s

clean: ## Remove the virtualenv, built catalogues and instance data
	rm -rf $(VENV) instance translations/*/LC_MESSAGES/*.mo

.PHONY: help runtime venv lock chromium nginx run serve serve-proxy test check lint audit format translations-extract translations-update translations-compile model evaluate bench load clean
