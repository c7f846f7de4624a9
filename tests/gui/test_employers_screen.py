"""The employers screen against a real PostgreSQL under a real dispatcher login, driven through real widgets with a
threaded task runner: create, edit, the likely-duplicate prompt, refused saves that keep what was typed, Esc on a
changed form, worksites, contacts and contracts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import text

from unioncore_desktop.gui.employers.dialogs import (
    ContactDialog,
    ContractDialog,
    EmployerDialog,
    RecordDialog,
    WorksiteDialog,
)
from unioncore_desktop.gui.employers.screen import EmployersScreen

WAIT = 10_000


@pytest.fixture
def hall_db(databases):
    name = databases.create()
    with databases.engine(name).begin() as conn:
        conn.execute(text("""
            INSERT INTO employers (name, address_line1, city, state, phone) VALUES
                ('Puget Sound Electric', '1200 Pike St', 'Seattle', 'WA', '(206) 555-0100'),
                ('Cascade Lighting', '77 Pacific Ave', 'Tacoma', 'WA', '(253) 555-0199')"""))
    return name, databases


@pytest.fixture
def screen(qtbot, runner, ui_settings, hall_db, staff_login):
    widget = EmployersScreen(runner, staff_login(hall_db[0], "dispatcher", "Dana Dispatcher"), ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 2, timeout=WAIT)
    return widget


def open_dialog(qtbot, screen: EmployersScreen, button) -> RecordDialog:
    with qtbot.waitSignal(screen.dialog_opened, timeout=WAIT) as opened:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    qtbot.addWidget(dialog)
    return dialog


def select(qtbot, screen: EmployersScreen, name: str) -> None:
    row = next(i for i, r in enumerate(screen.model.rows) if r.name == name)
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        screen.panel.view.selectRow(row)


def type_into(qtbot, dialog: RecordDialog, **values: str) -> None:
    for name, value in values.items():
        editor = dialog.editors[name]
        editor.clear()
        qtbot.keyClicks(editor, value)


def save(qtbot, dialog: RecordDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_create_an_employer(qtbot, screen):
    dialog = open_dialog(qtbot, screen, screen.new_button)
    assert isinstance(dialog, EmployerDialog) and dialog.isVisible()
    type_into(qtbot, dialog, name="Olympic Wiring", city="Olympia", state="wa", phone="(360) 555-0142")
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        save(qtbot, dialog)
    assert not dialog.isVisible()
    assert (screen.current.name, screen.current.state) == ("Olympic Wiring", "WA")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3, timeout=WAIT)
    assert screen.panel.current_row().name == "Olympic Wiring"
    assert [(h.area, h.field, h.changed_by) for h in screen.history.model.rows if h.field == "name"] == [
        ("Employer", "name", "Dana Dispatcher")]


def test_edit_an_employer_and_see_the_change_in_its_history(qtbot, screen):
    select(qtbot, screen, "Cascade Lighting")
    dialog = open_dialog(qtbot, screen, screen.edit_button)
    assert dialog.editors["city"].text() == "Tacoma"
    type_into(qtbot, dialog, email="office@cascade.example")
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        save(qtbot, dialog)  # the identity did not change: no duplicate check, straight to the save
    assert screen.current.email == "office@cascade.example" and screen.current.version == 2
    assert [(h.action, h.field, h.new) for h in screen.history.model.rows if h.action == "update"] == [
        ("update", "email", "office@cascade.example")]


def test_a_likely_duplicate_is_shown_and_the_one_on_file_can_be_opened(qtbot, qtmodeltester, screen, hall_db):
    dialog = open_dialog(qtbot, screen, screen.new_button)
    type_into(qtbot, dialog, name="Puget Sound Electric, Inc.", phone="206 555 0100")
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.duplicates is not None and dialog.duplicates.isVisible(), timeout=WAIT)
    prompt = dialog.duplicates
    assert [(r.name, r.reasons) for r in prompt.model.rows] == [("Puget Sound Electric", "same name, same phone")]
    qtmodeltester.check(prompt.model, force_py=True)
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        qtbot.mouseClick(prompt.open_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and screen.current.name == "Puget Sound Electric"
    name, databases = hall_db
    with databases.engine(name).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM employers")).scalar() == 2  # nothing saved


def test_a_likely_duplicate_can_be_saved_anyway_or_the_form_kept(qtbot, screen):
    dialog = open_dialog(qtbot, screen, screen.new_button)
    type_into(qtbot, dialog, name="Cascade Lighting Co")
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.duplicates is not None, timeout=WAIT)
    qtbot.mouseClick(dialog.duplicates.back_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.editors["name"].text() == "Cascade Lighting Co"
    assert dialog.save_button.isEnabled()
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.duplicates is not None, timeout=WAIT)
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        qtbot.mouseClick(dialog.duplicates.save_button, Qt.MouseButton.LeftButton)
    assert screen.current.name == "Cascade Lighting Co"
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3, timeout=WAIT)


def test_errors_show_beside_the_fields_and_keep_what_was_typed(qtbot, screen):
    dialog = open_dialog(qtbot, screen, screen.new_button)
    type_into(qtbot, dialog, name="", email="not an address", phone="12")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert "required" in dialog.errors.labels["name"].text() and dialog.errors.labels["name"].isVisible()
    assert "not valid" in dialog.errors.labels["email"].text()
    assert dialog.editors["email"].text() == "not an address" and dialog.editors["phone"].text() == "12"


def test_a_stale_save_is_refused_the_form_kept_and_put_on_the_current_version(qtbot, screen, hall_db):
    select(qtbot, screen, "Cascade Lighting")
    dialog = open_dialog(qtbot, screen, screen.edit_button)
    name, databases = hall_db
    with databases.engine(name).begin() as conn:  # another workstation saves first
        conn.execute(text("UPDATE employers SET notes = 'pays late', version = version + 1 "
                          "WHERE name = 'Cascade Lighting'"))
    type_into(qtbot, dialog, email="office@cascade.example")
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=WAIT)
    assert "after you opened it (changed: notes)" in dialog.message.text() and "pays late" in dialog.message.text()
    assert dialog.isVisible() and dialog.editors["email"].text() == "office@cascade.example"
    assert dialog.editors["notes"].toPlainText() == "pays late"  # what the other workstation saved is shown
    assert dialog.save_button.isEnabled() and dialog.is_dirty()
    # the form now stands on the current version: saving again keeps both changes
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        save(qtbot, dialog)
    assert (screen.current.notes, screen.current.email, screen.current.version) == (
        "pays late", "office@cascade.example", 3)


def test_esc_on_a_changed_form_asks_before_discarding(qtbot, screen, message_recorder):
    dialog = open_dialog(qtbot, screen, screen.new_button)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed: closes without asking
    assert not dialog.isVisible() and message_recorder.kinds() == []
    dialog = open_dialog(qtbot, screen, screen.new_button)
    type_into(qtbot, dialog, name="Half Typed Electric")
    message_recorder.answer = False
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert message_recorder.kinds() == ["question"] and "Discard" in message_recorder.messages[0].text
    assert dialog.isVisible() and dialog.editors["name"].text() == "Half Typed Electric"
    message_recorder.answer = True
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert not dialog.isVisible()


def test_worksites_contacts_and_contracts(qtbot, screen):
    select(qtbot, screen, "Puget Sound Electric")
    employer_id = screen.current.id

    screen.tabs.setCurrentWidget(screen.worksites)
    dialog = open_dialog(qtbot, screen, screen.worksites.add_button)
    assert isinstance(dialog, WorksiteDialog) and dialog.editors["active"].isChecked()
    type_into(qtbot, dialog, name="Boeing Field hangar", region="South", report_to="Gate 3, ask for Sam")
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        save(qtbot, dialog)
    assert [(w.name, w.report_to) for w in screen.worksites.model.rows] == [("Boeing Field hangar",
                                                                            "Gate 3, ask for Sam")]

    screen.tabs.setCurrentWidget(screen.contacts)
    dialog = open_dialog(qtbot, screen, screen.contacts.add_button)
    assert isinstance(dialog, ContactDialog)
    type_into(qtbot, dialog, name="Sam Lee", title="Superintendent")
    dialog.editors["is_primary"].setChecked(True)
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        save(qtbot, dialog)
    dialog = open_dialog(qtbot, screen, screen.contacts.add_button)
    type_into(qtbot, dialog, name="Ann Fox")
    dialog.editors["is_primary"].setChecked(True)
    save(qtbot, dialog)  # refused at the form, by the domain's rule: Sam Lee is primary
    assert dialog.isVisible() and "Sam Lee is the primary contact" in dialog.errors.labels["is_primary"].text()
    dialog.editors["is_primary"].setChecked(False)
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        save(qtbot, dialog)
    assert [(c.name, c.is_primary) for c in screen.contacts.model.rows] == [("Sam Lee", True), ("Ann Fox", False)]
    screen.contacts.view.selectRow(1)
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        qtbot.mouseClick(screen.contacts.remove_button, Qt.MouseButton.LeftButton)
    assert [c.name for c in screen.contacts.model.rows] == ["Sam Lee"]

    screen.tabs.setCurrentWidget(screen.contracts)
    qtbot.waitUntil(lambda: bool(screen.codes), timeout=WAIT)
    dialog = open_dialog(qtbot, screen, screen.contracts.add_button)
    assert isinstance(dialog, ContractDialog)
    combo = dialog.editors["contract_code"]
    combo.setCurrentIndex(combo.findData("WIREPERSON"))
    type_into(qtbot, dialog, effective_on="2020-01-01", expires_on="2022-12-31")
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        save(qtbot, dialog)
    dialog = open_dialog(qtbot, screen, screen.contracts.add_button)
    combo = dialog.editors["contract_code"]
    combo.setCurrentIndex(combo.findData("WIREPERSON"))
    type_into(qtbot, dialog, effective_on="2022-06-01")
    save(qtbot, dialog)
    assert dialog.isVisible() and "cannot overlap" in dialog.errors.labels["effective_on"].text()
    type_into(qtbot, dialog, effective_on="2023-01-01")
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        save(qtbot, dialog)
    assert len(screen.contracts.model.rows) == 2 and screen.current.id == employer_id
    qtbot.waitUntil(lambda: screen.model.rows[screen.model.index_for_id(employer_id).row()].contract_codes
                    == "WIREPERSON", timeout=WAIT)


def test_deactivate_and_reactivate(qtbot, screen):
    select(qtbot, screen, "Cascade Lighting")
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        qtbot.mouseClick(screen.active_button, Qt.MouseButton.LeftButton)
    assert not screen.current.active and "Reactivate" in screen.active_button.text().replace("&", "")
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        qtbot.mouseClick(screen.active_button, Qt.MouseButton.LeftButton)
    assert screen.current.active


def test_a_dues_clerk_reads_employers_but_is_offered_no_change(qtbot, runner, ui_settings, hall_db, staff_login):
    widget = EmployersScreen(runner, staff_login(hall_db[0], "dues_clerk"), ui_settings)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.model.rowCount() == 2, timeout=WAIT)
    select(qtbot, widget, "Cascade Lighting")
    assert not widget.new_button.isEnabled() and not widget.edit_button.isEnabled()
    assert not widget.worksites.add_button.isEnabled()
    assert widget.history.model.rowCount() > 0  # the audit trail is readable by every group


def test_the_list_and_the_records_grids_export_to_excel(qtbot, runner, screen, tmp_path, monkeypatch):
    import openpyxl

    from unioncore_desktop.gui import reporting

    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    select(qtbot, screen, "Puget Sound Electric")
    qtbot.mouseClick(screen.panel.export_button, Qt.MouseButton.LeftButton)
    screen.tabs.setCurrentWidget(screen.history)
    qtbot.mouseClick(screen.history.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not runner.busy, timeout=20_000)
    names = sorted(path.name.split(" – ")[0] for path in tmp_path.glob("*.xlsx"))  # title – parameter – day
    assert names == ["Employer change history", "Employers"]
    sheet = openpyxl.load_workbook(next(tmp_path.glob("Employers – *.xlsx"))).worksheets[0]
    assert [c.value for c in sheet[1]][:2] == ["Employer", "Current contracts"] and sheet.max_row == 3
    history = openpyxl.load_workbook(next(tmp_path.glob("Employer change history – *.xlsx"))).worksheets[0]
    assert "Puget Sound Electric" in [c.value for c in history["G"]]  # the name as it was inserted


def test_the_employers_models_pass_the_model_tester(qtbot, qtmodeltester, screen):
    select(qtbot, screen, "Puget Sound Electric")
    for model in (screen.model, screen.worksites.model, screen.contacts.model, screen.contracts.model,
                  screen.history.model):
        qtmodeltester.check(model, force_py=True)
