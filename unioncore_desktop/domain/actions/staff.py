"""Staff accounts: the logged-in member's own password, and the administrator's staff logins."""

from __future__ import annotations

from collections.abc import Sequence

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.queries import staff as q
from unioncore_desktop.domain.services import staff


def change_own_password(hall: Hall, new_password: str) -> None:
    staff.change_own_password(hall.uow(), new_password=new_password)


def own_login(hall: Hall) -> q.OwnLogin | None:
    """This workstation's own staff record, read again when another workstation changed staff logins."""
    return hall.read(q.own_login)


# --- staff administration (admins): every write goes through the guarded, audited functions of migration 0014 ---


def _staff_changed(staff_id: int) -> Changed:
    return Changed.of("staff", staff_ids=[staff_id])


def list_staff(hall: Hall) -> list[q.StaffRow]:
    return hall.read(q.list_staff)


def staff_activity(hall: Hall, login: str) -> q.StaffActivity:
    """The person's newest changes that the reader's own grants let them see (audit_trail)."""
    return hall.read(q.staff_activity, login)


def _row(hall: Hall, login: str) -> q.StaffRow:
    return next(row for row in hall.read(q.list_staff) if row.login == login)


def add_staff(hall: Hall, *, login: str, full_name: str, roles: Sequence[str], password: str) -> Done[q.StaffRow]:
    staff_id = staff.add_staff(hall.uow(), login=login, full_name=full_name, roles=roles, password=password)
    return done(_row(hall, login), _staff_changed(staff_id))


def set_roles(hall: Hall, row: q.StaffRow, roles: Sequence[str]) -> Done[q.StaffRow]:
    staff.set_roles(hall.uow(), login=row.login, roles=roles)
    return done(_row(hall, row.login), _staff_changed(row.id))


def deactivate(hall: Hall, row: q.StaffRow) -> Done[q.StaffRow]:
    staff.deactivate(hall.uow(), login=row.login)
    return done(_row(hall, row.login), _staff_changed(row.id))


def reactivate(hall: Hall, row: q.StaffRow) -> Done[q.StaffRow]:
    staff.reactivate(hall.uow(), login=row.login)
    return done(_row(hall, row.login), _staff_changed(row.id))


def reset_password(hall: Hall, row: q.StaffRow, new_password: str) -> Done[q.StaffRow]:
    staff.reset_password(hall.uow(), login=row.login, new_password=new_password)
    return done(_row(hall, row.login), _staff_changed(row.id))
