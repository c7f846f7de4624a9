"""The DomainError tree: everything a user can be told and act on, as opposed to a bug."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """A rule, validation or state problem the user can fix; `field` names the form field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """One or more fields are wrong; `errors` maps field name to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message if len(errors) == 1 else f"{len(errors)} fields need attention: {first_message}",
                         field=first_field)
        self.errors = dict(errors)


class NotFound(DomainError):
    """The record is gone (deleted by someone else, or never existed)."""


class PermissionDenied(DomainError):
    """The database refused the logged-in staff member."""


@dataclass(frozen=True)
class FieldChange:
    field: str
    yours: object
    theirs: object


class StaleRecord(DomainError):
    """Someone saved the record after you opened it; `changes` says what they changed."""

    def __init__(self, message: str, changes: list[FieldChange] | None = None, changed_by: str | None = None,
                 current: object | None = None) -> None:
        super().__init__(message)
        self.changes = list(changes or [])
        self.changed_by = changed_by
        self.current = current  # the record as it now stands, so the form can rebase the user's edits


class ConnectionProblem(Exception):
    """The server cannot be reached or the connection dropped; safe to retry (commands are idempotent)."""

    def __init__(self, message: str = "Cannot reach the database server.") -> None:
        super().__init__(message)
        self.message = message

