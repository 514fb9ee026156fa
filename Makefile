# Everything a fresh machine needs: `make run` serves the demo, `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
export FLASK_DEBUG ?= 0

.PHONY: run test bench venv db demo clean babel-extract babel-update babel-compile

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

venv: $(BIN)/activate
	$(BIN)/pybabel compile --statistics -d tracker/translations

# Translations: extract marked strings, merge them into the catalogs, compile for the app.
babel-extract: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o tracker/translations/messages.pot .

babel-update: babel-extract
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations

babel-compile: $(BIN)/activate
	$(BIN)/pybabel compile -d tracker/translations

db: venv
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo --if-empty

run: demo
	@echo ""
	@echo "  Internal service tracker: http://127.0.0.1:5000"
	@echo "  Log in as admin@demo.local, coo@demo.local, hr@demo.local or head.<code>@demo.local"
	@echo "  (for example head.it@demo.local); the password is: demo"
	@echo ""
	@# The server and the Huey consumer (import jobs) together; Ctrl-C stops both and exits 0 (bin/run).
	@BIN=$(BIN) PORT=5000 exec sh bin/run

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) instance test-output .pytest_cache
