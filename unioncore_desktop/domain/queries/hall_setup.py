"""The hall's own set-up as read models: its settings, offices, holiday calendar and contract codes, the set-up
checklist (what is still missing before the first morning referral can run), and which referral dates a change
to the holiday calendar would move."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.fragments import HALL_TODAY, book_rules_in_force, hall_date
from unioncore_desktop.domain.queries.hall import hall_clock, holidays
from unioncore_desktop.domain.queries.requests import LIVE_REQUEST_STATUSES
from unioncore_desktop.domain.rules.book_rules import DEFAULT_RULES
from unioncore_desktop.domain.rules.calendar import BusinessCalendar
from unioncore_desktop.domain.rules.hall_setup import hall_settings_errors
from unioncore_desktop.domain.rules.holidays import (
    FederalHoliday,
    changed_days,
    moved_business_day,
    us_federal_holidays,
)
from unioncore_desktop.domain.rules.referral import referral_date
from unioncore_desktop.domain.vocab import HALL_ADDRESS, HALL_NAME, HALL_PHONE, LIVE_REGISTRATION_STATUSES, TIME_ZONE

SETTING_KEYS = (HALL_NAME, HALL_ADDRESS, HALL_PHONE, TIME_ZONE)
EXAMPLES = 5  # moved dates shown by name in a preview; the counts say how many in all


# --- settings ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HallSettings:
    """The hall's name, address, phone and time zone, with each key's version for the save."""

    hall_name: str
    hall_address: str
    hall_phone: str
    time_zone: str
    versions: Mapping[str, int] = field(default_factory=dict)


def hall_settings(session: Session) -> HallSettings:
    rows = session.execute(text("SELECT key, value, version FROM app_settings WHERE key = ANY(:keys)"),
                           {"keys": list(SETTING_KEYS)}).all()
    values = {key: value for key, value, _ in rows}
    return HallSettings(values.get(HALL_NAME, ""), values.get(HALL_ADDRESS, ""), values.get(HALL_PHONE, ""),
                        values.get(TIME_ZONE, ""), {key: version for key, _, version in rows})


# --- offices ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OfficeDetail:
    """An office with its hours (R1: in-person sign-ons are stamped with it)."""

    id: int
    code: str
    name: str
    region: str | None
    opens_at: time
    closes_at: time
    version: int
    registrations: int  # live registrations signed on there: an office with history is edited, not replaced

    @property
    def hours(self) -> str:
        return f"{self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


def office_details(session: Session) -> list[OfficeDetail]:
    rows = session.execute(text("""
        SELECT o.id, o.code, o.name, o.region, o.opens_at, o.closes_at, o.version,
               (SELECT count(*) FROM registrations AS g WHERE g.office_id = o.id AND g.status = ANY(:live))
        FROM offices AS o ORDER BY o.name, o.id"""), {"live": list(LIVE_REGISTRATION_STATUSES)}).all()
    return [OfficeDetail(*row) for row in rows]


# --- holidays ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HolidayRow:
    day: date
    name: str
    version: int

    @property
    def month(self) -> str:
        return f"{self.day:%B}"

    @property
    def weekday(self) -> str:
        return f"{self.day:%A}"


@dataclass(frozen=True, slots=True)
class HolidayYear:
    """One year of the calendar, as the year view shows it."""

    year: int
    today: date
    holidays: list[HolidayRow]

    def by_month(self) -> dict[int, list[HolidayRow]]:
        months: dict[int, list[HolidayRow]] = {m: [] for m in range(1, 13)}
        for row in self.holidays:
            months[row.day.month].append(row)
        return months


def holiday_year(session: Session, year: int | None = None) -> HolidayYear:
    """The year's holidays in date order; `year` None is the hall's current year."""
    today = hall_clock(session).today
    year = year or today.year
    rows = session.execute(text("SELECT day, name, version FROM holidays "
                                "WHERE day BETWEEN :first AND :last ORDER BY day"),
                           {"first": date(year, 1, 1), "last": date(year, 12, 31)}).all()
    return HolidayYear(year, today, [HolidayRow(*row) for row in rows])


# --- contract codes ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ContractCodeRow:
    code: str
    description: str
    books: int  # books worked under it
    employers: int  # employers with a period of it


def contract_codes(session: Session) -> list[ContractCodeRow]:
    rows = session.execute(text("""
        SELECT c.code, c.description,
               (SELECT count(*) FROM books AS b WHERE b.contract_code = c.code),
               (SELECT count(DISTINCT k.employer_id) FROM employer_contracts AS k WHERE k.contract_code = c.code)
        FROM contract_codes AS c ORDER BY c.code""")).all()
    return [ContractCodeRow(*row) for row in rows]


# --- the set-up checklist ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SetupItem:
    """One step of the set-up: `who` is the group that can do it ("manager", or "admin" for staff logins)."""

    key: str
    title: str
    done: bool
    detail: str
    who: str


@dataclass(frozen=True, slots=True)
class SetupChecklist:
    today: date
    items: list[SetupItem]

    @property
    def missing(self) -> list[SetupItem]:
        return [item for item in self.items if not item.done]

    @property
    def complete(self) -> bool:
        return not self.missing

    def item(self, key: str) -> SetupItem:
        return next(item for item in self.items if item.key == key)

    def as_text(self) -> str:
        """The checklist as lines of text (the CLI prints it)."""
        lines = [f"[{'x' if item.done else ' '}] {item.title}: {item.detail}" for item in self.items]
        ready = ("Ready for the first morning referral." if self.complete
                 else f"{len(self.missing)} step(s) missing before the first morning referral.")
        return "\n".join([*lines, ready])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _hall_item(session: Session) -> SetupItem:
    settings = hall_settings(session)
    errors = hall_settings_errors(name=settings.hall_name, address=settings.hall_address,
                                  phone=settings.hall_phone, time_zone=settings.time_zone)
    labels = {"hall_name": "name", "hall_address": "address", "hall_phone": "phone", "time_zone": "time zone"}
    detail = (f"{settings.hall_name}, {settings.time_zone}" if not errors
              else "Missing or invalid: " + ", ".join(labels[name] for name in errors))
    return SetupItem("hall", "Hall name, address, phone and time zone", not errors, detail, "manager")


def _staff_item(session: Session) -> SetupItem:
    managers, dispatchers = session.execute(text("""
        SELECT count(*) FILTER (WHERE pg_has_role(s.login, 'uc_manager', 'MEMBER')),
               count(*) FILTER (WHERE pg_has_role(s.login, 'uc_dispatcher', 'MEMBER'))
        FROM staff AS s JOIN pg_roles AS r ON r.rolname = s.login
        WHERE s.active AND r.rolcanlogin""")).one()
    missing = [group for group, n in (("manager", managers), ("dispatcher", dispatchers)) if not n]
    detail = (f"{_plural(managers, 'manager')}, {_plural(dispatchers, 'dispatcher')}" if not missing
              else "Add a " + " and a ".join(missing) + " login (unioncore staff add LOGIN --role …)")
    return SetupItem("staff", "Staff logins: a manager and a dispatcher", not missing, detail, "admin")


def setup_checklist(session: Session) -> SetupChecklist:
    """What the hall has and what it still lacks before its first morning referral, read in one transaction."""
    today = hall_clock(session).today
    offices, codes, books, ruled_books, this_year = session.execute(text(f"""
        SELECT (SELECT count(*) FROM offices),
               (SELECT count(*) FROM contract_codes),
               (SELECT count(*) FROM books AS b WHERE b.active),
               (SELECT count(*) FROM books AS b WHERE b.active
                  AND EXISTS ({book_rules_in_force('b.id', HALL_TODAY)})),
               (SELECT count(*) FROM holidays WHERE extract(year FROM day) = extract(year FROM {HALL_TODAY}))
    """)).one()
    items = [
        _hall_item(session),
        _staff_item(session),
        SetupItem("offices", "Offices with their hours", offices > 0,
                  _plural(offices, "office") if offices else "Add the office where members sign on", "manager"),
        SetupItem("contract_codes", "Contract codes", codes > 0,
                  _plural(codes, "contract code") if codes else "Add the hall's agreements", "manager"),
        SetupItem("books", "Books with their rule set in force", ruled_books > 0,
                  f"{_plural(ruled_books, 'book')} with rules in force" if ruled_books else
                  (f"{_plural(books, 'book')}, none with rules in force today" if books
                   else "Add a book and schedule its rules"), "manager"),
        SetupItem("holidays", f"Holidays of {today.year}", this_year > 0,
                  _plural(this_year, "holiday") if this_year else "Add this year's holidays", "manager"),
    ]
    return SetupChecklist(today, items)


# --- what a change to the calendar moves --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MovedDate:
    """A stored date a calendar change moves: an open request's referral morning, or a re-registration deadline."""

    kind: str  # "referral" or "reregister"
    what: str  # "Request R261201-001 (WIRE SEATTLE)", "Member 1234 Smith, Ann on WIRE SEATTLE"
    before: date
    after: date


@dataclass(frozen=True, slots=True)
class HolidayImpact:
    added: frozenset[date]
    removed: frozenset[date]
    referrals: int  # open requests whose referral morning moves
    deadlines: int  # re-registration deadlines that move
    examples: list[MovedDate]

    @property
    def moves_anything(self) -> bool:
        return bool(self.referrals or self.deadlines)

    def summary(self) -> str:
        if not self.moves_anything:
            return "No open request's referral morning and no re-registration deadline moves."
        parts = []
        if self.referrals:
            parts.append(f"{_plural(self.referrals, 'open request')} would be worked on another morning")
        if self.deadlines:
            parts.append(f"{_plural(self.deadlines, 're-registration deadline')} would move")
        lines = [f"{'; '.join(parts)}:"]
        lines += [f"• {m.what}: {m.before:%a %d %b %Y} → {m.after:%a %d %b %Y}" for m in self.examples]
        shown = self.referrals + self.deadlines - len(self.examples)
        if shown > 0:
            lines.append(f"… and {shown} more.")
        return "\n".join(lines)


def _moved_referrals(session: Session, before: BusinessCalendar, after: BusinessCalendar) -> list[MovedDate]:
    clock = hall_clock(session)
    rows = session.execute(text(f"""
        SELECT q.number, b.name, q.received_at, q.referral_date, r.request_cutoff
        FROM labor_requests AS q JOIN books AS b ON b.id = q.book_id
        LEFT JOIN LATERAL ({book_rules_in_force('q.book_id', hall_date('q.received_at'))}) AS r ON true
        WHERE q.status = ANY(:live) AND q.referral_date >= {HALL_TODAY}
        ORDER BY q.referral_date, q.number"""), {"live": list(LIVE_REQUEST_STATUSES)}).all()
    moved = []
    for number, book, received_at, stored, cutoff in rows:
        cutoff = cutoff or DEFAULT_RULES.request_cutoff
        old = referral_date(received_at, before, cutoff, zone=clock.zone)
        new = referral_date(received_at, after, cutoff, zone=clock.zone)
        if old != new:
            moved.append(MovedDate("referral", f"Request {number} ({book})", stored, new))
    return moved


def _moved_deadlines(session: Session, before: BusinessCalendar, after: BusinessCalendar) -> list[MovedDate]:
    clock = hall_clock(session)
    rows = session.execute(text(f"""
        SELECT m.card_number, m.last_name || ', ' || m.first_name, b.name, g.reregister_by,
               r.reregister_business_days
        FROM registrations AS g JOIN members AS m ON m.id = g.member_id JOIN books AS b ON b.id = g.book_id
        LEFT JOIN LATERAL ({book_rules_in_force('g.book_id', HALL_TODAY)}) AS r ON true
        WHERE g.status = 'awaiting_reregistration' AND g.reregister_by > now()
        ORDER BY g.reregister_by, m.card_number""")).all()
    moved = []
    for card, name, book, deadline, days in rows:
        # the deadline is exclusive: the close of its last day (the next midnight when the whole day counts)
        last_day = (deadline.astimezone(clock.zone) - timedelta(microseconds=1)).date()
        new_day = moved_business_day(last_day, days or DEFAULT_RULES.reregister_business_days, before, after)
        if new_day != last_day:
            moved.append(MovedDate("reregister", f"Member {card} {name} on {book}", last_day, new_day))
    return moved


def holiday_impact(session: Session, *, add: Iterable[date] = (), remove: Iterable[date] = ()) -> HolidayImpact:
    """Which open requests' referral mornings (R3) and which re-registration deadlines (R6) would move if the
    days in `add` became holidays and those in `remove` stopped being ones. Re-sign due dates (R7) count
    calendar days and never move."""
    current = holidays(session)
    before = BusinessCalendar.of(current)
    after = BusinessCalendar.of((current - set(remove)) | set(add))
    if not changed_days(before, after):
        return HolidayImpact(frozenset(add), frozenset(remove), 0, 0, [])
    referrals = _moved_referrals(session, before, after)
    deadlines = _moved_deadlines(session, before, after)
    examples = (referrals[:EXAMPLES] + deadlines[:EXAMPLES])[:EXAMPLES]
    return HolidayImpact(frozenset(add), frozenset(remove), len(referrals), len(deadlines), examples)



@dataclass(frozen=True, slots=True)
class FederalPreview:
    """Adding a year's federal holidays: those the calendar lacks (days already holidays are kept as they are)
    and what adding them would move."""

    year: int
    missing: list[FederalHoliday]
    impact: HolidayImpact


def federal_preview(session: Session, year: int) -> FederalPreview:
    have = {row.day for row in holiday_year(session, year).holidays}
    missing = [h for h in us_federal_holidays(year) if h.day not in have]
    return FederalPreview(year, missing, holiday_impact(session, add=[h.day for h in missing]))
