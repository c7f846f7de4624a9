"""Employer reads: search tolerates misspellings; detail carries contracts, worksites and contacts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from unioncore_desktop.domain.queries.employers import employer_detail, search_employers


def test_search_and_detail(connection, session_factory):
    connection.execute(text("INSERT INTO employers (id, name, city) VALUES (9001, 'Puget Sound Electric', 'Seattle'),"
                            " (9002, 'Cascade Lighting', 'Tacoma')"))
    connection.execute(text("""
        INSERT INTO employer_contracts (employer_id, contract_code, effective_on, expires_on) VALUES
            (9001, 'WIREPERSON', DATE '2020-01-01', NULL),
            (9001, 'SOUND & COMM', DATE '2010-01-01', DATE '2012-12-31');
        INSERT INTO worksites (employer_id, name, region) VALUES (9001, 'Shop', 'Seattle');
        INSERT INTO employer_contacts (employer_id, name, is_primary) VALUES (9001, 'Sam Lee', true),
            (9001, 'Ann Fox', false);
    """))
    with session_factory() as session:
        rows = search_employers(session, "puget sond")
        detail = employer_detail(session, 9001)
    assert rows[0].name == "Puget Sound Electric"
    assert rows[0].contract_codes == "WIREPERSON"  # the expired SOUND & COMM period is not current
    assert rows[0].primary_contact == "Sam Lee" and rows[0].worksite_count == 1
    assert [c.contract_code for c in detail.contracts] == ["SOUND & COMM", "WIREPERSON"]
    assert not detail.contracts[0].in_force(date(2026, 1, 1))
    assert [c.name for c in detail.contacts] == ["Sam Lee", "Ann Fox"]


def test_overlapping_periods_of_one_contract_are_refused(connection):
    import pytest
    from sqlalchemy import exc

    connection.execute(text("INSERT INTO employers (id, name) VALUES (9003, 'Overlap Electric')"))
    connection.execute(text("INSERT INTO employer_contracts (employer_id, contract_code, effective_on, expires_on) "
                            "VALUES (9003, 'WIREPERSON', DATE '2020-01-01', DATE '2022-12-31')"))
    with pytest.raises(exc.IntegrityError, match="ex_employer_contracts_no_overlap"), connection.begin_nested():
        connection.execute(text("INSERT INTO employer_contracts (employer_id, contract_code, effective_on) "
                                "VALUES (9003, 'WIREPERSON', DATE '2022-06-01')"))
