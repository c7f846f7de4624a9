"""Help → Keyboard shortcuts: every key the main window and its areas bind, read from the live widgets (menu
actions, screen actions, QShortcuts, buttons), so the list cannot drift from what the keys do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.gui.widgets.simple_table import simple_table

NATIVE = QKeySequence.SequenceFormat.NativeText


def _keys(sequence: QKeySequence) -> str:
    return sequence.toString(NATIVE)


def _plain(text: str) -> str:
    return text.split("\t", 1)[0].replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def bindings(root: QWidget) -> list[tuple[str, str]]:
    """(keys, what) for every key bound under `root`: actions, QShortcuts and buttons with a shortcut."""
    found: list[tuple[str, str]] = []
    for action in root.findChildren(QAction):
        if not action.shortcut().isEmpty() and not isinstance(action.parent(), QMenu):
            found.append((_keys(action.shortcut()), _plain(action.text()) or action.toolTip()))
    for shortcut in root.findChildren(QShortcut):
        if not shortcut.key().isEmpty():
            found.append((_keys(shortcut.key()), shortcut.whatsThis() or _owner_text(shortcut)))
    for button in root.findChildren(QAbstractButton):
        keys = button.shortcut()  # a button's underlined letter is listed once, as Alt + letter
        if not keys.isEmpty() and keys != QKeySequence.mnemonic(button.text()):
            found.append((_keys(keys), _plain(button.text()) or button.toolTip()))
    return sorted(set(found))


def binds(root: QWidget, keys: QKeySequence) -> bool:
    """Whether something under `root` binds `keys` (the main window then leaves them to it)."""
    text = _keys(keys)
    return any(bound == text for bound, _what in bindings(root))


def _owner_text(shortcut: QShortcut) -> str:
    parent = shortcut.parent()
    return parent.objectName() if isinstance(parent, QWidget) else ""


def shortcut_rows(window: QMainWindow, areas: dict[str, tuple[str, QWidget]]) -> list[tuple[str, str, str]]:
    """(keys, what, where): the menus' keys first, then each area's own."""
    rows: list[tuple[str, str, str]] = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if not isinstance(menu, QMenu):
            continue
        for action in menu.actions():
            keys = action.shortcut() if not action.shortcut().isEmpty() else None
            shown = action.text().split("\t", 1)[1] if "\t" in action.text() else (_keys(keys) if keys else "")
            if shown:
                rows.append((shown, _plain(action.text()), _plain(menu_action.text())))
    rows.append(("Enter", "Open the chosen row", "Every list"))
    rows.append(("Alt + underlined letter", "Go to that field or press that button", "Every screen"))
    for title, screen in areas.values():
        rows.extend((keys, what, title) for keys, what in bindings(screen))
    return rows


class ShortcutsDialog(QDialog):
    """The keys, what each does and where; copyable like every list."""

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        screens: dict[str, QWidget] = getattr(window, "screens", {})
        from unioncore_desktop.gui.main_window import AREAS  # the window's own module imports this one

        areas = {key: (self.tr(AREAS[key][0]) if key in AREAS else key, screen) for key, screen in screens.items()}
        self.model = QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("What"), self.tr("Where")])
        for row in shortcut_rows(window, areas):
            self.model.appendRow([QStandardItem(cell) for cell in row])
        self.view = simple_table(self.model)
        self.view.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.view.resizeColumnsToContents()
        note = QLabel(self.tr("Keys that belong to an area work while that area is shown."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(720, 560)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
