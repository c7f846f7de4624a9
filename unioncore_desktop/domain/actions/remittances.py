"""Employer check-off remittances: read the file, import it as a draft, resolve its review queue, post it.

A remittance change is announced by the remittance; posting announces the members paid ("dues")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.errors import ValidationError
from unioncore_desktop.domain.queries import remittances as q
from unioncore_desktop.domain.rules import remittance as rules
from unioncore_desktop.domain.services import remittances as services


def read_file(path: str) -> rules.Table:
    """The employer's list as a table; a file that cannot be read is the clerk's to fix (a ValidationError)."""
    try:
        return rules.read_table(path)
    except rules.RemittanceFileError as exc:
        raise ValidationError({"path": str(exc)}) from None


def remembered_mapping(hall: Hall, employer_id: int) -> dict[str, str | None] | None:
    return hall.read(q.column_mapping, employer_id)


def review(hall: Hall, remittance_id: int) -> q.RemittanceReview:
    return hall.read(q.remittance_review, remittance_id)


def missing_members(hall: Hall, employer_id: int, period: date) -> list[q.MissingMember]:
    return hall.read(q.missing_from_remittance, employer_id, period)


def import_file(hall: Hall, *, employer_id: int, period: date, check_number: str, check_amount: Decimal | str,
                path: str, mapping: Mapping[str, str | None],
                replaces: int | None) -> Done[services.ImportSummary]:
    summary = services.import_remittance(hall.uow(), employer_id=employer_id, period=period,
                                         check_number=check_number, check_amount=check_amount, path=path,
                                         mapping=mapping, replaces=replaces)
    return done(summary, Changed.of("remittance", remittance_ids=[summary.remittance_id]))


def resolve_line(hall: Hall, line: q.RemittanceLineRow, *, member_id: int | None, exclude: bool, note: str,
                 amount: str | None) -> Done[q.RemittanceLineRow]:
    resolved = services.resolve_line(hall.uow(), line_id=line.id, member_id=member_id, exclude=exclude, note=note,
                                     amount=amount, version=line.version)
    return done(resolved, Changed.of("remittance", remittance_ids=[line.remittance_id]))


def post(hall: Hall, remittance_id: int) -> Done[services.PostedRemittance]:
    """Post the draft (a retry after a lost connection finds it posted, or posts it once)."""
    result = services.post_remittance(hall.uow(), remittance_id=remittance_id)
    paid = sorted({receipt.member_id for receipt in result.receipts})
    return done(result, Changed.of("dues", member_ids=paid)) if paid else done(result)
