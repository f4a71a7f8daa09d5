run: ; ./scripts/run
test: ; ./scripts/test
lint: ; .venv/bin/ruff check . && .venv/bin/ruff format --check .
fmt: ; .venv/bin/ruff format . && .venv/bin/ruff check --fix .
migrations-check: ; TESTING=true .venv/bin/python manage.py makemigrations --check --dry-run
bench: ; for f in bench/*.py; do .venv/bin/python $$f; done
messages: ; DEBUG=true .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=node_modules
.PHONY: run test lint fmt migrations-check bench messages
