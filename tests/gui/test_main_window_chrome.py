"""The main window around the areas: the connection indicator and a stale board, the menus and the title, names
for every input and tooltips for icon buttons, copy on every list, and the window on a dark palette, at 150 % and
with large fonts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QAction, QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QTableView, QTreeView, QWidget

from unioncore_desktop.gui import events, theme
from unioncore_desktop.gui.main_window import AREAS, MainWindow
from unioncore_desktop.gui.widgets import accessible, copy_rows

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def window(qtbot, runner, staff_login, databases, ui_settings) -> Iterator[MainWindow]:
    """A manager who also posts dues and administers logins: every area and every tab there is."""
    hall = staff_login(databases.create(), "manager+dues_clerk+admin", "Morgan Manager")
    main = MainWindow(runner, hall, ui_settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    runner.shutdown(wait=True)


def walk_areas(qtbot, window: MainWindow) -> Iterator[tuple[str, object]]:
    for key in AREAS:
        screen = window.open_area(key)
        qtbot.wait(50)
        yield key, screen


class TestAreasBuiltWhenShown:
    def test_only_the_area_opened_on_is_built_until_another_is_shown(self, qtbot, runner, staff_login, databases,
                                                                      ui_settings) -> None:
        hall = staff_login(databases.create(), "dispatcher", "Dana Dispatcher")
        main = MainWindow(runner, hall, ui_settings, "books")
        qtbot.addWidget(main)
        screens = main.screens
        assert [key for key in AREAS if screens.is_built(key)] == ["books"]
        assert main.stack.currentWidget() is screens["books"] and main.nav.currentRow() == list(AREAS).index("books")
        assert main.confirm_discard_all() and not screens.is_built("members")
        dues = main.open_area("dues")
        assert main.stack.currentWidget() is dues and main.stack.indexOf(dues) == list(AREAS).index("dues")
        assert [key for key in AREAS if screens.is_built(key)] == ["books", "dues"]
        runner.shutdown(wait=True)


def test_the_app_module_leaves_reports_and_alembic_for_later_and_loads_every_pyside6_module() -> None:
    """What no start needs before a report or an upgrade; and every PySide6 module the app uses loads with the app
    module, on the GUI thread before any worker starts (a worker importing while it loads one can deadlock)."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "unioncore_desktop"
    used = sorted({name for path in package.rglob("*.py")
                   for name in re.findall(r"\bPySide6\.Qt\w+", path.read_text(encoding="utf-8"))})
    assert "PySide6.QtPdf" in used
    code = ("import sys, unioncore_desktop.gui.app; loaded = set(sys.modules); "
            "import unioncore_desktop.gui.main_window, unioncore_desktop.gui.books.screen, "
            "unioncore_desktop.gui.members.screen, unioncore_desktop.demo; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'reportlab', 'openpyxl', 'alembic'}), "
            f"sorted(set({used!r}) - loaded))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[]", "[]"], done.stdout + done.stderr


@pytest.mark.parametrize("area", ["books", "members"])
def test_a_start_on_the_books_or_members_leaves_out_the_orm_models_services_and_seed_generators(area: str) -> None:
    """What a start imports before its list paints (`--demo --open books`, bench/cold_start.py; members is where a
    start opens by default): the reads, not the ORM models, services and seed generators that only writes and a
    first demo start need."""
    import subprocess
    import sys

    code = ("import sys, unioncore_desktop.gui.app, unioncore_desktop.gui.main_window, "
            f"unioncore_desktop.gui.{area}.screen, unioncore_desktop.demo, unioncore_desktop.db.connection; "
            "print(sorted(m for m in sys.modules if m.startswith(('unioncore_desktop.domain.models', "
            "'unioncore_desktop.domain.services', 'unioncore_desktop.seed.generate'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[]"], done.stdout + done.stderr


class TestConnection:
    def test_the_indicator_is_always_there_and_turns_at_once(self, window: MainWindow) -> None:
        label = window.connection_label
        assert label.isVisible() and "Connected" in label.text()
        events.hub().connection_state_changed.emit(False)  # the listener lost the server
        assert "unreachable" in label.text() and not window.connected
        events.hub().connection_state_changed.emit(True)
        assert "Connected" in label.text() and window.connected

    def test_the_runner_losing_the_server_turns_the_indicator(self, window: MainWindow) -> None:
        window.runner.connection_lost.emit("no route to host")
        assert "unreachable" in window.connection_label.text() and window.banner.isVisibleTo(window)

    def test_the_board_marks_itself_stale_at_once(self, window: MainWindow) -> None:
        board = window.screens["referral"].board  # type: ignore[attr-defined]
        assert not board.stale
        events.hub().connection_state_changed.emit(False)
        assert board.stale and "NOT UP TO DATE" in board.headerItem().text(0)
        events.hub().connection_state_changed.emit(True)
        assert not board.stale and "NOT UP TO DATE" not in board.headerItem().text(0)


class TestMenusAndTitle:
    def test_edit_view_and_help_menus_and_a_title_with_area_and_user(self, qtbot, window: MainWindow) -> None:
        menus = [action.text() for action in window.menuBar().actions()]
        assert menus[:3] == ["&File", "&Edit", "&View"] and "&Help" in menus
        user = window.hall.facts.user
        window.open_area("books")
        assert window.windowTitle().startswith(f"Books — Morgan Manager ({user})")
        window.open_area("dues")
        assert window.windowTitle().startswith("Dues — Morgan Manager")

    def test_keyboard_shortcuts_lists_the_menus_and_the_areas_keys(self, qtbot, window: MainWindow) -> None:
        dialog = window.show_shortcuts()
        qtbot.addWidget(dialog)
        rows = [[dialog.model.item(r, c).text() for c in range(3)] for r in range(dialog.model.rowCount())]
        assert ["Ctrl+1", "Members", "Go"] in rows
        assert any(keys == "Ctrl+C" for keys, _what, _where in rows)
        assert any(where == "Dues" for _keys, _what, where in rows)

    def test_find_and_refresh_leave_a_screens_own_key_to_it(self, window: MainWindow) -> None:
        window.open_area("members")
        assert window.find_action.shortcut().toString() == "Ctrl+F"
        window.open_area("books")  # one Ctrl+F for every area: the books screen finds through its own focus_search
        assert window.find_action.shortcut().toString() == "Ctrl+F"
        window.open_area("referral")  # the referral screen binds F5 itself: two bindings would fire neither
        assert window.refresh_action.shortcut().isEmpty()


class TestAccessibility:
    def test_every_input_is_named_and_every_icon_button_has_a_tooltip(self, qtbot, window: MainWindow) -> None:
        unnamed: list[str] = []
        untipped: list[str] = []
        for key, screen in walk_areas(qtbot, window):
            tabs = screen.findChildren(__import__("PySide6.QtWidgets").QtWidgets.QTabWidget)
            for tab_widget in tabs:  # every tab, not only the first
                for i in range(tab_widget.count()):
                    tab_widget.setCurrentIndex(i)
            unnamed += [f"{key}: {type(w).__name__} {w.objectName()!r}" for w in accessible.inputs(screen)
                        if not w.accessibleName()]
            untipped += [f"{key}: {b.objectName()!r}" for b in accessible.icon_only_buttons(screen)
                         if not b.toolTip()]
        assert not unnamed, "\n".join(unnamed)
        assert not untipped, untipped

    def test_every_table_copies_its_rows(self, qtbot, window: MainWindow) -> None:
        missing = [f"{key}: {view.objectName() or type(view).__name__}"
                   for key, screen in walk_areas(qtbot, window)
                   for view in screen.findChildren(QTableView) + screen.findChildren(QTreeView)
                   if view.findChild(QAction, copy_rows.COPY_ACTION) is None]
        assert not missing, missing


def contrast(first: QColor, second: QColor) -> float:
    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.WindowText, "#e6e6e6"),
                         (QPalette.ColorRole.Base, "#1f1f1f"), (QPalette.ColorRole.AlternateBase, "#2a2a2a"),
                         (QPalette.ColorRole.Text, "#e6e6e6"), (QPalette.ColorRole.Button, "#353535"),
                         (QPalette.ColorRole.ButtonText, "#e6e6e6"), (QPalette.ColorRole.Highlight, "#2f65ca"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"),
                         (QPalette.ColorRole.PlaceholderText, "#9a9a9a")):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.fixture
def dark() -> Iterator[QPalette]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    app.setPalette(dark_palette())
    yield app.palette()
    app.setPalette(before)


class TestDarkPalette:
    def test_tier_shading_and_next_eligible_stay_legible(self, dark: QPalette) -> None:
        from unioncore_desktop.gui.itemmodels.books import OVERDUE_COLOR, TIER_SHADES

        text = dark.color(QPalette.ColorRole.Text)
        for shade in TIER_SHADES.values():
            if shade is not None:
                assert contrast(theme.tint(shade), text) >= 4.5, shade.name()
        assert contrast(theme.tint("#FFF4C2"), text) >= 4.5  # the NEXT ELIGIBLE row
        base = dark.color(QPalette.ColorRole.Base)
        assert contrast(theme.text(OVERDUE_COLOR), base) >= 4.5
        assert contrast(theme.text("#94a3b8"), base) >= 3  # muted, still readable

    def test_light_palette_colours_are_left_as_chosen(self) -> None:
        if theme.is_dark():
            pytest.skip("the test machine's palette is dark")
        assert theme.tint("#eef2ff") == QColor("#eef2ff") and theme.css("#b45309") == "#b45309"

    def test_the_style_sheet_turns_with_the_palette(self, dark: QPalette) -> None:
        sheet = "QHeaderView::section { background: #f1f5f9; color: #334155; }"
        turned = theme.style_sheet(sheet, dark)
        background = QColor(turned.split("background: ")[1][:7])
        colour = QColor(turned.split("color: ")[1][:7])
        assert contrast(background, colour) >= 4.5 and background.lightness() < 128


def mnemonic(text: str) -> str | None:
    """The letter Alt+ reaches in a text ("Re-re&gister…" -> "g"); "&&" is a plain ampersand."""
    at = 0
    while (at := text.find("&", at)) >= 0 and at + 1 < len(text):
        if text[at + 1] != "&":
            return text[at + 1].lower()
        at += 2
    return None


def visible_mnemonics(window: MainWindow) -> dict[str, list[str]]:
    """Each Alt+letter bound among what is on screen together: the menu bar's titles, and the buttons, labels
    with buddies, group boxes and tab titles visible in the window."""
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QTabBar

    bound: dict[str, list[str]] = {}

    def add(text: str, where: str) -> None:
        letter = mnemonic(text)
        if letter:
            bound.setdefault(letter, []).append(f"{where} {text!r}")

    for action in window.menuBar().actions():
        add(action.text(), "menu")
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QAbstractButton):
            add(widget.text(), type(widget).__name__)
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            add(widget.text(), "label")
        elif isinstance(widget, QGroupBox):
            add(widget.title(), "group box")
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                add(widget.tabText(index), "tab")
    return bound


@pytest.fixture
def every_role(qtbot, runner, staff_login, databases, ui_settings) -> Iterator[MainWindow]:
    """A login in all four groups, so every button any group gets is on screen; opened on Books, so the first-run
    checklist of the empty hall stays where it is."""
    hall = staff_login(databases.create(), "dispatcher+manager+dues_clerk+admin", "Avery Everything")
    main = MainWindow(runner, hall, ui_settings, "books")
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    qtbot.wait(200)
    yield main
    runner.shutdown(wait=True)


class TestMnemonics:
    def test_no_alt_letter_is_bound_twice_on_any_screen(self, qtbot, every_role: MainWindow) -> None:
        """Two widgets on screen with one Alt+letter (the menu bar's titles among them) make Qt give the key to
        each in turn instead of acting; every area, every tab of it, and a member's record, get each letter once."""
        from PySide6.QtWidgets import QTabWidget

        window = every_role
        clashes: list[str] = []

        def check(where: str) -> None:
            for letter, owners in visible_mnemonics(window).items():
                if len(owners) > 1:
                    clashes.append(f"{where}: Alt+{letter.upper()} for {', '.join(owners)}")

        for key, screen in walk_areas(qtbot, window):
            if key == "members":
                screen.new_button.click()  # type: ignore[attr-defined]  # the record's form and its tabs
            check(key)
            for tabs in screen.findChildren(QTabWidget):
                if not tabs.isVisibleTo(window):
                    continue
                shown = tabs.currentIndex()
                for index in range(tabs.count()):
                    tabs.setCurrentIndex(index)
                    qtbot.wait(10)
                    check(f"{key}, tab {tabs.tabText(index)!r}")
                tabs.setCurrentIndex(shown)
        assert not clashes, "\n".join(dict.fromkeys(clashes))

    def test_no_menu_binds_a_letter_twice(self, window: MainWindow) -> None:
        clashes = []
        for title in window.menuBar().actions():
            menu = title.menu()
            letters = [mnemonic(action.text()) for action in menu.actions() if not action.isSeparator()]
            doubled = {letter for letter in letters if letter and letters.count(letter) > 1}
            if doubled:
                clashes.append(f"{title.text()}: {sorted(doubled)}")
        assert not clashes


class TestScreenFit:
    def test_every_area_fits_a_small_screen(self, qtbot, window: MainWindow) -> None:
        """1,360 x 820 on a laptop at 150 % (or the offscreen 800 x 600): the window shrinks onto the screen
        and every area scrolls inside it instead of pushing the window past the screen."""
        from unioncore_desktop.gui.main_window import fit_to_screen

        free = QGuiApplication.primaryScreen().availableGeometry()
        too_wide: list[str] = []
        for key, _screen in walk_areas(qtbot, window):
            window.resize(free.width() + 400, free.height() + 300)
            fit_to_screen(window)
            qtbot.wait(20)
            hint = window.minimumSizeHint()
            if window.frameGeometry().width() > free.width() or window.height() > free.height() \
                    or hint.width() > free.width() or hint.height() > free.height():
                too_wide.append(f"{key}: window {window.size().toTuple()}, needs {hint.toTuple()}")
        assert not too_wide, "\n".join(too_wide)

    def test_large_fonts_keep_the_deposit_total_whole(self, qtbot, window: MainWindow) -> None:
        from PySide6.QtWidgets import QLabel

        app = QApplication.instance()
        assert isinstance(app, QApplication)
        before = app.font()
        big = QFont(before)
        big.setPointSizeF(before.pointSizeF() * 1.6)
        app.setFont(big)
        try:
            dues = window.open_area("dues")
            window.resize(QGuiApplication.primaryScreen().availableGeometry().size())
            qtbot.wait(100)
            caption = next(label for label in dues.findChildren(QLabel) if label.text() == "Deposit &total")
            assert caption.width() >= caption.sizeHint().width(), (caption.width(), caption.sizeHint().width())
            total = dues.posting.deposit_total  # type: ignore[attr-defined]
            assert total.width() >= total.fontMetrics().horizontalAdvance("000,000.00")
            nav = window.nav
            widest = max(nav.fontMetrics().horizontalAdvance(nav.item(i).text()) for i in range(nav.count()))
            assert nav.width() >= widest + nav.iconSize().width()  # "Morning referral" whole
        finally:
            app.setFont(before)


    def test_large_fonts_show_every_label_of_the_request_form_and_dues_whole(self, qtbot,
                                                                            window: MainWindow) -> None:
        """At 1.6 times the font, on the screen the window fits, no caption of the request form or of any dues
        tab is cut, and no field is squeezed below a dozen letters: the form stacks its columns and the areas
        scroll instead."""
        from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLabel, QLineEdit, QTabWidget

        app = QApplication.instance()
        assert isinstance(app, QApplication)
        before = app.font()
        big = QFont(before)
        big.setPointSizeF(before.pointSizeF() * 1.6)
        app.setFont(big)
        cut: list[str] = []

        def check(where: str, parent: QWidget) -> None:
            qtbot.wait(50)
            for label in parent.findChildren(QLabel):
                if label.isVisibleTo(window) and label.text() and not label.wordWrap() \
                        and label.width() < label.sizeHint().width():
                    cut.append(f"{where}: {label.text()!r} {label.width()} < {label.sizeHint().width()}")
            fields = [w for kind in (QLineEdit, QComboBox, QAbstractSpinBox) for w in parent.findChildren(kind)]
            for field in fields:
                if field.isVisibleTo(window) and field.width() < 12 * field.fontMetrics().averageCharWidth() \
                        and not isinstance(field.parentWidget(), (QComboBox, QAbstractSpinBox)):
                    cut.append(f"{where}: field {field.accessibleName()!r} {field.width()} px")

        try:
            window.resize(QGuiApplication.primaryScreen().availableGeometry().size())
            requests = window.open_area("requests")
            check("request form", requests.form)  # type: ignore[attr-defined]
            dues = window.open_area("dues")
            tabs = dues.findChild(QTabWidget)
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                check(f"dues, {tabs.tabText(index)}", tabs.widget(index))
        finally:
            app.setFont(before)
        assert not cut, "\n".join(cut)


def test_a_dialog_is_named_when_focus_first_enters_it(qtbot) -> None:
    """Dialogs open after the main window: their fields take their labels' names as focus arrives."""
    from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QSpinBox

    dialog = QDialog()
    qtbot.addWidget(dialog)
    form = QFormLayout(dialog)
    caption = QLabel("&Card number:")
    card = QLineEdit()
    caption.setBuddy(card)
    form.addRow(caption, card)
    count = QSpinBox()
    form.addRow("Workers", count)
    note = QLineEdit()
    note.setPlaceholderText("Why, in a sentence")
    form.addRow(note)
    accessible.name_window_of(None, card)
    assert (card.accessibleName(), count.accessibleName(), note.accessibleName()) == (
        "Card number", "Workers", "Why, in a sentence")
