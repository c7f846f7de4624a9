"""What a load run works on, written by the schema owner before the clock starts, and what the database kept after.

The run gets its own staff logins (one per group, a password of its own), its own books with long lists and open
requests worked today (so walks and dispatches never touch the hall's real requests), and members qualified for
those books but not on them, to sign on. Searches use the hall's own surnames (never the queue members and walk-ins
an earlier run on the same database made)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop.domain.services import staff
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES
from unioncore_desktop.seed.demo import refuse_production
from unioncore_desktop.seed.referral_world import build_world, continue_numbering

ROLES = ("dispatcher", "dues_clerk", "manager")
REGISTRANTS_PER_BOOK = 1200
WORKERS_PER_REQUEST = 4
SIGN_ONS_PER_DISPATCHER = 40


@dataclass(frozen=True)
class Stage:
    """Everything a workstation needs to know, picklable for the worker processes."""

    url: str  # the server and database, without user or password
    logins: dict[str, str]  # group -> login
    password: str
    book_ids: tuple[int, ...]
    request_ids: dict[int, tuple[int, ...]]  # book -> its open requests
    sign_on_members: dict[int, tuple[int, ...]]  # book -> members qualified for it and not on it
    search_terms: tuple[str, ...]
    today: str  # ISO date: the hall's day

    @property
    def all_requests(self) -> list[int]:
        return [r for ids in self.request_ids.values() for r in ids]


@dataclass
class Integrity:
    """What the database kept of the run: every count is 0 on a sound server."""

    dispatches: int = 0
    double_dispatches: int = 0  # members dispatched twice to one request, or holding two active dispatches
    overfilled_requests: int = 0
    payments_believed: int = 0
    payments_lost: int = 0  # a key the clerk was told was posted, not in payments
    payments_doubled: int = 0  # a key in payments more than once
    answers_believed: int = 0
    dispatches_lost: int = 0  # an accepted answer's key the dispatcher was told was saved, not in dispatches
    notes: list[str] = field(default_factory=list)


def stage(engine: Engine, *, workstations: int, seconds: float, force: bool = False, books: int = 4) -> Stage:
    """Staff logins, `books` books with lists and requests enough for `workstations` over `seconds`, members to
    sign on. Refused on a database marked production (as `seed` is) unless `force`."""
    tag = uuid.uuid4().hex[:6]
    password = f"Load-{secrets.token_urlsafe(12)}"
    logins = {role: f"load_{role.split('_')[-1][:5]}_{tag}" for role in ROLES}
    uow = UnitOfWork(sessionmaker(engine, expire_on_commit=False))
    with engine.begin() as conn:
        refuse_production(conn, force)
    for role, login in logins.items():
        staff.add_staff(uow, login=login, full_name=f"Load {role.replace('_', ' ')} {tag}", roles=[role],
                        password=password)
    # generous: a dispatcher without pauses walks a few hundred answers a minute at most
    places = max(200, int(workstations * max(seconds, 10) * 3))
    per_book = max(50, places // (books * WORKERS_PER_REQUEST))
    with engine.begin() as conn:
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
        book_ids, request_ids, sign_on = [], {}, {}
        continue_numbering(conn)  # above an earlier run's on this database, made by another process
        for i in range(books):
            code = f"LOAD_{tag.upper()}_{i + 1}"
            world = build_world(conn, code=code, registrants=REGISTRANTS_PER_BOOK, requests=per_book,
                                workers=WORKERS_PER_REQUEST, referral_date=today)
            book_ids.append(world.book_id)
            request_ids[world.book_id] = tuple(world.request_ids)
            walk_ins = max(20, workstations * SIGN_ONS_PER_DISPATCHER // books)
            sign_on[world.book_id] = tuple(_unlisted_members(conn, code, world.book_id, walk_ins))
        terms = tuple(conn.execute(text("""
            SELECT last_name FROM (SELECT DISTINCT last_name FROM members
                                   WHERE status = 'active' AND last_name NOT LIKE 'Queue%'
                                     AND last_name NOT LIKE 'Signon%') AS n
            ORDER BY md5(last_name) LIMIT 200""")).scalars()) or ("Queue",)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    url = engine.url.set(username=None, password=None).render_as_string(hide_password=False)
    return Stage(url=url, logins=logins, password=password, book_ids=tuple(book_ids), request_ids=request_ids,
                 sign_on_members=sign_on, search_terms=terms, today=today.isoformat())


def _unlisted_members(conn: Connection, code: str, book_id: int, count: int) -> list[int]:
    base = 10**8 + book_id * 1000  # 'L', then the book and the member: cards no other run's book has
    count = min(count, 999)
    ids = list(conn.execute(text("""
        INSERT INTO members (card_number, first_name, last_name, classification)
        SELECT 'L' || (:base + g), 'Walk-in', 'Signon' || lpad(g::text, 5, '0'), 'journeyman'
        FROM generate_series(1, :n) AS g ORDER BY g RETURNING id"""), {"base": base, "n": count}).scalars())
    conn.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) "
                      "SELECT unnest(CAST(:ids AS integer[])), :code, 1"), {"ids": ids, "code": code})
    return ids


def integrity(engine: Engine, stage_: Stage, payment_keys: Iterable[uuid.UUID],
              answer_keys: Iterable[uuid.UUID]) -> Integrity:
    """Double dispatches and overfilled requests on the run's requests; every payment and accepted answer the
    workstations were told was saved is in the database exactly once."""
    payments, answers = list(payment_keys), list(answer_keys)
    requests = stage_.all_requests
    found = Integrity(payments_believed=len(payments), answers_believed=len(answers))
    with engine.connect() as conn:
        found.dispatches = conn.execute(text("SELECT count(*) FROM dispatches WHERE request_id = ANY(:r)"),
                                        {"r": requests}).scalar_one()
        found.double_dispatches = conn.execute(text("""
            SELECT (SELECT count(*) FROM (SELECT 1 FROM dispatches WHERE request_id = ANY(:r)
                                          GROUP BY member_id, request_id HAVING count(*) > 1) AS same_request)
                 + (SELECT count(*) FROM (SELECT 1 FROM dispatches
                                          WHERE request_id = ANY(:r) AND status = ANY(:active)
                                          GROUP BY member_id HAVING count(*) > 1) AS two_jobs)"""),
            {"r": requests, "active": list(ACTIVE_DISPATCH_STATUSES)}).scalar_one()
        found.overfilled_requests = conn.execute(text("""
            SELECT count(*) FROM labor_requests AS r
            WHERE r.id = ANY(:r)
              AND (SELECT count(*) FROM dispatches AS d WHERE d.request_id = r.id) > r.workers_requested"""),
            {"r": requests}).scalar_one()
        kept: dict[uuid.UUID, int] = dict(conn.execute(text("SELECT idempotency_key, count(*) FROM payments "
                                      "WHERE idempotency_key = ANY(:k) GROUP BY idempotency_key"),
                                 {"k": payments}).all())
        found.payments_lost = sum(1 for key in payments if key not in kept)
        found.payments_doubled = sum(1 for n in kept.values() if n > 1)
        dispatched = set(conn.execute(text("SELECT idempotency_key FROM dispatches WHERE idempotency_key = ANY(:k)"),
                                      {"k": answers}).scalars())
        found.dispatches_lost = sum(1 for key in answers if key not in dispatched)
    return found


def retire_logins(engine: Engine, stage_: Stage) -> None:
    """The run's logins can no longer connect once it is over (history keeps their names)."""
    uow = UnitOfWork(sessionmaker(engine, expire_on_commit=False))
    for login in stage_.logins.values():
        staff.deactivate(uow, login=login)
