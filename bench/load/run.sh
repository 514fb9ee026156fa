#!/bin/sh
# `make bench`: the quarter-end load test (see run.py); pass DATABASE_URL for PostgreSQL.
cd "$(dirname "$0")/../.." && exec .venv/bin/python bench/load/run.py "$@"
