"""Members: find, open, save and deactivate."""

from __future__ import annotations

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.queries import members as q
from unioncore_desktop.domain.rules.members import MemberInput
from unioncore_desktop.domain.services import members as services


def search(hall: Hall, text: str, *, status: str | None = None, limit: int | None = None) -> list[q.MemberListRow]:
    return hall.read(q.search_members, text, status=status, limit=limit)


def open_member(hall: Hall, member_id: int) -> q.MemberRecord:
    return hall.read(q.member_record, member_id)


def _saved(detail: q.MemberDetail) -> Done[q.MemberDetail]:
    return done(detail, Changed.of("member", member_ids=[detail.id]))


def save_member(hall: Hall, data: MemberInput, base: q.MemberDetail | None) -> Done[q.MemberDetail]:
    """A new member (no `base`), or `data` over the member as loaded in `base`."""
    if base is None:
        return _saved(services.create_member(hall.uow(), data))
    return _saved(services.update_member(hall.uow(), base.id, data, base=base))


def deactivate_member(hall: Hall, base: q.MemberDetail) -> Done[q.MemberDetail]:
    return _saved(services.deactivate_member(hall.uow(), base.id, base=base))
