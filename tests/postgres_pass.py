"""The PostgreSQL pass of `make test`: the whole suite again on TEST_DATABASE_URL.

When PostgreSQL does not answer, print one line and succeed, unless REQUIRE_POSTGRES=1.
"""

import os
import subprocess
import sys

import dj_database_url
import psycopg

url = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
required = os.environ.get("REQUIRE_POSTGRES") == "1"
params = dj_database_url.parse(url)
try:
    psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"] or 5432,
        connect_timeout=3,
    ).close()
except psycopg.Error as exc:
    reason = str(exc).strip().splitlines()[0]
    if required:
        print(f"PostgreSQL at {url} does not answer and REQUIRE_POSTGRES=1: {reason}")
        sys.exit(1)
    print(f"Skipping the PostgreSQL pass: {url} does not answer ({reason}).")
    sys.exit(0)

print(f"PostgreSQL pass on {url}")
sys.exit(
    subprocess.call(
        [sys.executable, "-m", "pytest", *sys.argv[1:]], env={**os.environ, "DATABASE_URL": url}
    )
)
