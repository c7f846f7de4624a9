"""The dispatch path's few hot statements, run straight on the session's psycopg connection.

Every dispatch on a book waits for the one before it, and on a two-core hall server the workstations share the
CPU with it: SQLAlchemy's per-statement work (compiling the text, building result metadata and row mappings)
cost four times the statements' own client time there. These run in the session's transaction, after its
pending changes are flushed, with the same `:name` parameters as `text()`; errors leave through the unit of
work's translation like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from sqlalchemy import Engine
from sqlalchemy.orm import Session

_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")  # as sqlalchemy.text() finds its binds


@lru_cache(maxsize=64)
def _pyformat(statement: str) -> str:
    return _BIND.sub(r"%(\1)s", statement.replace("%", "%%"))


def _driver(session: Session) -> psycopg.Connection[Any]:
    if session.new or session.dirty or session.deleted:
        session.flush()
    return cast("psycopg.Connection[Any]", session.connection().connection.driver_connection)


def fetch_dicts(session: Session, statement: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """All rows of `statement` as dicts (column name -> value)."""
    with _driver(session).cursor(row_factory=dict_row) as cursor:
        return cursor.execute(_pyformat(statement), params).fetchall()


def fetch_first(session: Session, statement: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
    """The first row of `statement`, in the session's transaction."""
    with _driver(session).cursor() as cursor:
        return cursor.execute(_pyformat(statement), params).fetchone()


def execute_and_commit(session: Session, statement: str,
                       params: dict[str, Any]) -> tuple[tuple[Any, ...] | None, bool]:
    """Run the transaction's last statement and COMMIT in one round trip (psycopg pipeline): (its first row,
    whether the transaction is over).

    The locks a dispatch takes on its book are held until COMMIT, and every other dispatch on the book waits
    for them: sending COMMIT with the statement, rather than after its answer comes back, keeps the
    workstation's own turnaround out of that wait. Only a session that began the connection's transaction
    itself commits here (one joined to an outer transaction, as in tests, just runs the statement); it must
    have nothing left to flush, and its later commit finds the transaction over and sends nothing.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("pending ORM changes would be committed after the transaction they belong to")
    sa_conn = session.connection()
    conn = cast("psycopg.Connection[Any]", sa_conn.connection.driver_connection)
    if not isinstance(session.get_bind(), Engine) or sa_conn.in_nested_transaction():
        return fetch_first(session, statement, params), False
    with conn.pipeline():
        cursor = conn.cursor()
        cursor.execute(_pyformat(statement), params)
        conn.commit()
        return cursor.fetchone(), True


def copy_rows(session: Session, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    """`COPY ... FROM STDIN` (text format) of `rows` in the session's transaction: bulk rows in one stream, no
    statement each. Values are None, str, int, bool, Decimal, date, datetime or UUID; the lines are formatted here
    and sent in chunks, which costs a fraction of adapting each value through the driver."""
    with _driver(session).cursor() as cursor, cursor.copy(statement) as copy:
        chunk: list[str] = []
        for row in rows:
            chunk.append("\t".join([_COPY_TEXT[type(value)](value) for value in row]))
            if len(chunk) >= 5_000:
                copy.write("\n".join(chunk) + "\n")
                chunk.clear()
        if chunk:
            copy.write("\n".join(chunk) + "\n")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_str(value: str) -> str:
    return value.translate(_COPY_ESCAPES) if ("\\" in value or "\t" in value or "\n" in value or "\r" in value) \
        else value


_COPY_TEXT: dict[type, Callable[[Any], str]] = {
    type(None): lambda _: "\\N", str: _copy_str, int: str, bool: lambda v: "t" if v else "f", Decimal: str,
    date: date.isoformat, datetime: datetime.isoformat, UUID: str,
}
