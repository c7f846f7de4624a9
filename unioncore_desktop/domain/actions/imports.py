"""Importing a hall's records from its old system (the import workbench): what the wizard and `unioncore import`
ask. Admins only: the writes run as the server's uc_import_* functions, which refuse any other login.

The API (stable; a wizard page per step):

- `ENTITIES`, `ENTITY_LABELS`, `fields(entity)` -> the target fields (`rules.imports.Field`: name, label, required,
  kind) in the order a mapping page lists them. Import members and employers before registrations, employment and
  dues, which find their members by card number and their employers by name.
- `open_file(hall, entity, path, source)` -> `SourcePreview`: the file's headers, its first rows, its row count
  and the mapping to start from, with where it came from (`mapping_origin`: "remembered" for this source and
  header layout, "other_source" for the same headers under another source, "suggested" from the headers).
  A file that cannot be read raises ValidationError({"path": sentence}).
- `mapping_errors(entity, headers, mapping)` -> field -> sentence (empty when the mapping can be used); pure, for
  the mapping page to check as the admin chooses.
- `remember_mapping(hall, entity, source, headers, mapping)` -> Done[None]: keep a mapping made by hand now (an
  import that commits keeps its mapping anyway).
- `dry_run(hall, entity, path, source, mapping)` -> `ImportResult` with status "dry_run": the counts of rows that
  would be created, updated, left unchanged and rejected, examples of each (`examples[outcome]`: `Example` with
  the row number, the mapped cells and, for an updated member or job, the labels of the fields it changes) and
  every rejection (row, field, sentence). Runs the whole import and rolls it back.
- `import_file(hall, entity, path, source, mapping, accept_rejected=False)` -> Done[ImportResult]: the import in
  one transaction. With rejected rows and `accept_rejected` False nothing is written (status "refused", the
  result says why); with it True the rows that passed are imported and the rejections kept with the run
  (`run_rejections`). Importing the same file again changes nothing (all rows "unchanged"). A row the database
  refuses although the checks let it through (a contract period overlapping another) fails the whole import:
  DomainError with the constraint's sentence, nothing written. A login that is not an admin's gets
  PermissionDenied. `mapping=None` takes the remembered or suggested one, as `open_file` showed it.
- `book_order(hall)` -> `OrderComparison`: every book a registrations import listed, its source order beside its
  queue order now, `agrees` per book and overall.
- `import_runs(hall)` -> the committed runs, newest first; `run_rejections(hall, run_id)` -> what a run left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.queries import imports as q
from unioncore_desktop.domain.rules import imports as rules
from unioncore_desktop.domain.services import imports as services
from unioncore_desktop.domain.queries.imports import BookOrder, ImportRunRow, OrderComparison, OrderLine
from unioncore_desktop.domain.rules.imports import Field, Rejection
from unioncore_desktop.domain.services.imports import Example, ImportResult

ENTITIES = rules.ENTITIES
ENTITY_LABELS = rules.ENTITY_LABELS

# the DTOs a screen shows, under one roof with the calls that return them
__all__ = ["ENTITIES", "ENTITY_LABELS", "BookOrder", "Example", "Field", "ImportResult", "ImportRunRow",
           "OrderComparison", "OrderLine", "Rejection", "SourcePreview", "book_order", "dry_run", "fields",
           "import_file", "import_runs", "mapping_errors", "open_file", "remember_mapping", "run_rejections"]


@dataclass(frozen=True, slots=True)
class SourcePreview:
    """A file as the mapping page shows it."""

    entity: str
    source: str
    file_name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]     # the first rows under the headers
    row_count: int
    header_row: int
    mapping: dict[str, str | None]
    mapping_origin: str


def fields(entity: str) -> tuple[Field, ...]:
    return rules.fields_of(entity)


def mapping_errors(entity: str, headers: Sequence[str], mapping: Mapping[str, str | None]) -> dict[str, str]:
    return rules.mapping_errors(entity, headers, mapping)


def open_file(hall: Hall, entity: str, path: str | Path, source: str, preview_rows: int = 20) -> SourcePreview:
    table = services.read_file(path)
    mapping, origin = services.resolve_mapping(hall.uow(), entity=entity, source=source, headers=table.headers)
    return SourcePreview(entity, source, table.name, table.headers, table.preview(preview_rows), len(table.rows),
                         table.header_row, mapping, origin)


def remember_mapping(hall: Hall, entity: str, source: str, headers: Sequence[str],
                     mapping: Mapping[str, str | None]) -> Done[None]:
    services.remember_mapping(hall.uow(), source=source, entity=entity, headers=headers, mapping=mapping)
    return done(None)


def dry_run(hall: Hall, entity: str, path: str | Path, source: str,
            mapping: Mapping[str, str | None] | None = None) -> ImportResult:
    return services.run_import(hall.uow(), entity=entity, path=path, source=source, mapping=mapping, dry_run=True)


def import_file(hall: Hall, entity: str, path: str | Path, source: str,
                mapping: Mapping[str, str | None] | None = None, *,
                accept_rejected: bool = False) -> Done[ImportResult]:
    result = services.run_import(hall.uow(), entity=entity, path=path, source=source, mapping=mapping,
                                 accept_rejected=accept_rejected)
    if result.status != "imported" or not result.changes_anything:
        return done(result)
    return done(result, *_changes(hall, result))


def _changes(hall: Hall, result: ImportResult) -> tuple[Changed, ...]:
    if result.entity == "members":
        return (Changed.of("member"),)
    if result.entity == "employers":
        return (Changed.of("employer"), Changed.of("employer_detail"))
    if result.entity == "registrations":
        books = services.book_ids_of(result, hall.uow())
        return (Changed.of("registration", book_ids=books), Changed.of("check_mark", book_ids=books)) if books else ()
    if result.entity == "dues":
        return (Changed.of("dues"), Changed.of("dues_period"))
    return (Changed.of("member"),)  # employment history shows on the member's record


def book_order(hall: Hall) -> OrderComparison:
    return hall.read(q.book_order_comparison)


def import_runs(hall: Hall) -> list[ImportRunRow]:
    return hall.read(q.import_runs)


def run_rejections(hall: Hall, run_id: int) -> list[dict[str, Any]]:
    return hall.read(q.run_rejections, run_id)
