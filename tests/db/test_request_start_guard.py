"""A labor request never starts before the hall's today, for any staff login in plain SQL; a request that already
started keeps its date while its other fields are edited."""

from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from unioncore_desktop.seed.books import insert_books


@pytest.fixture
def hall(databases):
    name = databases.create()
    with databases.engine(name).begin() as conn:
        books = insert_books(conn)
        employer = conn.execute(text("INSERT INTO employers (name) VALUES ('Sparks Electric') RETURNING id")).scalar()
        # written by the owner (an import): already started yesterday
        started = conn.execute(text(
            "INSERT INTO labor_requests (number, employer_id, book_id, workers_requested, start_on, referral_date) "
            "VALUES ('OLD1', :e, :b, 1, uc_hall_today() - 1, uc_hall_today() - 1) RETURNING id"),
            {"e": employer, "b": books["WIRE_SEATTLE"]}).scalar()
    return name, databases, books, employer, started


def test_a_past_start_date_is_refused_for_a_staff_login_and_an_old_request_stays_editable(hall):
    name, dbs, books, employer, started = hall
    dispatcher = dbs.engine(name, dbs.make_staff(name, "dispatcher"))
    insert = text("INSERT INTO labor_requests (number, employer_id, book_id, workers_requested, start_on, "
                  "referral_date) VALUES (:n, :e, :b, 1, uc_hall_today() + :d, uc_hall_today()) RETURNING id")
    with dispatcher.begin() as conn, pytest.raises(exc.IntegrityError, match="start date is before today") as info:
        conn.execute(insert, {"n": "T1", "e": employer, "b": books["WIRE_SEATTLE"], "d": -1})
    assert info.value.orig.diag.constraint_name == "ck_labor_requests_start_not_past"
    with dispatcher.begin() as conn:
        today = conn.execute(insert, {"n": "T2", "e": employer, "b": books["WIRE_SEATTLE"], "d": 0}).scalar()
        # the request that already started: other fields change, its own date may be set again as it was
        conn.execute(text("UPDATE labor_requests SET workers_requested = 2, start_on = start_on, "
                          "version = version + 1 WHERE id = :r"), {"r": started})
        with pytest.raises(exc.IntegrityError, match="start date is before today"), conn.begin_nested():
            conn.execute(text("UPDATE labor_requests SET start_on = uc_hall_today() - 2, version = version + 1 "
                              "WHERE id = :r"), {"r": started})
        with pytest.raises(exc.IntegrityError, match="start date is before today"), conn.begin_nested():
            conn.execute(text("UPDATE labor_requests SET start_on = '2020-01-01', version = version + 1 "
                              "WHERE id = :r"), {"r": today})
        conn.execute(text("UPDATE labor_requests SET start_on = uc_hall_today() + 1, version = version + 1 "
                          "WHERE id = :r"), {"r": started})
