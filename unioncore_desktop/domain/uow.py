"""Unit of work: one session, one transaction; rollback unless the service commits. Errors leave translated."""

from __future__ import annotations

from types import TracebackType
from typing import Callable

from sqlalchemy.orm import Session

from unioncore_desktop.db.errors import translate


class UnitOfWork:
    """`with uow: ...; uow.commit()` — the session is opened on enter and closed on exit."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool:
        try:
            self.session.rollback()
        except Exception:  # noqa: BLE001 - a dead connection cannot roll back; closing discards it
            pass
        finally:
            self.session.close()
        if exc is not None:
            translated = translate(exc)
            if translated is not exc:
                raise translated from exc
        return False

    def flush(self) -> None:
        self._translated(self.session.flush)

    def commit(self) -> None:
        self._translated(self.session.commit)

    @staticmethod
    def _translated(step: Callable[[], None]) -> None:
        """Constraint and connection errors leave as DomainError/ConnectionProblem; bugs leave as they are."""
        try:
            step()
        except Exception as exc:
            translated = translate(exc)
            if translated is exc:
                raise
            raise translated from exc
