"""The import workbench (File → Import from another system…) over a real PostgreSQL under a real admin login,
driven through its real widgets with a threaded task runner: a dry run before every import, members then
registrations, every book in the source's order and the comparison saying so, the same file again changing
nothing, a file with other headers mapped by hand once and remembered, Cancel asking before a hand-made mapping is
lost, and the menu only for admins."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.imports.wizard import ImportWizard
from unioncore_desktop.gui.main_window import MainWindow
from unioncore_desktop.paths import resources_dir
from unioncore_desktop.seed import sample_exports as samples
from unioncore_desktop.seed.books import insert_books

WAIT = 30_000
SHOTS = Path("/tmp/uc_import_shots")
SOURCE = "LaborPower"


def shoot(widget, name: str) -> None:
    """Keep a picture of the page for review (a failed save does not fail the test)."""
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, Path]:
    """A slice of the sample hall: 60 members and 60 places on the books."""
    return samples.write(tmp_path_factory.mktemp("exports"),
                         samples.build(members=60, employers=5, registrations=60, employment=60))


@pytest.fixture
def database(databases) -> str:
    name = databases.create()
    with databases.engine(name).begin() as conn:
        insert_books(conn)
    return name


@pytest.fixture
def admin(staff_login, database):
    return staff_login(database, "admin", "Ada Admin")


@pytest.fixture
def wizard_for(qtbot, parent_widget, runner, admin, ui_settings):
    def make() -> ImportWizard:
        wizard = ImportWizard(runner, admin, ui_settings, parent_widget)  # as open_import_wizard, kept on close
        qtbot.addWidget(wizard)
        wizard.show()
        with qtbot.waitSignal(wizard.loaded, timeout=WAIT):
            pass
        return wizard
    return make


def open_file(qtbot, wizard: ImportWizard, entity: str, path: Path, source: str = SOURCE) -> None:
    page = wizard.source_page
    page.set_entity(entity)
    page.set_file(path)
    page.set_source(source)
    assert page.isComplete()
    wizard.next()  # reads the file, then moves on by itself
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.PAGE_MAPPING, timeout=WAIT)


def dry_run(qtbot, wizard: ImportWizard) -> None:
    assert wizard.mapping_page.isComplete(), wizard.mapping_page.problems()
    wizard.next()  # the dry run, then on by itself
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.PAGE_DRY_RUN, timeout=WAIT)


def run_import(qtbot, wizard: ImportWizard, *, accept_rejected: bool | None = None):
    wizard.next()
    assert wizard.currentId() == ImportWizard.PAGE_RUN
    page = wizard.run_page
    if accept_rejected is not None:
        page.choose_accept_rejected(accept_rejected)
    assert page.import_button.isEnabled()
    page.start()
    assert not page.import_button.isEnabled() and not wizard.button(QWizard.WizardButton.CancelButton).isEnabled()
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled() and page.progress.isVisible()
    wizard.reject()  # Esc while the import runs: the wizard stays
    assert wizard.isVisible()
    qtbot.waitUntil(lambda: wizard.import_result is not None and not wizard.running, timeout=WAIT)
    return wizard.import_result


def counts(wizard: ImportWizard) -> dict[str, str]:
    return {outcome: label.text() for outcome, label in wizard.dry_run_page.count_labels.items()}


def test_members_then_registrations_after_dry_runs_every_book_agrees_and_again_nothing_changes(
        qtbot, wizard_for, exports, runner, monkeypatch, tmp_path):
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    wizard = wizard_for()
    assert wizard.source_page.entity() == "members"  # nothing imported yet: members come first
    shoot(wizard, "1_source")
    open_file(qtbot, wizard, "members", exports["members"])
    page = wizard.mapping_page
    assert page.origin_label.text().startswith("Suggested from the headers")
    assert page.mapping()["card_number"] == "Card #" and page.mapping()["date_of_birth"] == "DOB"
    assert page.preview.rowCount() == 8 and page.preview.horizontalHeaderItem(0).text() == "Card number\n← Card #"
    shoot(wizard, "2_mapping")
    assert wizard.settings.last_folder("import") == str(exports["members"].parent)  # the file dialog starts there
    dry_run(qtbot, wizard)
    assert counts(wizard) == {"created": "60", "updated": "0", "unchanged": "0", "rejected": "0"}
    assert wizard.dry_run_page.examples.rowCount() == 5  # five examples of what would be created
    assert not wizard.run_page.accept_radio.isVisible()
    shoot(wizard, "3_dry_run")
    result = run_import(qtbot, wizard)
    assert (result.status, result.created) == ("imported", 60)
    assert "60 created" in wizard.run_page.result_label.text()
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()  # the pass is done
    shoot(wizard, "4_imported")
    another = wizard.button(QWizard.WizardButton.CustomButton1)
    assert another.isVisible() and another.text() == "Import &another file"
    with qtbot.waitSignal(wizard.loaded, timeout=WAIT):
        another.click()
    assert wizard.currentId() == ImportWizard.PAGE_SOURCE and not another.isVisible()
    assert wizard.source_page.entity() == "employers"  # the next in the order
    assert wizard.source_page.entity_combo.itemText(0).startswith("Members — last imported ")
    assert wizard.source_page.source_combo.currentText() == SOURCE  # remembered from the last import
    open_file(qtbot, wizard, "registrations", exports["registrations"])
    dry_run(qtbot, wizard)
    assert counts(wizard)["created"] == "60"
    run_import(qtbot, wizard)
    run = wizard.run_page
    qtbot.waitUntil(lambda: run.books_model.rowCount() > 0, timeout=WAIT)
    with open(exports["registrations"], newline="") as f:
        books = {row[0] for row in list(csv.reader(f))[1:]}
    assert {b.book_name for b in run.books_model.rows} == books
    assert all(b.agrees for b in run.books_model.rows)
    assert run.order_label.text().startswith("Every book lists its members in the source's order")
    assert run.lines_model.rowCount() > 0 and all(line.same for line in run.lines_model.rows)
    shoot(wizard, "4_book_order")
    run.order_export.click()
    qtbot.waitUntil(lambda: any(tmp_path.glob("Book order after the import – *.xlsx")), timeout=WAIT)
    wizard.accept()

    wizard = wizard_for()  # the same file again: unchanged, nothing written
    open_file(qtbot, wizard, "registrations", exports["registrations"])
    assert wizard.mapping_page.origin_label.text().startswith("Remembered for this source")
    dry_run(qtbot, wizard)
    assert counts(wizard) == {"created": "0", "updated": "0", "unchanged": "60", "rejected": "0"}
    result = run_import(qtbot, wizard)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 60) and not result.changes_anything
    assert "Nothing changed" in wizard.run_page.result_label.text()
    qtbot.waitUntil(lambda: wizard.run_page.books_model.rowCount() > 0, timeout=WAIT)
    assert all(b.agrees for b in wizard.run_page.books_model.rows)


def rename_headers(source: Path, target: Path, names: dict[str, str]) -> Path:
    lines = source.read_text().splitlines()
    headers = [names.get(h, h) for h in lines[0].split(",")]
    target.write_text("\n".join([",".join(headers), *lines[1:]]) + "\n")
    return target


def test_other_header_spellings_are_mapped_by_hand_once_and_then_remembered(qtbot, wizard_for, exports, tmp_path):
    # "Surname" is suggested for the last name; "Mbr Key", "Given" and "Wage Grp" match no field's synonyms
    path = rename_headers(exports["members"], tmp_path / "members_other.csv",
                          {"Card #": "Mbr Key", "Last Name": "Surname", "First Name": "Given", "Class": "Wage Grp"})
    wizard = wizard_for()
    open_file(qtbot, wizard, "members", path, "Old Access")
    page = wizard.mapping_page
    assert page.problems() and not page.isComplete()
    shoot(wizard, "2_mapping_problems")
    assert "Choose the column" in page.fields_table.item(list(page.combos).index("classification"), 2).text()
    assert page.mapping()["last_name"] == "Surname"
    page.set_mapping({"card_number": "Mbr Key", "first_name": "Given", "classification": "Wage Grp"})
    assert page.problems() == {} and page.isComplete() and page.hand_made()
    shoot(wizard, "2_mapping_by_hand")
    dry_run(qtbot, wizard)
    assert counts(wizard)["created"] == "60"
    wizard.reject()  # kept for the source at the dry run: nothing to ask
    assert not wizard.isVisible()

    again = wizard_for()
    open_file(qtbot, again, "members", path, "Old Access")
    assert again.mapping_page.origin_label.text().startswith("Remembered for this source")
    assert again.mapping_page.mapping()["classification"] == "Wage Grp" and again.mapping_page.isComplete()


def test_cancel_asks_before_a_mapping_made_by_hand_is_lost(qtbot, wizard_for, exports, message_recorder):
    wizard = wizard_for()
    open_file(qtbot, wizard, "members", exports["members"])
    wizard.mapping_page.set_mapping({"middle_name": None})
    assert wizard.mapping_page.hand_made()
    message_recorder.answer = False
    wizard.reject()
    assert wizard.isVisible() and message_recorder.kinds()[-1] == "question"
    message_recorder.answer = True
    wizard.reject()
    assert not wizard.isVisible()


def test_rejected_rows_are_shown_and_kept_for_review_only_when_chosen(qtbot, wizard_for, tmp_path, monkeypatch):
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    path = tmp_path / "bad.csv"
    path.write_text("Card #,Last Name,First Name,Class\n7000001,SMITH,ANN,JW\n7000002,JONES,,JW\n"
                    "X-1,BROWN,BOB,JW\n")
    wizard = wizard_for()
    open_file(qtbot, wizard, "members", path)
    dry_run(qtbot, wizard)
    assert counts(wizard) == {"created": "1", "updated": "0", "unchanged": "0", "rejected": "2"}
    rows = wizard.dry_run_page.rejections_model.rows
    assert [(r.row, r.field) for r in rows] == [(3, "first_name"), (4, "card_number")]
    assert wizard.dry_run_page.rejections_model.index(0, 1).data() == "First name"
    shoot(wizard, "3_dry_run_rejections")
    wizard.dry_run_page.export_button.click()
    qtbot.waitUntil(lambda: any(tmp_path.glob("Rejected rows of an import – *.xlsx")), timeout=WAIT)
    wizard.next()
    run = wizard.run_page
    assert run.accept_radio.isVisible() and not run.import_button.isEnabled()  # the admin must choose
    run.choose_accept_rejected(False)
    assert not run.import_button.isEnabled()
    shoot(wizard, "4_choice")
    wizard.back()
    result = run_import(qtbot, wizard, accept_rejected=True)
    assert (result.status, result.created, result.rejected) == ("imported", 1, 2)
    assert run.review_button.isVisible()
    run.review_button.click()
    dialog = wizard.runs_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.rejections_model.rowCount() == 2, timeout=WAIT)
    assert dialog.selected().id == result.run_id
    assert dialog.rejections_model.rows[0].reason == "the first name is missing"
    shoot(dialog, "5_review_queue")
    dialog.form.rejectionsExportButton.click()
    qtbot.waitUntil(lambda: any(tmp_path.glob("Rows an import left out – *.xlsx")), timeout=WAIT)


def test_only_an_admin_is_offered_the_import(qtbot, runner, ui_settings, staff_login, database):
    for role, offered in (("dispatcher", False), ("manager", False), ("admin", True)):
        window = MainWindow(runner, staff_login(database, role), ui_settings)
        qtbot.addWidget(window)
        file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
        texts = [a.text() for a in file_menu.actions()]
        assert ("&Import from another system…" in texts) is offered, role
        assert (window.import_action is not None) is offered
    wizard = window.import_records()
    qtbot.waitUntil(lambda: wizard.isVisible(), timeout=WAIT)
    runner.shutdown(wait=True)


def test_the_full_members_sample_imports_through_the_wizard_with_a_dry_run_first(qtbot, wizard_for):
    path = resources_dir() / "sample_exports" / "members.csv"
    wizard = wizard_for()
    open_file(qtbot, wizard, "members", path)
    assert "4,000 rows" in wizard.mapping_page.file_label.text()
    wizard.next()
    assert wizard.mapping_page.progress.isVisible() and not wizard.mapping_page.isComplete()  # busy, no 2nd run
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.PAGE_DRY_RUN, timeout=WAIT)
    assert counts(wizard) == {"created": "4,000", "updated": "0", "unchanged": "0", "rejected": "0"}
    result = run_import(qtbot, wizard)
    assert (result.status, result.created, result.rejected) == ("imported", 4_000, 0)
