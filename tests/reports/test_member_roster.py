"""The member roster PDF, read back with pdftotext: frame on every page, members, totals, reproducible bytes."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from unioncore_desktop.reports.pdf import build_member_roster


def test_every_page_carries_the_frame(tmp_path, roster_rows, context, poppler):
    path = build_member_roster(tmp_path / "roster.pdf", roster_rows, context)

    pages = poppler.text(path).rstrip("\f").split("\f")
    total = poppler.pages(path)
    assert total == len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert "IBEW Local 46 Hiring Hall" in page
        assert "Member Roster" in page
        assert "Status: active · Classification: all" in page
        assert "As of 2026-11-21 08:14 PST" in page
        assert "Run by: jdoe" in page
        assert f"Page {number} of {total}" in page
    assert f"Page 1 of {total}" in pages[0]
    assert f"Page {total} of {total}" in pages[-1]


def test_header_row_repeats_on_every_page(tmp_path, roster_rows, context, poppler):
    path = build_member_roster(tmp_path / "roster.pdf", roster_rows, context)

    header = re.compile(r"Card\s+Name\s+Classification\s+Status\s+Type\s+Local\s+Phone\s+City\s+Initiated")
    pages = poppler.text(path).rstrip("\f").split("\f")
    pages_with_rows = [page for page in pages if "700" in page]
    assert pages_with_rows and all(header.search(page) for page in pages_with_rows)


def test_members_print_with_readable_values(tmp_path, roster_rows, context, poppler):
    path = build_member_roster(tmp_path / "roster.pdf", roster_rows, context)

    text = poppler.text(path)
    first = roster_rows[0]
    line = next(line for line in text.splitlines() if line.strip().startswith(first.card_number))
    assert first.display_name in line
    assert "Apprentice 1" in line  # apprentice_1 printed as a label
    assert first.status.capitalize() in line
    assert first.initiation_date.isoformat() in line
    last = roster_rows[-1]
    assert re.search(rf"{last.card_number}\s+{re.escape(last.display_name)}", text)


def test_summary_counts_members_by_classification(tmp_path, roster_rows, context, poppler):
    path = build_member_roster(tmp_path / "roster.pdf", roster_rows, context)

    text = poppler.text(path)
    assert re.search(r"Total members\s+450\b", text)
    counts = Counter(row.classification for row in roster_rows)
    assert re.search(rf"Apprentice 3\s+{counts['apprentice_3']}\n", text)
    assert re.search(rf"Journeyman\s+{counts['journeyman']}\n", text)


def test_same_inputs_give_identical_bytes(tmp_path, roster_rows, context):
    first = build_member_roster(tmp_path / "a.pdf", roster_rows, context)
    second = build_member_roster(tmp_path / "b.pdf", roster_rows, context)

    assert first.read_bytes() == second.read_bytes()


def test_names_outside_the_pdf_font_lose_only_their_accents(tmp_path, member_rows, context, poppler):
    row = replace(member_rows(1)[0], last_name="Nguyễn", first_name="Zoë", middle_name=None)
    path = build_member_roster(tmp_path / "roster.pdf", [row], context)

    assert "Nguyen, Zoë" in poppler.text(path)


def test_long_names_are_cut_not_overprinted(tmp_path, member_rows, context, poppler):
    row = replace(member_rows(1)[0], last_name="Vandenberghe-Whitfield-Montgomery", first_name="Christopher",
                  city="Mountlake Terrace Northeast District")
    path = build_member_roster(tmp_path / "roster.pdf", [row], context)

    line = next(line for line in poppler.text(path).splitlines() if row.card_number in line)
    assert "Vandenberghe-Whitfield" in line and "…" in line
    assert row.initiation_date.isoformat() in line


def test_empty_roster_still_prints_one_framed_page(tmp_path, context, poppler):
    path = build_member_roster(tmp_path / "roster.pdf", [], context)

    text = poppler.text(path)
    assert poppler.pages(path) == 1
    assert "Page 1 of 1" in text
    assert "No records match these parameters." in text
    assert re.search(r"Total members\s+0\b", text)


def test_landscape_roster(tmp_path, roster_rows, context, poppler):
    portrait = build_member_roster(tmp_path / "portrait.pdf", roster_rows, context)
    landscape = build_member_roster(tmp_path / "landscape.pdf", roster_rows, context, landscape=True)

    assert poppler.pages(landscape) > poppler.pages(portrait)


def test_first_page_renders_to_png(tmp_path, roster_rows, context, poppler):
    path = build_member_roster(tmp_path / "roster.pdf", roster_rows, context)

    png = poppler.png(path, tmp_path / "page1")
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
