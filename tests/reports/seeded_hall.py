"""A small demo hall (`unioncore seed --quick`) for reports built from real query output, seeded once per module,
with what the quick seed leaves out added through the services: a by-name dispatch, a cancelled request and a
foreperson's certifications."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import DatabaseFactory, PgServer
from unioncore_desktop.domain.services import dispatch as dispatch_service
from unioncore_desktop.domain.services import requests as request_service
from unioncore_desktop.domain.services import terminations
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.demo import seed_quick
from unioncore_desktop.seed.referral_world import make_request


@dataclass(frozen=True)
class SeededHall:
    name: str
    engine: Engine
    today: date
    by_name_member: int       # the foreperson sent by name today
    by_name_request: str      # their request's number
    cancelled_request: str
    ended_members: tuple[int, ...]  # sent today and laid off (RIF, then laid off) the same day

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)


def seeded_hall(pg_server: PgServer, template_db: str) -> Iterator[SeededHall]:
    """The hall on a clone of the template, dropped afterwards: a module's fixture yields from it."""
    factory = DatabaseFactory(pg_server, template_db)
    name = factory.create()
    engine = factory.engine(name)
    assert seed_quick(engine)
    uow = UnitOfWork(sessionmaker(engine, expire_on_commit=False))
    with engine.begin() as conn:
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
        book, member = conn.execute(text("""
            SELECT g.book_id, g.member_id FROM registrations g JOIN books b ON b.id = g.book_id
            WHERE b.code = 'WIRE_SEATTLE' AND g.status = 'registered' AND g.exemption_reason IS NULL
              AND NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.member_id = g.member_id
                              AND (d.status IN ('dispatched', 'checked_in', 'working') OR d.dispatch_date = :t))
            ORDER BY g.tier DESC, g.apn DESC LIMIT 1"""), {"t": today}).one()
        employer, site = conn.execute(text(
            "SELECT e.id, w.id FROM employers e JOIN worksites w ON w.employer_id = e.id "
            "WHERE e.active ORDER BY e.id LIMIT 1")).one()
        by_name = make_request(conn, book, employer, worksite_id=site, referral_date=today, workers=1,
                               agreement_type="pla", by_name_member_id=member)
        cancelled = make_request(conn, book, employer, worksite_id=site, referral_date=today, workers=3)
        numbers = dict(conn.execute(text("SELECT id, number FROM labor_requests WHERE id IN (:a, :b)"),
                                    {"a": by_name, "b": cancelled}).all())
    dispatch_service.by_name_dispatch(uow, request_id=by_name, idempotency_key=uuid.uuid4(),
                                      note="Named by the employer for the Pier 91 job")
    request_service.cancel_request(uow, request_id=cancelled, reason="The job was postponed")
    ended = []
    for reason in ("rif", "laid_off"):
        with engine.begin() as conn:
            request = make_request(conn, book, employer, worksite_id=site, referral_date=today)
        sent = dispatch_service.dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4())
        terminations.terminate(uow, dispatch_id=sent.dispatch_id, reason=reason, ended_on=today,
                               hours=Decimal("8.00"))
        ended.append(sent.member_id)
    with engine.begin() as conn:  # the second was sent the day before: a Day Book over two days
        conn.execute(text("UPDATE dispatches SET dispatch_date = dispatch_date - 1, "
                          "dispatched_at = dispatched_at - interval '1 day', version = version + 1 "
                          "WHERE member_id = :m AND termination_reason = 'laid_off'"), {"m": ended[-1]})
    yield SeededHall(name, engine, today, member, numbers[by_name], numbers[cancelled], tuple(ended))
    factory.drop_all()
