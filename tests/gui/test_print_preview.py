"""The print preview: a built PDF shown page for page, printed through Qt's print dialog (its exec patched: it
is modal), saved as PDF from the folder last used with a clean default name."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, UTC
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog

from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.print_preview import PrintPreview
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.reports import Column, ReportContext, build_table_report

CLERK = SimpleNamespace(facts=SimpleNamespace(user="clerk1"))  # all ask_save_path reads of a login: its name


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def built(tmp_path: Path) -> Path:
    context = ReportContext("IBEW Local 46", "Out-of-work list – WIRE SEATTLE", [("Book", "WIRE SEATTLE")],
                            datetime(2026, 12, 2, 17, 0, tzinfo=UTC), "Test Clerk (clerk1)")
    rows = [(f"Member {i:03}", f"7{i:06}") for i in range(130)]
    folder = tmp_path / "built"
    folder.mkdir()
    return build_table_report(folder / "report.pdf", context, [Column("Name"), Column("Card")], rows)


def open_preview(qtbot, built: Path, **kwargs) -> PrintPreview:
    preview = PrintPreview(built, title="Out-of-work list – WIRE SEATTLE",
                           file_name="Out-of-work list – WIRE SEATTLE – 2026-12-02.pdf",
                           ask_path=lambda owner, caption, name, kinds: reporting.ask_save_path(
                               owner, CLERK, caption, name, kinds), **kwargs)
    qtbot.addWidget(preview)
    preview.show()
    qtbot.waitUntil(lambda: preview.page_count() > 0, timeout=10_000)
    return preview


@pytest.mark.parametrize(("title", "parameters", "name"), [
    ("Out-of-work list – WIRE SEATTLE", [("Book", "WIRE SEATTLE"), ("Registered", "37")],
     "Out-of-work list – WIRE SEATTLE – 2026-12-02.pdf"),
    ("Out-of-Work List — WIRE SEATTLE", [("Book", "WIRE SEATTLE")], "Out-of-Work List – WIRE SEATTLE – 2026-12-02.pdf"),
    ("Receipt", [("Receipts", "R-2026-0042")], "Receipt – R-2026-0042 – 2026-12-02.pdf"),
    ("Dispatch slip 17", [("Dispatch", "17")], "Dispatch slip 17 – 2026-12-02.pdf"),
    ("All Books", [], "All Books – 2026-12-02.pdf"),
    ("Referral History — O'Neil, Pat (A22/555)", [("Member", "O'Neil, Pat (A22/555)")],
     "Referral History – O'Neil, Pat (A22-555) – 2026-12-02.pdf"),
])
def test_default_file_names_are_title_parameter_and_the_halls_day(title, parameters, name):
    assert reporting.file_name(title, parameters, date(2026, 12, 2), "pdf") == name


def test_the_preview_shows_every_page_of_the_pdf(qtbot, built: Path, settings_dir: Path):
    preview = open_preview(qtbot, built)
    assert preview.page_count() == pdf_pages(built) == 4
    assert preview.pages_label.text() == "Page 1 of 4"
    assert not preview.excel_action.isVisible()
    qtbot.wait(500)  # the view renders the pages in sight in the background
    preview.grab().save(str(settings_dir / "preview.png"))


def test_print_opens_qts_print_dialog_and_prints_every_page(qtbot, built: Path, tmp_path: Path, monkeypatch):
    preview = open_preview(qtbot, built)
    asked: list[QPrinter] = []
    printed = tmp_path / "printed.pdf"

    def accept(dialog: QPrintDialog) -> int:
        asked.append(dialog.printer())
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # the "printer" the user picked
        dialog.printer().setOutputFileName(str(printed))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    with qtbot.waitSignal(preview.printed, timeout=20_000):
        preview.print_action.trigger()
    assert asked == [preview.printer] and pdf_pages(printed) == 4

    monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected.value)
    assert preview.print_document() is False


def test_save_as_pdf_starts_in_the_last_folder_with_the_clean_name(qtbot, built: Path, tmp_path: Path,
                                                                  settings_dir: Path, monkeypatch):
    asked: list[str] = []
    target = tmp_path / "filed" / "kept.pdf"
    target.parent.mkdir()

    def save_dialog(parent, caption, start, kinds):
        asked.append(start)
        return str(target), kinds

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    preview = open_preview(qtbot, built)
    with qtbot.waitSignal(preview.saved, timeout=5_000):
        preview.save_action.trigger()
    assert target.read_bytes() == built.read_bytes()
    name = "Out-of-work list – WIRE SEATTLE – 2026-12-02.pdf"
    assert Path(asked[0]).name == name and Path(asked[0]).parent != Path.cwd()
    assert UiSettings("clerk1").last_folder() == str(target.parent)

    preview.save_pdf()  # the next save opens where the last one went
    assert asked[1] == str(target.parent / name)
    assert UiSettings("someone_else").last_folder() is None  # per login


def test_the_excel_button_runs_the_reports_export_from_the_preview(qtbot, built: Path):
    owners = []
    preview = open_preview(qtbot, built, excel=owners.append)
    assert preview.excel_action.isVisible()
    preview.excel_action.trigger()
    assert owners == [preview]


def test_closing_the_preview_removes_its_temporary_folder(qtbot, tmp_path: Path):
    folder = tmp_path / "run"
    folder.mkdir()
    context = ReportContext("Hall", "Slip", [], datetime(2026, 12, 2, tzinfo=UTC), "x")
    pdf = build_table_report(folder / "report.pdf", context, [Column("A")], [("a",)])
    preview = PrintPreview(pdf, title="Slip", file_name="Slip.pdf", ask_path=lambda *a: None, cleanup=folder)
    preview.open()
    qtbot.waitUntil(lambda: preview.page_count() == 1, timeout=10_000)
    preview.reject()
    assert not folder.exists()


def test_a_folder_that_cannot_be_written_says_so_and_keeps_the_preview_open(qtbot, built: Path, tmp_path: Path,
                                                                            message_recorder):
    preview = PrintPreview(built, title="Slip", file_name="Slip.pdf",
                           ask_path=lambda *a: tmp_path / "no such folder" / "Slip.pdf")
    qtbot.addWidget(preview)
    preview.show()
    assert preview.save_pdf() is None and preview.isVisible()
    assert message_recorder.kinds() == ["warning"] and "could not be written" in message_recorder.messages[0].text
