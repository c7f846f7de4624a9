"""The dispatch path's few hot statements, run straight on the session's psycopg connection.

Every dispatch on a book waits for the one before it, and on a two-core hall server the workstations share the
CPU with it: SQLAlchemy's per-statement work (compiling the text, building result metadata and row mappings)
cost four times the statements' own client time there. These run in the session's transaction, after its
pending changes are flushed, with the same `:name` parameters as `text()`; errors leave through the unit of
work's translation like any other.
"""

from __future__ import annotations

import queue
import re
import threading
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


def copy_while_calling(session: Session, copy: str, call: str, params: dict[str, Any],
                       parts: Iterable[str]) -> list[Any]:
    """COPY `parts` (whole lines of COPY's text format) in the session's transaction while the caller is still
    making them, and run `call` (with `params` and `last`) each time the server has taken what was made so far:
    with `last` false while parts keep coming, then true once after the last. Returns each call's first column.

    An import's server function writes the rows staged so far while this thread reads and checks the next ones:
    on two cores the file's reading costs no time of its own. A second thread talks to the server (psycopg lets go
    of the GIL while it waits) and takes everything made since its last call in one COPY; this one makes the parts.
    An error on either side stops both and leaves here, in the caller's thread."""
    conn = _driver(session)
    sql = _pyformat(call)
    made: queue.SimpleQueue[str | None] = queue.SimpleQueue()
    answers: list[Any] = []
    failed: list[BaseException] = []
    stop = threading.Event()

    def write() -> None:
        try:
            last = False
            while not last and not stop.is_set():
                batch = [made.get()]
                while True:
                    try:
                        batch.append(made.get_nowait())
                    except queue.Empty:
                        break
                last = batch[-1] is None
                texts = [text for text in batch if text is not None]
                if stop.is_set():
                    return
                with conn.cursor() as cursor:
                    if texts:
                        with cursor.copy(copy) as copier:
                            copier.write("".join(texts))  # one write: this thread holds the GIL as little as it can
                    row = cursor.execute(sql, {**params, "last": last}).fetchone()
                answers.append(row[0] if row is not None else None)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread, raised there
            failed.append(exc)

    writer = threading.Thread(target=write, name="copy-while-calling", daemon=True)
    writer.start()
    try:
        for part in parts:
            if failed:
                break
            made.put(part)
    except BaseException:
        stop.set()
        made.put(None)
        writer.join()
        raise
    made.put(None)
    writer.join()
    if failed:
        raise failed[0]
    return answers


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_str(value: str) -> str:
    return value.translate(_COPY_ESCAPES) if ("\\" in value or "\t" in value or "\n" in value or "\r" in value) \
        else value


_COPY_TEXT: dict[type, Callable[[Any], str]] = {
    type(None): lambda _: "\\N", str: _copy_str, int: str, bool: lambda v: "t" if v else "f", Decimal: str,
    date: date.isoformat, datetime: datetime.isoformat, UUID: str,
}


def copy_text(value: Any) -> str:
    """One value in COPY's text format (the types copy_rows takes)."""
    return _COPY_TEXT[type(value)](value)
