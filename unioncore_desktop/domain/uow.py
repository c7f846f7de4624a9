"""Unit of work: one session, one transaction; rollback unless the service commits. Errors leave translated."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal

from sqlalchemy.orm import Session

from unioncore_desktop.domain.driver_errors import translate, translated
from unioncore_desktop.domain.driver_sql import execute_and_commit, fetch_first


class UnitOfWork:
    """`with uow: ...; uow.commit()` — the session is opened on enter and closed on exit."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        try:
            self.session.rollback()
        except Exception:  # noqa: BLE001 - a dead connection cannot roll back; closing discards it
            pass
        finally:
            self.session.close()
        if exc is not None:
            replacement = translate(exc)
            if replacement is not exc:
                raise replacement from exc
        return False

    def flush(self) -> None:
        with translated():
            self.session.flush()

    def commit(self) -> None:
        with translated():
            self.session.commit()

    def commit_with(self, statement: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """Run the transaction's last statement and commit with it in one round trip; its first row.

        A clerk keys one payment after another, so the round trip a separate COMMIT costs is felt on each."""
        with translated():
            row, _ = execute_and_commit(self.session, statement, params)
        return row

    def joined(self) -> UnitOfWork:
        """This transaction, for another service to run inside: everything commits (or not) together."""
        return _Joined(self.session)


class _Joined(UnitOfWork):
    """A unit of work inside an open one: `with` opens and rolls back nothing, `commit()` only flushes."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        return False

    def commit(self) -> None:
        self.flush()

    def commit_with(self, statement: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """Only the statement: the outer unit of work commits."""
        self.flush()
        with translated():
            return fetch_first(self.session, statement, params)
