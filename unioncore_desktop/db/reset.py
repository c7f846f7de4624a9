"""`unioncore reset`: empty a demo or test database and migrate it again, and nothing else.

Whether a database may be emptied is the database's own word: its app_settings 'environment' must say 'demo' or
'test'. A hall's database says 'production' (migration 0001's value), and one that cannot say is refused too.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError

from unioncore_desktop.db import backup, migrate
from unioncore_desktop.domain.errors import DomainError

RESETTABLE = ("demo", "test")


def reset(engine: Engine) -> str:
    """Drop every object in schema public, migrate to head and mark the database as it was; returns the mark."""
    database = engine.url.database
    with engine.begin() as conn:
        try:
            with conn.begin_nested():
                marked = conn.execute(text("SELECT value FROM app_settings WHERE key = 'environment'")).scalar()
        except ProgrammingError:
            marked = None
        if marked not in RESETTABLE:
            said = f"is marked {marked!r}" if marked else "does not say it is a demo or test database"
            raise DomainError(f"Database {database} {said}; reset empties only a database marked 'demo' or 'test'.")
        # the extensions live in public and go with it; the schema comes back as a new database has it
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.execute(text("GRANT USAGE ON SCHEMA public TO PUBLIC"))
        backup.close_restored(conn)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE app_settings SET value = :v, version = version + 1 WHERE key = 'environment'"),
                     {"v": marked})
    return str(marked)
