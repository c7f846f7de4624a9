"""Employers: find and open."""

from __future__ import annotations

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.queries import employers as q


def search(hall: Hall, text: str, *, limit: int | None = None) -> list[q.EmployerListRow]:
    if limit is None:
        return hall.read(q.search_employers, text)
    return hall.read(q.search_employers, text, limit=limit)


def open_employer(hall: Hall, employer_id: int) -> q.EmployerDetail:
    return hall.read(q.employer_detail, employer_id)
