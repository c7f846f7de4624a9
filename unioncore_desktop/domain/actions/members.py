"""Members: find, open the whole record, save and deactivate, and keep the dispatch profile (qualified books,
skills and certifications, employer exclusions).

Member and profile changes are announced by member id (the key their notifications carry). The services (and the
ORM models beneath them) load with the first write: the members screen opens on the reads alone."""

from __future__ import annotations

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.queries import member_profile as profile_q
from unioncore_desktop.domain.queries import members as q
from unioncore_desktop.domain.queries.member_record import MemberRecord, member_record
from unioncore_desktop.domain.rules.member_profile import ExclusionInput, QualifiedBookInput, SkillInput
from unioncore_desktop.domain.rules.members import MemberInput


def search(hall: Hall, text: str, *, status: str | None = None, limit: int | None = None) -> list[q.MemberListRow]:
    return hall.read(q.search_members, text, status=status, limit=limit)


def open_member(hall: Hall, member_id: int) -> MemberRecord:
    """The member's record as the counter sees it, in one read (amounts only for a login that may see them)."""
    return hall.read(member_record, member_id)


def _saved(detail: q.MemberDetail) -> Done[q.MemberDetail]:
    return done(detail, Changed.of("member", member_ids=[detail.id]))


def save_member(hall: Hall, data: MemberInput, base: q.MemberDetail | None) -> Done[q.MemberDetail]:
    """A new member (no `base`), or `data` over the member as loaded in `base`."""
    from unioncore_desktop.domain.services import members as services

    if base is None:
        return _saved(services.create_member(hall.uow(), data))
    return _saved(services.update_member(hall.uow(), base.id, data, base=base))


def deactivate_member(hall: Hall, base: q.MemberDetail) -> Done[q.MemberDetail]:
    from unioncore_desktop.domain.services import members as services

    return _saved(services.deactivate_member(hall.uow(), base.id, base=base))


# --- the dispatch profile -------------------------------------------------------------------------------------

ProfileRow = profile_q.ProfileBookRow | profile_q.ProfileSkillRow | profile_q.ProfileExclusionRow
ProfileInput = QualifiedBookInput | SkillInput | ExclusionInput


def profile_choices(hall: Hall) -> profile_q.ProfileChoices:
    return hall.read(profile_q.profile_choices)


def _profile(saved: profile_q.MemberProfile) -> Done[profile_q.MemberProfile]:
    return done(saved, Changed.of("member_profile", member_ids=[saved.member_id]))


def save_profile_entry(hall: Hall, member_id: int, data: ProfileInput,
                       base: ProfileRow | None) -> Done[profile_q.MemberProfile]:
    """Add `data` to the member's profile (no `base`), or change the entry as it was loaded in `base`."""
    from unioncore_desktop.domain.services import member_profile as profile

    uow = hall.uow()
    if isinstance(data, QualifiedBookInput):
        if base is None:
            return _profile(profile.add_qualified_book(uow, member_id, data))
        assert isinstance(base, profile_q.ProfileBookRow)
        return _profile(profile.change_qualified_book(uow, base, data))
    if isinstance(data, SkillInput):
        if base is None:
            return _profile(profile.add_skill(uow, member_id, data))
        assert isinstance(base, profile_q.ProfileSkillRow)
        return _profile(profile.change_skill(uow, base, data))
    if base is None:
        return _profile(profile.add_exclusion(uow, member_id, data))
    assert isinstance(base, profile_q.ProfileExclusionRow)
    return _profile(profile.change_exclusion(uow, base, data))


def remove_profile_entry(hall: Hall, base: ProfileRow) -> Done[profile_q.MemberProfile]:
    from unioncore_desktop.domain.services import member_profile as profile

    uow = hall.uow()
    if isinstance(base, profile_q.ProfileBookRow):
        return _profile(profile.remove_qualified_book(uow, base))
    if isinstance(base, profile_q.ProfileSkillRow):
        return _profile(profile.remove_skill(uow, base))
    return _profile(profile.remove_exclusion(uow, base))
