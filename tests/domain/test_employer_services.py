"""Keeping employers against a real PostgreSQL: the services, the likely-duplicate read, the change history, and
the database's own refusals (one primary contact, no overlapping periods) under real staff logins."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import exc, text

from unioncore_desktop.db.connection import connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.actions import employers as actions
from unioncore_desktop.domain.changes import Changed
from unioncore_desktop.domain.errors import PermissionDenied, StaleRecord, ValidationError
from unioncore_desktop.domain.queries.employers import employer_record, likely_duplicates, search_employers
from unioncore_desktop.domain.rules.employers import ContactInput, ContractInput, EmployerInput, WorksiteInput
from unioncore_desktop.domain.services import employers as services

PUGET = EmployerInput(name="Puget Sound Electric, Inc.", address_line1="1200 Pike Street", city="Seattle",
                      state="wa", phone="(206) 555-0100")


def test_create_edit_deactivate_and_reactivate(uow, session_factory):
    created = services.create_employer(uow, PUGET)
    assert (created.name, created.state, created.active, created.version) == (
        "Puget Sound Electric, Inc.", "WA", True, 1)
    edited = services.update_employer(uow, created.id, EmployerInput(**{**PUGET.__dict__, "city": "Tacoma"}),
                                      base=created)
    assert (edited.city, edited.version) == ("Tacoma", 2)
    inactive = services.set_employer_active(uow, created.id, False, version=2)
    assert not inactive.active
    assert services.set_employer_active(uow, created.id, True, version=3).active
    with session_factory() as session:
        assert [r.name for r in search_employers(session, "555-0100")] == ["Puget Sound Electric, Inc."]
        assert [r.name for r in search_employers(session, "tacom")] == ["Puget Sound Electric, Inc."]


def test_invalid_employer_is_refused_with_field_errors(uow):
    with pytest.raises(ValidationError) as raised:
        services.create_employer(uow, EmployerInput(name="  ", email="nope"))
    assert raised.value.errors.keys() == {"name", "email"}


def test_a_save_over_an_older_version_is_refused(uow):
    created = services.create_employer(uow, PUGET)
    services.update_employer(uow, created.id, EmployerInput(**{**PUGET.__dict__, "phone": "206-555-0111"}),
                             base=created)
    with pytest.raises(StaleRecord, match=r"saved this employer after you opened it \(changed: phone\)") as raised:
        services.update_employer(uow, created.id, EmployerInput(**{**PUGET.__dict__, "city": "Everett"}),
                                 base=created)
    assert [(c.field, c.yours, c.theirs) for c in raised.value.changes] == [
        ("phone", "(206) 555-0100", "206-555-0111")]
    assert raised.value.current.version == 2


def test_likely_duplicates_by_name_phone_or_address(uow, session_factory):
    first = services.create_employer(uow, PUGET)
    services.create_employer(uow, EmployerInput(name="Cascade Lighting", phone="(253) 555-0199",
                                                address_line1="77 Pacific Ave", city="Tacoma"))
    with session_factory() as session:
        by_name = likely_duplicates(session, EmployerInput(name="puget sound electric").normalized())
        by_phone = likely_duplicates(session, EmployerInput(name="PSE Seattle", phone="206.555.0100"))
        by_address = likely_duplicates(session, EmployerInput(name="New Co", address_line1="1200 Pike St.",
                                                               city="seattle"))
        nothing = likely_duplicates(session, EmployerInput(name="Olympic Wiring", phone="(360) 555-0142",
                                                           address_line1="1201 Pike Street", city="Seattle"))
        itself = likely_duplicates(session, PUGET, first.id)
    assert [(d.id, d.reasons) for d in by_name] == [(first.id, "same name")]
    assert [(d.id, d.reasons) for d in by_phone] == [(first.id, "same phone")]
    assert [(d.id, d.reasons) for d in by_address] == [(first.id, "same address")]
    assert nothing == [] and itself == []


def test_worksites_contacts_and_contracts(uow, session_factory):
    employer = services.create_employer(uow, PUGET)
    site = services.save_worksite(uow, employer.id, WorksiteInput(name="Shop", city="Seattle", region="North",
                                                                  report_to="Gate 3, ask for Sam"))
    services.save_worksite(uow, employer.id, WorksiteInput(name="Shop", city="Seattle", region="North",
                                                           report_to="Gate 4", active=False),
                           worksite_id=site, version=1)
    sam = services.save_contact(uow, employer.id, ContactInput(name="Sam Lee", title="Superintendent",
                                                               is_primary=True))
    services.save_contact(uow, employer.id, ContactInput(name="Ann Fox", title="Payroll"))
    with pytest.raises(ValidationError, match="Sam Lee is the primary contact"):
        services.save_contact(uow, employer.id, ContactInput(name="Ann Fox", is_primary=True))
    services.save_contract(uow, employer.id, ContractInput("WIREPERSON", date(2020, 1, 1), date(2022, 12, 31)))
    with pytest.raises(ValidationError, match="periods of one contract cannot overlap"):
        services.save_contract(uow, employer.id, ContractInput("WIREPERSON", date(2022, 6, 1)))
    services.save_contract(uow, employer.id, ContractInput("WIREPERSON", date(2023, 1, 1)))
    with session_factory() as session:
        record = employer_record(session, employer.id)
    assert [(w.name, w.report_to, w.active) for w in record.detail.worksites] == [("Shop", "Gate 4", False)]
    assert [(c.name, c.is_primary) for c in record.detail.contacts] == [("Sam Lee", True), ("Ann Fox", False)]
    assert [(c.effective_on, c.expires_on) for c in record.detail.contracts] == [
        (date(2020, 1, 1), date(2022, 12, 31)), (date(2023, 1, 1), None)]
    services.delete_contact(uow, employer.id, sam, version=1)
    with session_factory() as session:
        record = employer_record(session, employer.id)
    assert [c.name for c in record.detail.contacts] == ["Ann Fox"]
    # the history reads the audit trail: who did what to which part
    areas = {(h.area, h.field, h.action) for h in record.history}
    assert ("Worksite Shop", "report_to", "update") in areas
    assert ("Contact Sam Lee", "name", "delete") in areas
    assert ("Contract WIREPERSON", "effective_on", "insert") in areas
    assert ("Employer", "name", "insert") in areas


def _hall(databases, database: str, role: str):
    login = databases.make_staff(database, role, f"Test {role}")
    return connect(ConnectionProfile.from_url(databases.server.url(database, login)))


def test_a_dispatcher_keeps_employers_and_every_write_is_audited_by_login(databases):
    database = databases.create()
    hall = _hall(databases, database, "dispatcher")
    try:
        saved = actions.save_employer(hall, PUGET, None)
        assert saved.changes == (Changed("employer", (saved.value.id,)),)
        part = actions.save_worksite(hall, saved.value.id, WorksiteInput(name="Shop"), None)
        assert Changed("employer_detail", (saved.value.id,)) in part.changes
        record = actions.open_record(hall, saved.value.id)
        assert {h.changed_by for h in record.history} == {"Test dispatcher"}
    finally:
        hall.close()
    clerk = _hall(databases, database, "dues_clerk")
    try:
        with pytest.raises(PermissionDenied, match="employers"):
            actions.save_employer(clerk, EmployerInput(name="Clerk Electric"), None)
    finally:
        clerk.close()


def test_one_primary_contact_is_enforced_in_sql_under_a_dispatcher_login(databases):
    """A dispatcher with psql gains nothing over the app: the partial unique index refuses a second primary."""
    database = databases.create()
    login = databases.make_staff(database, "dispatcher")
    with databases.engine(database, login).connect() as conn:
        employer = conn.execute(text("INSERT INTO employers (name) VALUES ('Psql Electric') RETURNING id")).scalar()
        conn.execute(text("INSERT INTO employer_contacts (employer_id, name, is_primary) VALUES (:e, 'Sam', true)"),
                     {"e": employer})
        with pytest.raises(exc.IntegrityError, match="uq_employer_contacts_primary"), conn.begin_nested():
            conn.execute(text("INSERT INTO employer_contacts (employer_id, name, is_primary) "
                              "VALUES (:e, 'Ann', true)"), {"e": employer})
        with pytest.raises(exc.IntegrityError, match="uq_employer_contacts_primary"), conn.begin_nested():
            conn.execute(text("INSERT INTO employer_contacts (employer_id, name) VALUES (:e, 'Ann')"),
                         {"e": employer})
            conn.execute(text("UPDATE employer_contacts SET is_primary = true, version = version + 1 "
                              "WHERE name = 'Ann'"))
        with pytest.raises(exc.IntegrityError, match="ex_employer_contracts_no_overlap"), conn.begin_nested():
            conn.execute(text("""
                INSERT INTO employer_contracts (employer_id, contract_code, effective_on, expires_on) VALUES
                    (:e, 'WIREPERSON', DATE '2020-01-01', NULL), (:e, 'WIREPERSON', DATE '2024-01-01', NULL)"""),
                {"e": employer})


def test_a_primary_contact_saved_elsewhere_is_seen_before_saving_another(databases):
    """Another workstation's primary contact, committed after this one opened the employer: the save reads it
    under the employer's lock and says who is primary."""
    database = databases.create()
    hall = _hall(databases, database, "dispatcher")
    try:
        employer = actions.save_employer(hall, EmployerInput(name="Race Electric"), None).value
        with databases.engine(database).begin() as conn:  # the other workstation, past the service's check
            conn.execute(text("INSERT INTO employer_contacts (employer_id, name, is_primary) "
                              "VALUES (:e, 'Sam', true)"), {"e": employer.id})
        with pytest.raises(ValidationError, match="Sam is the primary contact"):
            actions.save_contact(hall, employer.id, ContactInput(name="Ann", is_primary=True), None)
    finally:
        hall.close()


def test_the_index_refusal_is_told_as_a_field_error(uow):
    """Past the service's check (a client of its own), the database's refusal still names the form's field."""
    from unioncore_desktop.domain.models import EmployerContact

    employer = services.create_employer(uow, EmployerInput(name="Index Electric"))
    with pytest.raises(ValidationError) as raised, uow:
        uow.session.add_all([EmployerContact(employer_id=employer.id, name=name, is_primary=True)
                             for name in ("Sam", "Ann")])
        uow.flush()
    assert raised.value.errors == {"is_primary": "Only one contact of an employer can be primary."}


@pytest.mark.parametrize("role, statement", [
    ("dues_clerk", "INSERT INTO employers (name) VALUES ('Clerk Electric')"),
    ("dues_clerk", "UPDATE employers SET phone = '206-555-0000', version = version + 1"),
    ("dues_clerk", "INSERT INTO employer_contacts (employer_id, name) SELECT id, 'Sam' FROM employers"),
    ("admin", "INSERT INTO worksites (employer_id, name) SELECT id, 'Shop' FROM employers"),
    ("dispatcher", "DELETE FROM employers"),  # employers are deactivated, never deleted
])
def test_who_may_not_change_employers_cannot_with_psql_either(databases, role, statement):
    database = databases.create()
    with databases.engine(database).begin() as conn:
        conn.execute(text("INSERT INTO employers (name) VALUES ('Grant Electric')"))
    login = databases.make_staff(database, role)
    with databases.engine(database, login).connect() as conn, pytest.raises(exc.ProgrammingError,
                                                                           match="permission denied"):
        conn.execute(text(statement))
