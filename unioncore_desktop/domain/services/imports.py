"""Importing a hall's records from its old system: one file of one entity (members, employers, registrations,
employment history) per run, in one transaction.

A run reads the file (rules.imports), maps its columns (given, remembered for the source and header layout, or
suggested), checks every row in Python (cells, vocabularies, duplicates in the file, references to members,
books, employers and contract codes on file), COPYs the rows that pass into the entity's staging table and calls
the entity's server function, which matches them on their natural keys (card number; employer name; member and
book; member, employer and start date), writes what is new or different, and says what it created, updated and
left unchanged. A dry run, and a run with rejected rows not accepted, then rolls everything back, so what the
admin reviews is exactly what the import would do; an accepted run records itself in import_runs (its rejections
kept for review, a registrations run's order of each book kept for the comparison) and commits with it. The same
file imported twice changes nothing the second time.
"""

from __future__ import annotations

import bisect
import itertools
import json
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import text

from unioncore_desktop.domain.driver_sql import copy_rows, copy_text, copy_while_calling
from unioncore_desktop.domain.errors import ValidationError
from unioncore_desktop.domain.queries import imports as q
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.rules import imports as rules
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.registration import resign_due
from unioncore_desktop.domain.services.referral_context import rules_for
from unioncore_desktop.domain.uow import UnitOfWork

OUTCOMES = ("created", "updated", "unchanged", "rejected")
# what each entity's staging table takes after (run_id, line_no), in order
STAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "members": ("card_number", "first_name", "middle_name", "last_name", "suffix", "classification", "status",
                "card_type", "home_local", "address_line1", "address_line2", "city", "state", "postal_code", "phone",
                "mobile_phone", "email", "date_of_birth", "initiation_date"),
    "employers": ("employer_id", "name_key", "name", "address_line1", "city", "state", "postal_code", "phone",
                  "email", "contract_code", "contract_effective", "contract_expires", "worksite_name",
                  "worksite_address", "worksite_city", "worksite_region", "contact_name", "contact_title",
                  "contact_phone", "contact_email"),
    "registrations": ("member_id", "book_id", "position", "tier", "apn", "registered_at", "method", "last_resign_on",
                      "resign_due_on", "check_marks", "exemption_reason", "exemption_start", "exemption_end"),
    "employment": ("member_id", "employer_id", "job_class", "started_on", "ended_on", "termination_reason",
                   "days_worked", "hours_worked"),
    "dues": ("member_id", "paid_through", "balance"),
}


@dataclass(frozen=True, slots=True)
class Example:
    """A row of the file as the admin sees it: its row number and each mapped field's cell; for an update, the
    labels of the fields it changes where the import says (members, employment history)."""

    row: int
    cells: tuple[tuple[str, str], ...]
    changes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What a run did (status "imported"), would do (a dry run), or would have done (status "refused": rows were
    rejected and the admin did not accept leaving them out; nothing was written)."""

    entity: str
    source: str
    file_name: str
    mapping: dict[str, str | None]
    status: str
    rows_read: int
    created: int
    updated: int
    unchanged: int
    rejections: tuple[rules.Rejection, ...]
    examples: dict[str, tuple[Example, ...]]
    parts: dict[str, int] = field(default_factory=dict)
    run_id: int | None = None
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def changes_anything(self) -> bool:
        return bool(self.created or self.updated or any(self.parts.values()))

    def summary_lines(self) -> list[str]:
        head = {"imported": "Imported", "dry_run": "Dry run (nothing written)",
                "refused": "Not imported: rows were rejected (nothing written)"}[self.status]
        lines = [f"{head}: {self.entity} from {self.file_name} ({self.source}), {self.rows_read:,} rows in "
                 f"{self.seconds:.2f} s",
                 f"  created {self.created:,}, updated {self.updated:,}, unchanged {self.unchanged:,}, "
                 f"rejected {self.rejected:,}"]
        lines += [f"  {name.replace('_', ' ')}: {count:,}" for name, count in self.parts.items() if count]
        for outcome in OUTCOMES:
            for example in self.examples.get(outcome, ()):
                cells = ", ".join(f"{label}={value}" for label, value in example.cells if value)
                changes = f" (changes {', '.join(example.changes)})" if example.changes else ""
                lines.append(f"  {outcome} e.g. row {example.row}{changes}: {cells}")
        lines += [f"  {rejection.sentence()}" for rejection in self.rejections[:50]]
        if self.rejected > 50:
            lines.append(f"  … and {self.rejected - 50:,} more rejected rows")
        return lines


@dataclass(slots=True)
class _Prepared:
    """Rows ready for the staging table, with the rows rejected on the way and what else the run keeps."""

    staged: list[tuple[Any, ...]] = field(default_factory=list)
    rejected: list[rules.Rejection] = field(default_factory=list)
    source_order: dict[str, list[int]] | None = None
    book_ids: set[int] = field(default_factory=set)

    def member_of(self, members: dict[str, int], card: str, number: int) -> int | None:
        """The member a row names by card number, or None with the row rejected: members are imported first."""
        member_id = members.get(card)
        if member_id is None:
            self.rejected.append(rules.Rejection(number, "card_number",
                                                 f"no member with card number {card} is on file"))
        return member_id


# --- mappings ----------------------------------------------------------------------------------------------

def resolve_mapping(uow: UnitOfWork, *, entity: str, source: str, headers: Sequence[str],
                    mapping: Mapping[str, str | None] | None = None) -> tuple[dict[str, str | None], str]:
    """(mapping, origin): the one given ("given"), the one remembered for this source ("remembered") or for the
    same headers under another source ("other_source"), or one suggested from the headers ("suggested")."""
    if mapping is not None:
        return _complete(entity, mapping), "given"
    with uow:
        found = q.remembered_mapping(uow.session, _source(source), entity, rules.header_signature(headers))
    if found is not None:
        known = {f.name for f in rules.fields_of(entity)}  # a field this version no longer has is left out
        kept = {name: header for name, header in found.mapping.items() if name in known}
        if not rules.mapping_errors(entity, headers, kept):
            return _complete(entity, kept), "remembered" if found.exact else "other_source"
    return rules.suggest_mapping(entity, headers), "suggested"


def _complete(entity: str, mapping: Mapping[str, str | None]) -> dict[str, str | None]:
    names = [f.name for f in rules.fields_of(entity)]
    unknown = sorted(set(mapping) - set(names))
    if unknown:
        raise ValidationError({"mapping": f"{', '.join(unknown)} are not fields of the {entity} import."})
    return {name: (mapping.get(name) or None) for name in names}


def remember_mapping(uow: UnitOfWork, *, source: str, entity: str, headers: Sequence[str],
                     mapping: Mapping[str, str | None]) -> None:
    """Keep the mapping for this source's export with these headers (a second save of the same one writes
    nothing)."""
    cleaned = _complete(entity, mapping)
    errors = rules.mapping_errors(entity, headers, cleaned)
    if errors:
        raise ValidationError(errors)
    with uow:
        _store_mapping(uow, _source(source), entity, headers, cleaned)
        uow.commit()


def _store_mapping(uow: UnitOfWork, source: str, entity: str, headers: Sequence[str],
                   mapping: Mapping[str, str | None]) -> None:
    uow.session.execute(text("""
        INSERT INTO import_column_maps (source, entity, header_signature, headers, mapping)
        VALUES (:source, :entity, :signature, CAST(:headers AS jsonb), CAST(:mapping AS jsonb))
        ON CONFLICT (source, entity, header_signature) DO UPDATE
           SET mapping = EXCLUDED.mapping, headers = EXCLUDED.headers, updated_at = now(),
               version = import_column_maps.version + 1
         WHERE import_column_maps.mapping IS DISTINCT FROM EXCLUDED.mapping
    """), {"source": source, "entity": entity, "signature": rules.header_signature(headers),
           "headers": json.dumps(list(headers)), "mapping": json.dumps(dict(mapping))})


def _source(source: str) -> str:
    cleaned = " ".join(source.split())
    if not cleaned:
        raise ValidationError({"source": "Name the system the file comes from (e.g. LaborPower)."})
    if len(cleaned) > 80:
        raise ValidationError({"source": "A source's name is at most 80 characters."})
    return cleaned


# --- the run -----------------------------------------------------------------------------------------------

def read_file(path: str | Path) -> rules.SourceTable:
    """The file as a table; a file that cannot be read is the admin's to fix (a ValidationError naming it)."""
    with _file_errors():
        return rules.read_source(path)


@contextmanager
def _file_errors() -> Iterator[None]:
    try:
        yield
    except rules.ImportFileError as exc:
        raise ValidationError({"path": str(exc)}) from None


def run_import(uow: UnitOfWork, *, entity: str, path: str | Path, source: str,
               mapping: Mapping[str, str | None] | None = None, dry_run: bool = False,
               accept_rejected: bool = False, table: rules.SourceTable | None = None) -> ImportResult:
    """Import one file of `entity` (see the module's docstring). `table` is the file already read, if it was."""
    started = time.perf_counter()
    if entity not in rules.ENTITY_FIELDS:
        raise ValidationError({"entity": f"There is no import of {entity!r}; choose one of "
                                         f"{', '.join(rules.ENTITIES)}."})
    source = _source(source)
    more: Iterator[None] = iter(())
    if table is None and entity == "employment":  # read while its first rows are written
        with _file_errors():
            table, more = rules.open_source(path)
    table = table if table is not None else read_file(path)
    chosen, _ = resolve_mapping(uow, entity=entity, source=source, headers=table.headers, mapping=mapping)
    errors = rules.mapping_errors(entity, table.headers, chosen)
    if errors:
        raise ValidationError(errors)
    with uow:
        run_id = uuid.uuid4()
        if entity == "employment":
            prepared = _Prepared()
            outcome = _import_employment(uow, table, more, chosen, run_id, prepared.rejected)
        else:
            read = rules.read_rows(entity, table, chosen)
            prepared = _PREPARE[entity](uow, read)
            prepared.rejected[:0] = read.rejected
            _stage(uow, entity, run_id, prepared.staged)
            outcome = cast("dict[str, Any]", uow.session.execute(
                text(f"SELECT uc_import_{entity}(:run)"), {"run": run_id}).scalar_one())
        on_file = [rules.Rejection(r["row"], r["field"], r["reason"]) for r in outcome.get("rejected", [])]
        rejections = sorted([*prepared.rejected, *on_file], key=lambda r: (r.row, r.field))
        status = "dry_run" if dry_run else "refused" if rejections and not accept_rejected else "imported"
        examples = {name: tuple(_example(table, chosen, row) for row in outcome["examples"].get(name, []))
                    for name in ("created", "updated", "unchanged")}
        examples["updated"] = tuple(replace(example, changes=_labels(entity, row)) for example, row in
                                    zip(examples["updated"], outcome["examples"].get("updated", []), strict=True))
        examples["rejected"] = tuple(_example(table, chosen, r.row) for r in rejections[:rules.EXAMPLES])
        result = ImportResult(
            entity=entity, source=source, file_name=Path(path).name, mapping=chosen, status=status,
            rows_read=len(table.rows), created=outcome["created"], updated=outcome["updated"],
            unchanged=outcome["unchanged"], rejections=tuple(rejections), examples=examples,
            parts=dict(outcome.get("parts", {})))
        if status != "imported":
            uow.session.rollback()
            return _timed(result, started)
        _store_mapping(uow, source, entity, table.headers, chosen)
        run = uow.session.execute(text("""
            INSERT INTO import_runs (entity, source, file_name, header_signature, rows_read, created, updated,
                                     unchanged, rejected, summary, rejections, source_order)
            VALUES (:entity, :source, :file, :signature, :rows, :created, :updated, :unchanged, :rejected,
                    CAST(:summary AS jsonb), CAST(:rejections AS jsonb), CAST(:order AS jsonb))
            RETURNING id
        """), {"entity": entity, "source": source, "file": result.file_name[:260],
               "signature": rules.header_signature(table.headers), "rows": result.rows_read,
               "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
               "rejected": result.rejected, "summary": json.dumps({"parts": result.parts, "mapping": chosen}),
               "rejections": json.dumps([{"row": r.row, "field": r.field, "reason": r.reason} for r in rejections]),
               "order": json.dumps(prepared.source_order) if prepared.source_order is not None else None},
        ).scalar_one()
        uow.commit()
    return _timed(replace(result, run_id=run), started)


def _timed(result: ImportResult, started: float) -> ImportResult:
    return replace(result, seconds=time.perf_counter() - started)


def _stage(uow: UnitOfWork, entity: str, run_id: uuid.UUID, rows: list[tuple[Any, ...]]) -> None:
    """COPY the checked rows (line number first) into the entity's staging table, in the run's transaction."""
    columns = ", ".join(("run_id", "line_no", *STAGE_COLUMNS[entity]))
    run = str(run_id)  # once, not once a row
    copy_rows(uow.session, f"COPY import_stage_{entity} ({columns}) FROM STDIN", ((run, *row) for row in rows))


def _labels(entity: str, row: int | dict[str, Any]) -> tuple[str, ...]:
    """The labels of the fields an updated row changes, when the import function names them."""
    if not isinstance(row, dict):
        return ()
    labels = {f.name: f.label for f in rules.fields_of(entity)}
    return tuple(labels.get(name, name) for name in row.get("fields", []))


def _example(table: rules.SourceTable, mapping: Mapping[str, str | None], row: int | dict[str, Any]) -> Example:
    row_number = row["line"] if isinstance(row, dict) else row
    index = bisect.bisect_left(table.row_numbers, row_number)
    if index >= len(table.row_numbers) or table.row_numbers[index] != row_number:
        return Example(row_number, ())
    cells = table.rows[index]
    labels = {f.name: f.label for f in rules.ENTITY_FIELDS[_entity_of(mapping)]}
    shown = []
    for name, header in mapping.items():
        if header:
            position = table.headers.index(header)
            shown.append((labels.get(name, name), cells[position] if position < len(cells) else ""))
    return Example(row_number, tuple(shown))


def _entity_of(mapping: Mapping[str, str | None]) -> str:
    names = set(mapping)
    return next(e for e, fields in rules.ENTITY_FIELDS.items() if names == {f.name for f in fields})


# --- per entity: from checked rows to staged rows ----------------------------------------------------------

def _prepare_members(uow: UnitOfWork, read: rules.ReadRows) -> _Prepared:
    out = _Prepared()
    seen: dict[str, int] = {}
    columns = STAGE_COLUMNS["members"]
    for values, number in zip(read.rows, read.row_numbers, strict=True):
        card = cast("str", values["card_number"])
        if card in seen:
            out.rejected.append(rules.Rejection(number, "card_number",
                                                f"card number {card} is also on row {seen[card]}"))
            continue
        seen[card] = number
        out.staged.append((number, *(values.get(c) for c in columns)))
    return out


def _prepare_employers(uow: UnitOfWork, read: rules.ReadRows) -> _Prepared:
    out = _Prepared()
    on_file = q.employer_ids_by_key(uow.session)
    codes = q.contract_codes(uow.session)
    columns = STAGE_COLUMNS["employers"][3:]
    for values, number in zip(read.rows, read.row_numbers, strict=True):
        name = " ".join(str(values["name"]).split())
        key = rules.name_key(name)
        ids = on_file.get(key, [])
        if len(ids) > 1:
            out.rejected.append(rules.Rejection(number, "name", f"{len(ids)} employers on file are named "
                                                                f"{name!r}; merge them before importing"))
            continue
        code = values.get("contract_code")
        if code is not None and code not in codes:
            out.rejected.append(rules.Rejection(number, "contract_code",
                                                f"contract code {code} is not one of the hall's codes"))
            continue
        out.staged.append((number, ids[0] if ids else None, key, name, *(values.get(c) for c in columns)))
    return out


def _prepare_registrations(uow: UnitOfWork, read: rules.ReadRows) -> _Prepared:
    out = _Prepared(source_order={})
    session = uow.session
    members = q.member_ids_by_card(session, (cast("str", v["card_number"]) for v in read.rows))
    books = q.books_by_reference(session)
    clock = hall_clock(session)
    book_rules: dict[int, RuleSet] = {}
    seen: dict[tuple[int, int], int] = {}
    positions: dict[int, int] = {}
    ties: dict[tuple[object, ...], int] = {}
    for values, number in zip(read.rows, read.row_numbers, strict=True):
        card = cast("str", values["card_number"])
        member_id = out.member_of(members, card, number)
        if member_id is None:
            continue
        reference = cast("str", values["book"])
        book = books.get(reference.upper())
        if book is None:
            out.rejected.append(rules.Rejection(number, "book", f"there is no book {reference!r}"))
            continue
        if not book.active:
            out.rejected.append(rules.Rejection(number, "book", f"the book {book.name} is retired"))
            continue
        if (member_id, book.id) in seen:
            out.rejected.append(rules.Rejection(
                number, "book", f"card number {card} is on {book.name} on row {seen[member_id, book.id]} already"))
            continue
        if book.id not in book_rules:
            book_rules[book.id] = rules_for(session, book.id, clock.today)
        marks = cast("int", values.get("check_marks", 0))
        if marks >= book_rules[book.id].check_marks_allowed:
            out.rejected.append(rules.Rejection(
                number, "check_marks", f"{marks} check marks: {book.name} rolls a member off at "
                                       f"{book_rules[book.id].check_marks_allowed}"))
            continue
        seen[member_id, book.id] = number
        position = positions[book.id] = positions.get(book.id, 0) + 1
        registered_on = cast("date", values["registered_on"])
        # midnight in the hall's zone; places that share a book, tier, APN and day a millisecond apart in the
        # source's order, which queue order (tier, APN, registered-at) then keeps for a duplicate APN
        tie = (book.id, values["tier"], values["apn"], registered_on)
        ties[tie] = ties.get(tie, -1) + 1
        registered_at = datetime.combine(registered_on, clock_time(), clock.zone) + timedelta(milliseconds=ties[tie])
        last_resign = cast("date | None", values.get("last_resign_on"))
        exempt_until = values.get("exemption_end")
        exempt = values.get("exemption_reason") is not None and (
            exempt_until is None or cast("date", exempt_until) >= clock.today)
        due = None if exempt else resign_due(last_resign or registered_on, book_rules[book.id])
        out.staged.append((number, member_id, book.id, position, values["tier"], values["apn"], registered_at,
                           values.get("method"), last_resign, due, values.get("check_marks", 0),
                           values.get("exemption_reason"), values.get("exemption_start"), exempt_until))
        cast("dict[str, list[int]]", out.source_order).setdefault(str(book.id), []).append(member_id)
        out.book_ids.add(book.id)
    return out


def _import_employment(uow: UnitOfWork, table: rules.SourceTable, more: Iterator[None],
                       mapping: Mapping[str, str | None], run_id: uuid.UUID,
                       rejected: list[rules.Rejection]) -> dict[str, Any]:
    """Read (the rest of the file, `more`, if it is still being read), check, stage and write a file of employment
    history, the server writing each part while the next is read (driver_sql.copy_while_calling;
    uc_import_employment says what it writes when). A row is rejected for what read_rows says and for a card or
    an employer not on file; returns the calls' outcomes added up."""
    session = uow.session
    members = {card: str(member_id) for card, member_id in q.member_ids(session).items()}
    employers = _EmployerIds(q.employer_ids_by_key(session))
    run = str(run_id)

    def parts() -> Iterator[str]:
        lines: list[str] = []
        for numbers, cards, names, values in rules.read_employment(table, mapping, copy_text, rejected, more):
            member_ids = list(map(members.get, cards))
            employer_ids = list(map(employers.__getitem__, names))
            if None in member_ids or not employers.missing.keys().isdisjoint(names):  # some rows are rejected
                for number, card, name, member_id, employer_id, row in zip(
                        numbers, cards, names, member_ids, employer_ids, values, strict=True):
                    if member_id is None:
                        rejected.append(rules.Rejection(number, "card_number",
                                                        f"no member with card number {card} is on file"))
                    elif name in employers.missing:
                        rejected.append(rules.Rejection(number, "employer", employers.missing[name]))
                    else:
                        lines.append(f"{run}\t{number}\t{member_id}\t{employer_id}\t{row}")
            else:  # the batch whole, in C
                lines.extend(map("\t".join, zip(itertools.repeat(run), map(str, numbers), cast("list[str]", member_ids),
                                                employer_ids, values)))
            while len(lines) >= PART_ROWS:
                yield "\n".join(lines[:PART_ROWS]) + "\n"
                del lines[:PART_ROWS]
        if lines:
            yield "\n".join(lines) + "\n"

    columns = ", ".join(("run_id", "line_no", *STAGE_COLUMNS["employment"]))
    with _file_errors(), rules.no_collection():
        outcomes = copy_while_calling(session, f"COPY import_stage_employment ({columns}) FROM STDIN",
                                      "SELECT uc_import_employment(:run, :last)", {"run": run_id}, parts())
    return _added_up(outcomes)


PART_ROWS = 5_000  # rows a part of an employment file holds (the server takes every part made since its last call)


class _EmployerIds(dict[str, str]):
    """employer cell -> the id of the one employer on file by that name, as text; a name that has none, or more
    than one, reads as "" and keeps why in `missing`."""

    def __init__(self, on_file: dict[str, list[int]]) -> None:
        super().__init__()
        self.on_file = on_file
        self.missing: dict[str, str] = {}

    def __missing__(self, name: str) -> str:
        ids = self.on_file.get(rules.name_key(name))
        if ids and len(ids) == 1:
            self[name] = str(ids[0])
        else:
            self[name] = ""
            self.missing[name] = (f"no employer named {name!r} is on file" if not ids
                                  else f"{len(ids)} employers on file are named {name!r}")
        return self[name]


def _added_up(outcomes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The outcomes of an import's calls as one: counts added, each outcome's first examples in line order."""
    examples: dict[str, list[Any]] = {"created": [], "updated": [], "unchanged": []}
    for outcome in outcomes:
        for name, rows in examples.items():
            rows.extend(outcome["examples"].get(name, []))
    return {**{name: sum(o[name] for o in outcomes) for name in ("created", "updated", "unchanged")},
            "examples": {name: sorted(rows, key=lambda row: row["line"] if isinstance(row, dict) else row)
                         [:rules.EXAMPLES] for name, rows in examples.items()}}


def _prepare_dues(uow: UnitOfWork, read: rules.ReadRows) -> _Prepared:
    out = _Prepared()
    members = q.member_ids_by_card(uow.session, (cast("str", v["card_number"]) for v in read.rows))
    today = hall_clock(uow.session).today
    seen: dict[int, int] = {}
    for values, number in zip(read.rows, read.row_numbers, strict=True):
        card = cast("str", values["card_number"])
        member_id = out.member_of(members, card, number)
        if member_id is None:
            continue
        if member_id in seen:
            out.rejected.append(rules.Rejection(number, "card_number",
                                                f"card number {card} is also on row {seen[member_id]}"))
            continue
        paid_through = cast("date", values["paid_through"])
        if paid_through > today.replace(day=1) + timedelta(days=31 * 120):
            out.rejected.append(rules.Rejection(number, "paid_through",
                                                f"paid through {paid_through:%B %Y} is more than ten years ahead"))
            continue
        seen[member_id] = number
        out.staged.append((number, member_id, paid_through, values["balance"]))
    return out


_PREPARE = {"members": _prepare_members, "employers": _prepare_employers,
            "registrations": _prepare_registrations, "dues": _prepare_dues}


def book_ids_of(result: ImportResult, uow: UnitOfWork) -> list[int]:
    """The books a registrations run listed (for the changes it announces)."""
    if result.run_id is None:
        return []
    with uow:
        order = uow.session.execute(text("SELECT source_order FROM import_runs WHERE id = :id"),
                                    {"id": result.run_id}).scalar()
    return sorted(int(book_id) for book_id in (order or {}))
