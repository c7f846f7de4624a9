"""The shared report frame: context wording, time zones, grouped tables and the Qt/SQL-free import rule."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from unioncore_desktop.reports.base import (
    Column,
    GroupHeading,
    ReportContext,
    ReportDocument,
    Subtotal,
    SummaryLine,
    build_table_report,
    format_value,
    label,
    pdf_text,
)


def make_context(**changes) -> ReportContext:
    values = dict(hall_name="IBEW Local 46 Hiring Hall", title="Out-of-Work List — WIRE SEATTLE",
                  parameters=[("Book", "WIRE SEATTLE")], as_of=datetime(2026, 7, 1, 15, 0, tzinfo=UTC),
                  run_by="dispatcher1")
    values.update(changes)
    return ReportContext(**values)


def test_as_of_prints_in_hall_time_with_daylight_saving():
    assert make_context().as_of_label == "2026-07-01 08:00 PDT"
    assert make_context(as_of=datetime(2026, 11, 21, 16, 14, tzinfo=UTC)).as_of_label == "2026-11-21 08:14 PST"
    assert make_context(time_zone="America/New_York").as_of_label == "2026-07-01 11:00 EDT"


def test_naive_as_of_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        make_context(as_of=datetime(2026, 7, 1, 8, 0))


def test_parameters_line():
    assert make_context(parameters=[("Status", "active"), ("Classification", "all")]).parameters_line == (
        "Status: active · Classification: all")
    assert make_context(parameters=[]).parameters_line == "Parameters: none"


@pytest.mark.parametrize(("value", "expected"), [
    ("apprentice_3", "Apprentice 3"), ("journeyman", "Journeyman"), ("BA", "BA"), (None, ""),
])
def test_label(value, expected):
    assert label(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, ""), (1234, "1,234"), (Decimal("-1234.5"), "-1,234.50"), (True, "Yes"),
    (date(2026, 1, 2), "2026-01-02"), (datetime(2026, 1, 2, 16, 5, tzinfo=UTC), "2026-01-02 08:05"),
])
def test_format_value(value, expected):
    assert format_value(value, ZoneInfo("America/Los_Angeles")) == expected


def test_pdf_text_keeps_windows_1252_and_strips_the_rest():
    assert pdf_text("Zoë Øberg — “Ann”") == "Zoë Øberg — “Ann”"
    assert pdf_text("Nguyễn Thị") == "Nguyen Thi"
    assert pdf_text("李") == "?"


def test_groups_subtotals_and_summary(tmp_path, poppler):
    columns = [Column("Rank", width=40, align="right"), Column("Name", weight=2), Column("Card", weight=1),
               Column("Dues", width=70, align="right")]
    rows = []
    for tier in (1, 2):
        rows.append(GroupHeading(f"Tier {tier}"))
        rows += [(i, f"Member {tier}-{i}", f"C{tier}{i:03}", Decimal("12.50") * i) for i in range(1, 61)]
        rows.append(Subtotal(("", f"Tier {tier} subtotal", "60 members", Decimal("22875.00"))))
    rows.append(Subtotal(("", "Total", "120 members", Decimal("45750.00")), grand=True))
    path = build_table_report(tmp_path / "oow.pdf", make_context(), columns, rows,
                              summary=[SummaryLine("Registered", 120, bold=True), ("Tier 1", 60)])

    text = poppler.text(path)
    assert re.search(r"Tier 1\n", text) and re.search(r"Tier 2\n", text)
    assert re.search(r"Tier 2 subtotal\s+60 members\s+22,875.00", text)
    assert re.search(r"Total\s+120 members\s+45,750.00", text)
    assert re.search(r"Registered\s+120", text)
    # Right-aligned amounts of different widths (12.50, 112.50) end in the same text column.
    lines = {m.group(1): m.group(0) for m in re.finditer(r"(?m)^.*Member (1-1|1-9) .*$", text)}
    assert lines["1-1"].rstrip().endswith("12.50") and lines["1-9"].rstrip().endswith("112.50")
    assert len(lines["1-1"].rstrip()) == len(lines["1-9"].rstrip())
    assert "Out-of-Work List — WIRE SEATTLE" in text


def test_landscape_document_is_wider_than_tall(tmp_path):
    document = ReportDocument(make_context(), landscape=True)
    assert document.page_size[0] > document.page_size[1]
    portrait = ReportDocument(make_context())
    assert document.content_width > portrait.content_width
    document.add_table([Column("A")], [("x",)])
    assert document.build(tmp_path / "wide.pdf").read_bytes().startswith(b"%PDF")


def test_long_parameters_wrap_below_the_title(tmp_path, poppler):
    parameters = [(f"Filter {i}", "a fairly long parameter value") for i in range(12)]
    path = build_table_report(tmp_path / "p.pdf", make_context(parameters=parameters), [Column("A")], [("x",)])

    text = poppler.text(path)
    assert "Filter 0: a fairly long parameter value" in text
    assert "Page 1 of 1" in text


def test_reports_package_imports_without_qt_or_sqlalchemy():
    code = ("import sys, unioncore_desktop.reports, unioncore_desktop.reports.pdf, unioncore_desktop.reports.xlsx\n"
            "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'shiboken6', 'sqlalchemy'})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_context_is_hashable_and_frozen():
    context = make_context(parameters=[("Book", "WIRE SEATTLE")])
    assert hash(context) == hash(make_context(parameters=[("Book", "WIRE SEATTLE")]))
    with pytest.raises(AttributeError):
        context.title = "x"  # type: ignore[misc]
    assert context.local_as_of.utcoffset() == timedelta(hours=-7)


def test_heading_as_last_row_and_short_subtotal(tmp_path, poppler):
    columns = [Column("Name"), Column("Amount", align="right")]
    rows = [("A", Decimal("1.00")), Subtotal(("Total",)), GroupHeading("Empty group")]
    path = build_table_report(tmp_path / "edge.pdf", make_context(), columns, rows)

    text = poppler.text(path)
    assert "Empty group" in text and re.search(r"Total\n", text)


def test_row_with_too_many_values_is_refused(tmp_path):
    with pytest.raises(ValueError, match="row 1 has 3 values for 2 columns"):
        build_table_report(tmp_path / "bad.pdf", make_context(), [Column("A"), Column("B")], [(1, 2, 3)])


def test_fonts_are_embedded_so_every_printer_and_viewer_shows_the_same_letters(tmp_path, context):
    path = build_table_report(tmp_path / "r.pdf", context, [Column("Name")], [("Ñúñez, José",)],
                              summary=[("Total", 1)])
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows)  # the "emb" column
    assert any("LiberationSans" in row[0] for row in rows)
