"""Keep a member's dispatch profile: add, change and remove qualified books, skills and certifications, and
employer exclusions. The manager's work (domain §6: dispatchers edit contact details only; db/permissions.py).

Each write is one row in its own unit of work; the audit triggers record who changed what, and the notify
triggers tell the other workstations. A change or removal names the row as it was loaded: if someone changed or
removed it meanwhile, nothing is written and the user is told (these rows carry no version column, so the loaded
values are compared)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select, text

from unioncore_desktop.domain.errors import NotFound, StaleRecord, ValidationError
from unioncore_desktop.domain.models import Member, MemberExclusion, MemberQualifiedBook, MemberSkill
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.member_profile import (
    MemberProfile,
    ProfileBookRow,
    ProfileExclusionRow,
    ProfileSkillRow,
    member_profile,
)
from unioncore_desktop.domain.rules.member_profile import (
    ExclusionInput,
    QualifiedBookInput,
    SkillInput,
    exclusion_errors,
    qualified_book_errors,
    skill_errors,
)
from unioncore_desktop.domain.uow import UnitOfWork

RowT = TypeVar("RowT", MemberQualifiedBook, MemberSkill, MemberExclusion)
CHANGED = "Someone changed or removed this entry after you opened the record; look at it again and retry."


def _member(uow: UnitOfWork, member_id: int) -> None:
    # the member's row is locked, so two desks adding to one profile take turns and see each other's rows
    if uow.session.get(Member, member_id, with_for_update={"key_share": True}) is None:
        raise NotFound("That member no longer exists.")


def _locked(uow: UnitOfWork, model: type[RowT], row_id: int, member_id: int,
            same: Callable[[RowT], bool]) -> RowT:
    """The row to change, locked; refused when it is gone or no longer what the user loaded."""
    row = uow.session.get(model, row_id, with_for_update=True)
    if row is None or row.member_id != member_id or not same(row):
        raise StaleRecord(CHANGED)
    return row


def _saved(uow: UnitOfWork, member_id: int) -> MemberProfile:
    uow.flush()
    profile = member_profile(uow.session, member_id)
    uow.commit()
    return profile


def _active_books(uow: UnitOfWork) -> list[str]:
    return list(uow.session.execute(text("SELECT code FROM books WHERE active")).scalars())


def _held(uow: UnitOfWork, column: Any, member_id: int, except_id: int | None) -> list[Any]:
    table = column.class_
    return list(uow.session.scalars(select(column).where(table.member_id == member_id,
                                                         table.id.is_distinct_from(except_id))))


# --- qualified books ------------------------------------------------------------------------------------------

def _check_book(uow: UnitOfWork, member_id: int, data: QualifiedBookInput, editing: int | None) -> None:
    errors = qualified_book_errors(data, book_codes=_active_books(uow),
                                   held=_held(uow, MemberQualifiedBook.book_code, member_id, editing))
    if errors:
        raise ValidationError(errors)


def add_qualified_book(uow: UnitOfWork, member_id: int, data: QualifiedBookInput) -> MemberProfile:
    with uow:
        _member(uow, member_id)
        _check_book(uow, member_id, data, None)
        uow.session.add(MemberQualifiedBook(member_id=member_id, book_code=data.book_code, tier=data.tier))
        return _saved(uow, member_id)


def change_qualified_book(uow: UnitOfWork, base: ProfileBookRow, data: QualifiedBookInput) -> MemberProfile:
    """The tier (or the book) of a qualification, as loaded in `base`."""
    with uow:
        _member(uow, base.member_id)
        row = _locked(uow, MemberQualifiedBook, base.id, base.member_id,
                      lambda r: (r.book_code, r.tier) == (base.book_code, base.tier))
        if data.book_code != base.book_code:
            _check_book(uow, base.member_id, data, base.id)
        else:  # a new tier on a book already held (a retired one included)
            errors = qualified_book_errors(data, book_codes=[data.book_code], held=())
            if errors:
                raise ValidationError(errors)
        row.book_code, row.tier = data.book_code, data.tier
        return _saved(uow, base.member_id)


def remove_qualified_book(uow: UnitOfWork, base: ProfileBookRow) -> MemberProfile:
    """The member may no longer sign the book; a live registration stays, and the walk skips it (not qualified)."""
    with uow:
        _member(uow, base.member_id)
        row = _locked(uow, MemberQualifiedBook, base.id, base.member_id,
                      lambda r: (r.book_code, r.tier) == (base.book_code, base.tier))
        uow.session.delete(row)
        return _saved(uow, base.member_id)


# --- skills and certifications --------------------------------------------------------------------------------

def _check_skill(uow: UnitOfWork, member_id: int, data: SkillInput, editing: int | None) -> SkillInput:
    data = data.normalized()
    errors = skill_errors(data, held=_held(uow, MemberSkill.name, member_id, editing))
    if errors:
        raise ValidationError(errors)
    return data


def _same_skill(base: ProfileSkillRow) -> Callable[[MemberSkill], bool]:
    return lambda r: (r.name, r.number, r.expires_on) == (base.name, base.number, base.expires_on)


def add_skill(uow: UnitOfWork, member_id: int, data: SkillInput) -> MemberProfile:
    with uow:
        _member(uow, member_id)
        data = _check_skill(uow, member_id, data, None)
        uow.session.add(MemberSkill(member_id=member_id, name=data.name, number=data.number,
                                    expires_on=data.expires_on))
        return _saved(uow, member_id)


def change_skill(uow: UnitOfWork, base: ProfileSkillRow, data: SkillInput) -> MemberProfile:
    """A renewal (new number or expiry) or a correction of the skill as loaded in `base`."""
    with uow:
        _member(uow, base.member_id)
        row = _locked(uow, MemberSkill, base.id, base.member_id, _same_skill(base))
        data = _check_skill(uow, base.member_id, data, base.id)
        row.name, row.number, row.expires_on = data.name, data.number, data.expires_on
        return _saved(uow, base.member_id)


def remove_skill(uow: UnitOfWork, base: ProfileSkillRow) -> MemberProfile:
    with uow:
        _member(uow, base.member_id)
        uow.session.delete(_locked(uow, MemberSkill, base.id, base.member_id, _same_skill(base)))
        return _saved(uow, base.member_id)


# --- employer exclusions --------------------------------------------------------------------------------------

def _check_exclusion(uow: UnitOfWork, data: ExclusionInput, loaded_end: Any = None) -> ExclusionInput:
    data = data.normalized()
    errors = exclusion_errors(data, hall_clock(uow.session).today, loaded_end=loaded_end)
    if errors:
        raise ValidationError(errors)
    return data


def _same_exclusion(base: ProfileExclusionRow) -> Callable[[MemberExclusion], bool]:
    return lambda r: (r.employer_id, r.reason, r.ends_on) == (base.employer_id, base.reason, base.ends_on)


def add_exclusion(uow: UnitOfWork, member_id: int, data: ExclusionInput) -> MemberProfile:
    with uow:
        _member(uow, member_id)
        data = _check_exclusion(uow, data)
        uow.session.add(MemberExclusion(member_id=member_id, employer_id=data.employer_id, reason=data.reason,
                                        ends_on=data.ends_on))
        return _saved(uow, member_id)


def change_exclusion(uow: UnitOfWork, base: ProfileExclusionRow, data: ExclusionInput) -> MemberProfile:
    with uow:
        _member(uow, base.member_id)
        row = _locked(uow, MemberExclusion, base.id, base.member_id, _same_exclusion(base))
        data = _check_exclusion(uow, data, base.ends_on)
        row.employer_id, row.reason, row.ends_on = data.employer_id, data.reason, data.ends_on  # type: ignore[assignment]
        return _saved(uow, base.member_id)


def remove_exclusion(uow: UnitOfWork, base: ProfileExclusionRow) -> MemberProfile:
    with uow:
        _member(uow, base.member_id)
        uow.session.delete(_locked(uow, MemberExclusion, base.id, base.member_id, _same_exclusion(base)))
        return _saved(uow, base.member_id)
