"""The jobs a member could take today: every open request on their qualified books, with the reason the walk would
pass them over, decided by the walk's own rules on the same facts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from unioncore_desktop.domain.queries.member_jobs import member_jobs
from unioncore_desktop.seed.referral_world import make_book, make_employer, make_member, make_request, register


def test_each_open_request_says_whether_the_member_may_take_it(connection, session_factory):
    today = connection.execute(text("SELECT uc_hall_today()")).scalar_one()
    on, off = make_book(connection, "JOBS_ON"), make_book(connection, "JOBS_OFF")
    employer, site = make_employer(connection, "Harbor Electric")
    member = make_member(connection, "Quinn", books=["JOBS_ON", "JOBS_OFF"])
    register(connection, make_member(connection, "Above", books=["JOBS_ON"]), on, apn="45000.01")
    register(connection, member, on, apn="45000.02")
    bidder = make_member(connection, "Bidder", books=["JOBS_ON"])
    bidder_place = register(connection, bidder, on, apn="45000.03")
    connection.execute(text("INSERT INTO member_skills (member_id, name, expires_on) VALUES "
                            "(:m, 'OSHA 30', :lapsed), (:m, 'first aid', NULL)"),
                       {"m": member, "lapsed": today - timedelta(days=1)})

    def request(**kwargs) -> str:
        rid = make_request(connection, kwargs.pop("book", on), employer, worksite_id=site, referral_date=today,
                           **kwargs)
        return connection.execute(text("SELECT number FROM labor_requests WHERE id = :r"), {"r": rid}).scalar_one()

    plain = request()
    osha = request(requirements=["OSHA 30"])
    first_aid = request(requirements=["First Aid"])
    bidding_id = make_request(connection, on, employer, worksite_id=site, referral_date=today, bidding=True)
    connection.execute(text("INSERT INTO bids (request_id, member_id, registration_id, source) "
                            "VALUES (:r, :m, :g, 'phone')"), {"r": bidding_id, "m": bidder, "g": bidder_place})
    bidding = connection.execute(text("SELECT number FROM labor_requests WHERE id = :r"),
                                 {"r": bidding_id}).scalar_one()
    elsewhere = request(book=off)

    with session_factory() as s:
        report = member_jobs(s, member)
    jobs = {j.request.number: j for j in report.jobs}
    assert set(jobs) == {plain, osha, first_aid, bidding, elsewhere}
    assert (jobs[plain].eligible, jobs[plain].position) == (True, 2)
    assert jobs[osha].why_not == "missing a certification" and jobs[osha].missing == ("OSHA 30",)
    assert jobs[first_aid].eligible and jobs[first_aid].held == ("First Aid",)
    assert jobs[bidding].why_not == "did not bid (goes to its bidders)"
    assert (jobs[elsewhere].why_not, jobs[elsewhere].position) == ("not signed on this book", None)
    assert report.eligible_count == 2
    assert [(b.book_code, b.status, b.position) for b in report.books] == [("JOBS_OFF", None, None),
                                                                            ("JOBS_ON", "registered", 2)]

    newcomer = make_member(connection, "Newcomer", books=["JOBS_ON"])
    register(connection, newcomer, on, apn="45000.04", registered_at=connection.execute(
        text("SELECT now()")).scalar_one())
    with session_factory() as s:
        waits = {j.request.number: j.why_not for j in member_jobs(s, newcomer).jobs}
    assert waits[plain] == "signed on today: on the next day's list"
