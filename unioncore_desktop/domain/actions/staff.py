"""The logged-in staff member's own account."""

from __future__ import annotations

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.services import staff


def change_own_password(hall: Hall, new_password: str) -> None:
    staff.change_own_password(hall.uow(), new_password=new_password)
