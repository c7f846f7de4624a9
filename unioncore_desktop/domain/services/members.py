"""Create, edit and deactivate members, with optimistic concurrency that tells the user what changed."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm.exc import StaleDataError

from unioncore_desktop.domain.errors import (
    FieldChange,
    NotFound,
    StaleRecord,
    ValidationError,
)
from unioncore_desktop.domain.models import Member
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.members import MemberDetail, member_detail
from unioncore_desktop.domain.rules.members import MemberInput, validate_member
from unioncore_desktop.domain.uow import UnitOfWork


def _validated(uow: UnitOfWork, data: MemberInput) -> MemberInput:
    data = data.normalized()
    errors = validate_member(data, hall_clock(uow.session).today)
    if errors:
        raise ValidationError(errors)
    return data


def _card_taken(uow: UnitOfWork, card_number: str, member_id: int | None) -> bool:
    taken: bool = uow.session.execute(
        text("SELECT EXISTS (SELECT 1 FROM members WHERE card_number = :c AND id IS DISTINCT FROM :id)"),
        {"c": card_number, "id": member_id}).scalar_one()
    return taken


def create_member(uow: UnitOfWork, data: MemberInput) -> MemberDetail:
    with uow:
        data = _validated(uow, data)
        if _card_taken(uow, data.card_number, None):
            raise ValidationError({"card_number": f"Card number {data.card_number} already belongs to another member."})
        member = Member(**{name: getattr(data, name) for name in MemberInput.field_names()})
        uow.session.add(member)
        uow.flush()
        detail = member_detail(uow.session, member.id)
        uow.commit()
        return detail


def update_member(uow: UnitOfWork, member_id: int, data: MemberInput, *, base: MemberDetail) -> MemberDetail:
    """Save `data` over the member as loaded in `base`; refused if someone saved in between.

    Only the fields the user changed are written, so a dispatcher (who may edit contact details only) can save.
    """
    with uow:
        data = _validated(uow, data)
        member = uow.session.get(Member, member_id, with_for_update=True)
        if member is None:
            raise NotFound("That member was removed by someone else; your changes were not saved.")
        if member.version != base.version:
            raise _stale(uow, member, base)
        if data.card_number != member.card_number and _card_taken(uow, data.card_number, member_id):
            raise ValidationError({"card_number": f"Card number {data.card_number} already belongs to another member."})
        for name in MemberInput.field_names():
            if getattr(data, name) != getattr(base, name):
                setattr(member, name, getattr(data, name))
        try:
            uow.flush()
        except StaleDataError:
            raise _stale(uow, None, base) from None
        detail = member_detail(uow.session, member_id)
        uow.commit()
        return detail


def deactivate_member(uow: UnitOfWork, member_id: int, *, base: MemberDetail) -> MemberDetail:
    """Members are never deleted (history, dues and dispatch refer to them): they become inactive."""
    fields = {name: getattr(base, name) for name in MemberInput.field_names()}
    fields["status"] = "inactive"
    return update_member(uow, member_id, MemberInput(**fields), base=base)


def _stale(uow: UnitOfWork, member: Member | None, base: MemberDetail) -> StaleRecord:
    uow.session.rollback()
    current = member_detail(uow.session, base.id)
    changes = [FieldChange(name, getattr(base, name), getattr(current, name))
               for name in MemberInput.field_names() if getattr(base, name) != getattr(current, name)]
    who = uow.session.execute(text("""
        SELECT coalesce(s.full_name, a.db_user) FROM audit_trail a LEFT JOIN staff s ON s.login = a.db_user
        WHERE a.table_name = 'members' AND a.row_key = :id ORDER BY a.id DESC LIMIT 1
    """), {"id": str(base.id)}).scalar()
    fields = ", ".join(c.field.replace("_", " ") for c in changes) or "nothing you can see"
    return StaleRecord(
        f"{who or 'Someone'} saved this member after you opened it (changed: {fields}). "
        "Your edits are still in the form; review them and save again.",
        changes=changes, changed_by=who, current=current)
