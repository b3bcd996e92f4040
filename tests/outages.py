"""A database that really cannot answer, for the tests of what clients then see."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_down() -> Iterator[None]:
    """Close the default connection and point it at nothing: a port where nothing listens
    (PostgreSQL) or a file in a folder that does not exist (SQLite). Every thread's next query
    (the live server's too: they share these settings) fails to connect, as while the server
    restarts. Needs `django_db(transaction=True)`: no test transaction holds the connection."""
    connection.close()
    saved = {key: connection.settings_dict[key] for key in ("NAME", "HOST", "PORT")}
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    else:
        connection.settings_dict["NAME"] = "/nonexistent-pathway-folder/db.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
