"""Employer check-off remittances: import the employer's list, match it to members, resolve what does not match,
and post it as payroll-deduction payments in one deposit batch that balances to the employer's check.

Posting is one transaction: the batch, every payment (through the dues service's `post_payment`), the link from
each line to its payment and the remittance's status commit together or not at all. Each line's payment also
carries a key derived from the remittance and line number, so even a second workstation posting the same
remittance at the same moment cannot post a line twice.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from unioncore_desktop.domain.error_texts import CHECK_AMOUNT_NOT_POSITIVE
from unioncore_desktop.domain.errors import (
    DomainError,
    NotFound,
    StaleRecord,
    ValidationError,
)
from unioncore_desktop.domain.queries import remittances as q
from unioncore_desktop.domain.queries.dues import PaymentReceipt, payment_receipt
from unioncore_desktop.domain.queries.fragments import dues_rate_in_force
from unioncore_desktop.domain.rules import remittance as rules
from unioncore_desktop.domain.rules.dues import money, month_label, month_start
from unioncore_desktop.domain.services import dues
from unioncore_desktop.domain.uow import UnitOfWork

# uuid5 namespace for the payment keys of remittance lines (fixed forever: changing it would re-post lines)
PAYMENT_KEY_NAMESPACE = uuid.UUID("6f0f6d7e-3c1b-5d0c-9a57-2f6f1c1e8b41")


@dataclass(frozen=True, slots=True)
class ImportSummary:
    remittance_id: int
    line_count: int
    matched: int
    in_review: int                 # unknown cards, name mismatches and odd amounts
    lines_total: Decimal
    check_amount: Decimal
    stated_total: Decimal | None   # the TOTAL row printed on the employer's list, if any
    review: q.RemittanceReview


@dataclass(frozen=True, slots=True)
class PostedRemittance:
    remittance_id: int
    batch_id: int
    payment_count: int
    total: Decimal
    receipts: tuple[PaymentReceipt, ...]
    already_posted: bool = False   # True when it had been posted before (a retry): nothing new was written


def payment_key(remittance_id: int, line_no: int) -> uuid.UUID:
    """The idempotency key of the payment a line becomes: the same on every retry, from any workstation."""
    return uuid.uuid5(PAYMENT_KEY_NAMESPACE, f"remittance:{remittance_id}:line:{line_no}")


# --- column mapping ------------------------------------------------------------------------------------------

def _clean_mapping(mapping: Mapping[str, str | None]) -> dict[str, str | None]:
    unknown = set(mapping) - set(rules.FIELDS)
    if unknown:
        raise ValidationError({"mapping": f"Unknown field(s) in the column mapping: {', '.join(sorted(unknown))}."})
    return {field: (mapping.get(field) or None) for field in rules.FIELDS}


def _store_mapping(uow: UnitOfWork, employer_id: int, mapping: dict[str, str | None]) -> None:
    uow.session.execute(text("""
        INSERT INTO remittance_column_maps (employer_id, mapping) VALUES (:e, CAST(:m AS jsonb))
        ON CONFLICT (employer_id) DO UPDATE SET mapping = EXCLUDED.mapping,
                                                version = remittance_column_maps.version + 1
        WHERE remittance_column_maps.mapping IS DISTINCT FROM EXCLUDED.mapping
    """), {"e": employer_id, "m": json.dumps(mapping)})


def save_column_mapping(uow: UnitOfWork, *, employer_id: int,
                        mapping: Mapping[str, str | None]) -> dict[str, str | None]:
    """Remember which column holds what in this employer's lists (next month's file opens pre-mapped)."""
    cleaned = _clean_mapping(mapping)
    with uow:
        _employer_name(uow, employer_id)
        _store_mapping(uow, employer_id, cleaned)
        uow.commit()
    return cleaned


# --- import --------------------------------------------------------------------------------------------------

def _employer_name(uow: UnitOfWork, employer_id: int) -> str:
    name: str | None = uow.session.execute(text("SELECT name FROM employers WHERE id = :e"),
                                           {"e": employer_id}).scalar()
    if name is None:
        raise NotFound("That employer does not exist.")
    return name


@dataclass(frozen=True, slots=True)
class _Member:
    id: int
    card_number: str
    first_name: str
    middle_name: str | None
    last_name: str
    status: str
    rate: Decimal | None


def _members_by_card(uow: UnitOfWork, cards: set[str], period: date) -> dict[str, _Member]:
    """Members by the card numbers on the list; a card whose leading zeros were lost in Excel still matches."""
    if not cards:
        return {}
    columns = ("m.id, m.card_number, m.first_name, m.middle_name, m.last_name, m.status, "
               + dues_rate_in_force("m.classification", ":p"))
    found: dict[str, _Member] = {}
    for row in uow.session.execute(text(f"SELECT {columns} FROM members AS m "
                                        "WHERE m.card_number = ANY(CAST(:cards AS text[]))"),
                                   {"cards": sorted(cards), "p": period}):
        found[row[1]] = _Member(*row)
    missing = {card.lstrip("0"): card for card in cards - set(found) if card.lstrip("0")}
    if missing:
        for row in uow.session.execute(text(f"SELECT {columns} FROM members AS m "
                                            "WHERE ltrim(m.card_number, '0') = ANY(CAST(:cards AS text[]))"),
                                       {"cards": sorted(missing), "p": period}):
            found.setdefault(missing[row[1].lstrip("0")], _Member(*row))
    return found


def _judge(line: rules.ParsedLine, member: _Member | None, first_line_of_card: dict[str, int]) -> tuple[str, str]:
    """(match_status, note) for a freshly imported line; the note lists every reason it waits for review."""
    reasons = list(line.problems)
    if member is None:
        if line.card_number is not None:
            reasons.insert(0, f"no member has card {line.card_number}")
        return "unknown_card", "; ".join(reasons)
    status = "matched"
    if not rules.names_match(line.name, member.first_name, member.last_name, member.middle_name):
        reasons.insert(0, f"the list says {line.name!r}; card {member.card_number} is "
                          f"{member.first_name} {member.last_name}")
        status = "name_mismatch"
    problem = rules.amount_problem(line.amount, expected_monthly=member.rate)
    if problem and problem not in reasons:
        reasons.append(problem)
    earlier = first_line_of_card.get(member.card_number)
    if earlier is not None and earlier != line.line_no:
        reasons.append(f"card {member.card_number} is also on line {earlier}")
    if member.status != "active":
        reasons.append(f"the member's status is {member.status}")
    if status == "matched" and (problem or line.problems or (earlier is not None and earlier != line.line_no)):
        status = "amount_odd"
    return status, "; ".join(reasons)


def _validate_header(period: date, check_number: str, check_amount: object) -> tuple[str, Decimal]:
    errors: dict[str, str] = {}
    number = (check_number or "").strip()
    if not number:
        errors["check_number"] = "Enter the number of the employer's check."
    elif len(number) > 40:
        errors["check_number"] = "The check number is limited to 40 characters."
    elif any(ord(c) < 32 for c in number):
        errors["check_number"] = "The check number holds a control character; type it again."
    amount = Decimal(0)
    as_read = rules.parse_money(check_amount)[0]  # any number of digits, before rounding to cents needs them
    if as_read is not None and as_read > rules.CHECK_AMOUNT_LIMIT:
        errors["check_amount"] = (f"The check amount is larger than a remittance can hold "
                                  f"(at most {rules.CHECK_AMOUNT_LIMIT:,}).")
    else:
        try:
            amount = money(check_amount)
            if amount <= 0:
                errors["check_amount"] = CHECK_AMOUNT_NOT_POSITIVE
        except (ValueError, ArithmeticError):  # ArithmeticError: an exponent no Decimal can round to cents
            errors["check_amount"] = "Enter the check amount in dollars and cents."
    if period is None:
        errors["period"] = "Choose the month the check pays for."
    if errors:
        raise ValidationError(errors)
    return number, amount


def import_remittance(uow: UnitOfWork, *, employer_id: int, period: date, check_number: str,
                      check_amount: Decimal | str, path: str | Path, mapping: Mapping[str, str | None],
                      remember_mapping: bool = True, replaces: int | None = None,
                      received_on: date | None = None) -> ImportSummary:
    """Read the employer's list, match every line by card number, and save it as a draft remittance.

    A file that cannot be read, or holds more than the reading limits or an amount the database cannot hold,
    is refused with one sentence saying why (ValidationError on "path") before anything is written.

    Lines that match a member by card, name and a plausible amount are `matched`; the rest wait for review
    (`unknown_card`, `name_mismatch`, `amount_odd`) with a note saying why. `replaces` cancels an earlier draft
    of the same check in the same transaction (the clerk went back and changed the mapping).
    """
    number, amount = _validate_header(period, check_number, check_amount)
    period = month_start(period)
    cleaned = _clean_mapping(mapping)
    try:
        table = rules.read_table(path)
        errors = rules.mapping_errors(table.headers, cleaned)
        if errors:
            raise ValidationError(errors)
        parsed = rules.parse_lines(table, cleaned)
    except rules.RemittanceFileError as exc:
        raise ValidationError({"path": str(exc)}) from None
    if parsed.error:
        raise ValidationError({"path": parsed.error})
    if not parsed.lines:
        raise ValidationError({"path": f"{Path(path).name} has no lines under its headers."})
    with uow:
        s = uow.session
        _employer_name(uow, employer_id)
        if replaces is not None:
            _cancel(uow, replaces)
        if s.execute(text("SELECT EXISTS (SELECT 1 FROM remittances WHERE employer_id = :e AND check_number = :n "
                          "AND status <> 'cancelled')"), {"e": employer_id, "n": number}).scalar_one():
            raise ValidationError({"check_number": f"Check {number} from this employer was already imported."})
        remittance_id = s.execute(text("""
            INSERT INTO remittances (employer_id, period, check_number, check_amount, received_on, source_filename)
            VALUES (:e, :p, :n, :a, coalesce(CAST(:r AS date), uc_hall_today()), :f) RETURNING id
        """), {"e": employer_id, "p": period, "n": number, "a": amount, "r": received_on,
               "f": Path(path).name[:260]}).scalar_one()
        members = _members_by_card(uow, {line.card_number for line in parsed.lines if line.card_number}, period)
        first_line_of_card: dict[str, int] = {}
        rows = []
        for line in parsed.lines:
            member = members.get(line.card_number) if line.card_number else None
            if member is not None:
                first_line_of_card.setdefault(member.card_number, line.line_no)
            status, note = _judge(line, member, first_line_of_card)
            rows.append({"r": remittance_id, "no": line.line_no, "card": line.card_number, "name": line.name,
                         "amount": line.amount if line.amount is not None else Decimal("0.00"),
                         "hours": line.hours, "m": member.id if member else None, "st": status,
                         "note": note or None})
        s.execute(text("""
            INSERT INTO remittance_lines (remittance_id, line_no, card_number, name, amount, hours, member_id,
                                          match_status, note)
            VALUES (:r, :no, :card, :name, :amount, :hours, :m, :st, :note)
        """), rows)
        if remember_mapping:
            _store_mapping(uow, employer_id, cleaned)
        review = q.remittance_review(s, remittance_id)
        uow.commit()
    return ImportSummary(remittance_id, len(review.lines), review.count("matched"), review.open_count,
                         review.lines_total, amount, parsed.stated_total, review)


# --- review --------------------------------------------------------------------------------------------------

def _draft(uow: UnitOfWork, remittance_id: int, *, lock: bool = True) -> q.RemittanceHeader:
    if lock:
        uow.session.execute(text("SELECT 1 FROM remittances WHERE id = :id FOR UPDATE"), {"id": remittance_id})
    header = q.remittance_header(uow.session, remittance_id)
    if header.status != "draft":
        raise DomainError(f"Check {header.check_number} is {header.status}; its lines can no longer change.")
    return header


def resolve_line(uow: UnitOfWork, *, line_id: int, member_id: int | None = None, exclude: bool = False,
                 note: str | None = None, amount: Decimal | str | None = None,
                 version: int | None = None) -> q.RemittanceLineRow:
    """Settle a line in the review queue: post it to `member_id` (the card's member, or the right one for an
    unknown card), or `exclude` it from posting. `amount` corrects a mis-keyed amount (the note says who
    confirmed it). Excluding, re-assigning a member, and changing an amount each need a note."""
    note = (note or "").strip() or None
    if exclude == (member_id is not None):
        raise ValidationError({"member": "Choose the member this line pays for, or exclude the line."})
    with uow:
        s = uow.session
        current = q.remittance_line(s, line_id)
        _draft(uow, current.remittance_id)
        s.execute(text("SELECT 1 FROM remittance_lines WHERE id = :id FOR UPDATE"), {"id": line_id})
        current = q.remittance_line(s, line_id)
        if version is not None and current.version != version:
            raise StaleRecord("Someone changed this line after you opened it; review it again.", current=current)
        errors: dict[str, str] = {}
        value = current.amount
        if amount is not None:
            try:
                value = money(amount)
            except ValueError:
                errors["amount"] = "Enter the amount in dollars and cents."
        if not exclude and value <= 0:
            errors["amount"] = "Only a positive amount can be posted; correct the amount or exclude the line."
        if note is None and (exclude or value != current.amount
                             or (current.member_id is not None and member_id != current.member_id)):
            errors["note"] = "Say why (for example, who at the employer confirmed it)."
        if errors:
            raise ValidationError(errors)
        if member_id is not None and not s.execute(text("SELECT EXISTS (SELECT 1 FROM members WHERE id = :m)"),
                                                   {"m": member_id}).scalar_one():
            raise NotFound("That member no longer exists.")
        # the import's reason stays beside the clerk's, so the line says both what was wrong and why it is fine
        note = f"{current.note} — {note}" if current.note and note else (note or current.note)
        s.execute(text("""
            UPDATE remittance_lines SET match_status = :st, member_id = :m, amount = :a, note = :n,
                                        version = version + 1
            WHERE id = :id
        """), {"st": "excluded" if exclude else "resolved", "m": current.member_id if exclude else member_id,
               "a": value, "n": note, "id": line_id})
        row = q.remittance_line(s, line_id)
        uow.commit()
        return row


def _cancel(uow: UnitOfWork, remittance_id: int) -> q.RemittanceHeader:
    header = _draft(uow, remittance_id)
    uow.session.execute(text("UPDATE remittances SET status = 'cancelled', version = version + 1 WHERE id = :id"),
                        {"id": remittance_id})
    return header


def cancel_remittance(uow: UnitOfWork, *, remittance_id: int) -> q.RemittanceHeader:
    """Drop a draft (wrong file, wrong check): it is kept, marked cancelled, and its check can be imported again."""
    with uow:
        _cancel(uow, remittance_id)
        header = q.remittance_header(uow.session, remittance_id)
        uow.commit()
        return header


# --- posting -------------------------------------------------------------------------------------------------

def _posted(uow: UnitOfWork, header: q.RemittanceHeader) -> PostedRemittance:
    review = q.remittance_review(uow.session, header.id)
    receipts = tuple(payment_receipt(uow.session, line.payment_id, already_posted=True)
                     for line in review.lines if line.payment_id is not None)
    assert header.batch_id is not None
    return PostedRemittance(header.id, header.batch_id, len(receipts), review.posting_total, receipts,
                            already_posted=True)


def post_remittance(uow: UnitOfWork, *, remittance_id: int) -> PostedRemittance:
    """Post every matched or resolved line as a payroll-deduction payment (reference: the check number) in one
    deposit batch whose total is the check, then close the batch and mark the remittance posted.

    Refused while any line waits for review or the posting lines do not add up to the check. Posting again
    (a retry after a lost connection) returns what was posted the first time and writes nothing.
    """
    with uow:
        s = uow.session
        s.execute(text("SELECT 1 FROM remittances WHERE id = :id FOR UPDATE"), {"id": remittance_id})
        header = q.remittance_header(s, remittance_id)
        if header.status == "posted":
            return _posted(uow, header)
        if header.status == "cancelled":
            raise DomainError(f"Check {header.check_number} was cancelled; import it again to post it.")
        review = q.remittance_review(s, remittance_id)
        if review.open_count:
            raise ValidationError({"lines": f"{review.open_count} line(s) still wait in the review queue; "
                                             "resolve or exclude them first."})
        posting = [line for line in review.lines if line.posts]
        if not posting:
            raise ValidationError({"lines": "No line would post: every line is excluded."})
        bad = [line.line_no for line in posting if line.amount <= 0 or line.member_id is None]
        if bad:
            raise ValidationError({"lines": f"Line(s) {', '.join(map(str, bad))} cannot post: "
                                            "a payment needs a member and a positive amount."})
        if not review.balanced:
            raise ValidationError({"check_amount": (
                f"The remittance does not balance: the lines to post total {review.posting_total:,.2f}, "
                f"the check is {header.check_amount:,.2f} (difference {review.difference:,.2f}).")})
        joined = uow.joined()
        employer = header.employer_name
        batch = dues.open_batch(joined, deposit_on=header.received_on, deposit_total=header.check_amount,
                                note=f"Check-off: {employer}, check {header.check_number}, "
                                     f"{month_label(header.period)}"[:500])
        receipts = []
        for line in posting:
            assert line.member_id is not None
            receipt = dues.post_payment(joined, idempotency_key=payment_key(remittance_id, line.line_no),
                                        member_id=line.member_id, amount=line.amount, method="payroll_deduction",
                                        reference=header.check_number, batch_id=batch.id,
                                        paid_on=header.received_on)
            s.execute(text("UPDATE remittance_lines SET payment_id = :p, version = version + 1 WHERE id = :id"),
                      {"p": receipt.payment_id, "id": line.id})
            receipts.append(receipt)
        dues.close_batch(joined, batch_id=batch.id)
        s.execute(text("UPDATE remittances SET status = 'posted', batch_id = :b, version = version + 1 "
                       "WHERE id = :id"), {"b": batch.id, "id": remittance_id})
        uow.commit()
        return PostedRemittance(remittance_id, batch.id, len(receipts),
                                sum((r.amount for r in receipts), Decimal("0.00")), tuple(receipts))
