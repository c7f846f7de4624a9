"""Unit of work: one session, one transaction; rollback unless the service commits. Errors leave translated."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Literal

from sqlalchemy.orm import Session

from unioncore_desktop.domain.driver_errors import translate, translated


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
