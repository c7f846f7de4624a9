"""The remittance wizard given a list or check the database cannot hold: the clerk reads one sentence saying
why, the wizard stays on its page, and nothing is written."""

from __future__ import annotations

from sqlalchemy import text

from tests.gui import test_remittance_wizard as base
from tests.gui.test_remittance_wizard import LIST_ROWS, WAIT, RemittanceWizard, fill_source, write_list

# the wizard over the same test hall as the wizard's own tests
hall_db, clerk_hall, wizard = base.hall_db, base.clerk_hall, base.wizard

HEADER = ["Member #", "Employee Name", "Dues Withheld"]


def nothing_written(hall_db) -> bool:
    name, databases = hall_db
    with databases.engine(name).connect() as conn:
        return conn.execute(text("SELECT (SELECT count(*) FROM remittances) + "
                                 "(SELECT count(*) FROM remittance_lines)")).scalar_one() == 0


def import_refused(qtbot, wizard, message_recorder) -> str:
    wizard.next()
    assert wizard.currentId() == RemittanceWizard.PAGE_MAPPING
    wizard.next()
    qtbot.waitUntil(lambda: "warning" in message_recorder.kinds(), timeout=WAIT)
    qtbot.waitUntil(lambda: wizard.mapping_page.isComplete(), timeout=WAIT)
    assert wizard.currentId() == RemittanceWizard.PAGE_MAPPING
    warning = next(m for m in message_recorder.messages if m.kind == "warning")
    assert warning.title == "Not imported" and wizard.mapping_page.status_label.text() == warning.text
    return warning.text


def test_an_amount_too_large_for_a_line_is_named_by_its_row(qtbot, wizard, tmp_path, hall_db, message_recorder):
    rows = [*LIST_ROWS[:2], ["7100014", "Jones, Bob", 123456789012]]
    fill_source(qtbot, wizard, write_list(tmp_path / "acme.xlsx", HEADER, rows), amount="150.00")
    wizard.next()
    assert "1 line(s) have cells that cannot be read" in wizard.mapping_page.status_label.text()
    wizard.back()
    assert import_refused(qtbot, wizard, message_recorder) == (
        "Row 5: the amount 123456789012 is larger than a remittance line can hold (at most 99,999,999.99 either way).")
    assert nothing_written(hall_db)


def test_a_check_amount_too_large_for_the_column_is_refused(qtbot, wizard, tmp_path, hall_db, message_recorder):
    fill_source(qtbot, wizard, write_list(tmp_path / "acme.xlsx", HEADER, LIST_ROWS), amount="1" * 30)
    assert import_refused(qtbot, wizard, message_recorder) == (
        "The check amount is larger than a remittance can hold (at most 9,999,999,999.99).")
    assert nothing_written(hall_db)
