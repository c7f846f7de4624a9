"""Actions: what a screen asks of the hall, one small module per area.

A widget hands an action to the task runner (`runner.command(partial(requests.save_request, hall, data, None),
...)`); the action runs in a worker, calls the services (writes, each in its own unit of work) and queries (read
models returning DTOs), and returns DTOs. A write returns a `Done` (domain/changes.py) carrying what it changed,
which the runner announces to every open screen. Actions are Qt-free and hold no rules: the rules are in
`domain/rules/`, the use cases in `domain/services/`, the reads in `domain/queries/`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from unioncore_desktop.domain.uow import UnitOfWork

T = TypeVar("T")


class Hall(Protocol):
    """The logged-in connection as actions use it (db/connection.py's HallConnection is one)."""

    def uow(self) -> UnitOfWork: ...

    def read(self, query: Callable[..., T], /, *args: Any, **kwargs: Any) -> T: ...
