"""Repairs of what the integrity checks find, where one is safe: a request's counters recounted from its dispatches,
a month's kept owed and paid amounts summed again from the ledger, and a member's unapplied credit applied to their
open months (which moves the paid-through month, a derived value).

Everything else they find (registrations, allocations, exempt dispatches, duplicates) needs a person to decide
and is only reported. All repairs run in one transaction. The audit log keeps the login (session_user) of every
row changed; the repair's reason goes into the same rows through `application_name`, which the audit trigger
records, so an auditor reads "unioncore integrity --repair: <check>" beside each change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries import integrity as q
from unioncore_desktop.domain.services.dues import HALL_LOCK, apply_credit
from unioncore_desktop.domain.uow import UnitOfWork

REASON = "unioncore integrity --repair: {check}"  # at most 63 characters: application_name's limit


@dataclass(frozen=True, slots=True)
class Repair:
    """What one repair did: how many rows it put right, or why this login could not."""

    check: str
    repaired: int
    refused: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"check": self.check, "repaired": self.repaired, "refused": self.refused}


def _reason(session: Session, check: str) -> None:
    """The reason the audit rows of the next statements carry (reset at the end of the transaction)."""
    session.execute(text("SELECT set_config('application_name', :r, true)"), {"r": REASON.format(check=check)})


def _may(session: Session, sql: str) -> bool:
    return bool(session.execute(text(f"SELECT {sql}")).scalar())


def _found(session: Session, check: str) -> list[int]:
    """The ids of the rows the check finds now, which its repair works on."""
    return [finding.key for finding in q.findings(session, q.check_by_name(check))]


# the dispatches trigger keeps these counters; recounting takes each request's row lock first, so a dispatch in
# flight either committed before (and is counted) or waits and adds its place to the corrected count
_RECOUNT = text(f"""
    UPDATE labor_requests AS r
       SET workers_dispatched = x.sent, status = x.expected, version = r.version + 1
    FROM ({q.REQUEST_COUNTS}) AS x
    WHERE r.id = x.id AND r.id = ANY(:ids) AND x.sent <= x.workers_requested
      AND (x.workers_dispatched <> x.sent OR x.status <> x.expected)
    RETURNING r.id
""")


def recount_requests(session: Session) -> Repair:
    name = "request_counters"
    if not _may(session, "has_table_privilege('labor_requests', 'UPDATE')"):
        return Repair(name, 0, "recounting requests needs a dispatcher login or the schema owner")
    ids = _found(session, name)
    if not ids:
        return Repair(name, 0)
    session.execute(text("SELECT id FROM labor_requests WHERE id = ANY(:ids) ORDER BY id FOR UPDATE"), {"ids": ids})
    _reason(session, name)
    return Repair(name, len(session.execute(_RECOUNT, {"ids": ids}).all()))


def apply_unapplied_credit(session: Session) -> Repair:
    """uc_apply_credit, the one writer of applications, for the members holding credit while a month is owed;
    under the hall's exclusive dues lock, as billing runs it, so no posting interleaves."""
    name = "paid_through_behind"
    if not _may(session, "has_function_privilege('uc_apply_credit(integer[], date)', 'EXECUTE') "
                         "AND has_table_privilege('payment_allocations', 'INSERT')"):
        return Repair(name, 0, "applying credit needs a dues clerk or manager login or the schema owner")
    session.execute(text("SELECT pg_advisory_xact_lock(:h)"), {"h": HALL_LOCK})
    ids = _found(session, name)
    if not ids:
        return Repair(name, 0)
    _reason(session, name)
    today = session.execute(text("SELECT uc_hall_today()")).scalar_one()
    _, members = apply_credit(session, member_ids=ids, on=today)
    return Repair(name, members)


def rebuild_charge_totals(session: Session) -> Repair:
    """The kept owed and paid amounts of the months found, written back from the ledger by the one function that
    may (uc_rebuild_dues_charge_totals, under the hall's exclusive dues lock); before the credit repair, which
    reads them."""
    name = "charge_totals_stale"
    if not _may(session, "has_function_privilege('uc_rebuild_dues_charge_totals(bigint[])', 'EXECUTE')"):
        return Repair(name, 0, "rebuilding the kept totals needs a dues clerk or manager login or the schema owner")
    ids = _found(session, name)
    if not ids:
        return Repair(name, 0)
    written = session.execute(text("SELECT uc_rebuild_dues_charge_totals(CAST(:ids AS bigint[]))"),
                              {"ids": ids}).scalar_one()
    return Repair(name, written)


def repair(uow: UnitOfWork) -> tuple[Repair, ...]:
    """Run every safe repair in one transaction; a repair this login may not make is refused with the reason and
    the others still run."""
    with uow:
        done = (recount_requests(uow.session), rebuild_charge_totals(uow.session),
                    apply_unapplied_credit(uow.session))
        uow.commit()
        return done
