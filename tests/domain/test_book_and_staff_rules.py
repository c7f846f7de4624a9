"""The pure checks the manage-books and staff forms share with their services."""

from __future__ import annotations

from datetime import time

import pytest

from unioncore_desktop.domain.rules.books import BookDraft, book_errors, normalized, retire_refusal
from unioncore_desktop.domain.rules.staff import (
    PASSWORDS_DIFFER,
    new_password_errors,
    password_errors,
    roles_errors,
    staff_errors,
)

GOOD = BookDraft(code="INSIDE_1", name="Inside Wireperson 1", classification="Inside wireperson", region=None,
                 contract_code="WIREPERSON", agreement_type="standard", morning_slot=time(8, 30), sort_order=1)


def test_a_draft_is_trimmed_and_its_code_capitalised():
    draft = normalized(BookDraft(code=" inside_2 ", name=" Inside 2 ", classification=" x ", region="  ",
                                 contract_code="", agreement_type="pla", morning_slot=time(9), sort_order=0))
    assert (draft.code, draft.name, draft.classification, draft.region, draft.contract_code) == (
        "INSIDE_2", "Inside 2", "x", None, None)


@pytest.mark.parametrize("changes, fields", [
    ({}, set()),
    ({"code": ""}, {"code"}),
    ({"code": "A"}, {"code"}),
    ({"code": "INSIDE-1"}, {"code"}),
    ({"code": "X" * 31}, {"code"}),
    ({"name": ""}, {"name"}),
    ({"name": "n" * 61}, {"name"}),
    ({"classification": ""}, {"classification"}),
    ({"region": "r" * 41}, {"region"}),
    ({"agreement_type": "union"}, {"agreement_type"}),
    ({"morning_slot": None}, {"morning_slot"}),
    ({"sort_order": -1}, {"sort_order"}),
    ({"sort_order": 1000}, {"sort_order"}),
])
def test_book_errors_name_the_field(changes, fields):
    values = {name: getattr(GOOD, name) for name in GOOD.__dataclass_fields__}
    assert set(book_errors(BookDraft(**{**values, **changes}))) == fields


@pytest.mark.parametrize("live, requests, says", [
    (0, 0, None),
    (1, 0, "while 1 member is still on it:"),
    (3, 2, "while 3 members are still on it and 2 open requests still name it:"),
    (0, 1, "while 1 open request still names it:"),
])
def test_a_book_is_retired_only_when_nobody_and_nothing_is_on_it(live, requests, says):
    refusal = retire_refusal(live_registrations=live, open_requests=requests)
    assert (refusal is None) if says is None else (says in (refusal or ""))


@pytest.mark.parametrize("login, full_name, roles, fields", [
    ("dana_w", "Dana Walsh", ["dispatcher"], set()),
    ("", "Dana", ["dispatcher"], {"login"}),
    ("Dana", "Dana", ["dispatcher"], {"login"}),
    ("1dana", "Dana", ["dispatcher"], {"login"}),
    ("da", "Dana", ["dispatcher"], {"login"}),
    ("uc_dispatcher", "Dana", ["dispatcher"], {"login"}),
    ("pg_dana", "Dana", ["dispatcher"], {"login"}),
    ("dana_w", "  ", ["dispatcher"], {"full_name"}),
    ("dana_w", "Dana", [], {"roles"}),
    ("dana_w", "Dana", ["superuser"], {"roles"}),
])
def test_staff_errors_name_the_field(login, full_name, roles, fields):
    assert set(staff_errors(login=login, full_name=full_name, roles=roles)) == fields


def test_passwords_are_checked_before_they_are_compared():
    assert password_errors("long enough") == {}
    assert password_errors(" padded password ") != {}
    assert new_password_errors("short", "other") == {"new_password": "A password has at least 8 characters."}
    assert new_password_errors("long enough", "long enougH", field="password") == {"confirm": PASSWORDS_DIFFER}
    assert roles_errors(["manager", "admin"]) == {}
