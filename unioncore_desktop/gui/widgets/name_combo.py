"""A pick list chosen by typing a name: what is typed (spaces included) selects the first item that starts with it,
else the one item containing it. Typing never opens the popup, so no key typed after a space is swallowed by it;
the list opens only on Alt+Down, F4 or a click, as a combo box's does."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QWidget


def find_typed(texts: list[str], typed: str) -> int | None:
    """The index of the first text starting with `typed` (case and repeated spaces ignored), else of the only
    text containing it; None when neither."""
    wanted = " ".join(typed.casefold().split()) + (" " if typed.endswith(" ") and typed.strip() else "")
    if not wanted.strip():
        return None
    folded = [" ".join(t.casefold().split()) for t in texts]
    starts = [i for i, t in enumerate(folded) if (t + " ").startswith(wanted)]
    if starts:
        return starts[0]
    inside = [i for i, t in enumerate(folded) if wanted.strip() in t]
    return inside[0] if len(inside) == 1 else None


class NameCombo(QComboBox):
    """A non-editable combo box whose keyboard search reads whole names (see the module)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.typed = ""
        self._since = QElapsedTimer()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        text = event.text()
        plain = not (event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier))
        if plain and event.key() == Qt.Key.Key_Backspace and self.typed:
            self._search(self.typed[:-1])
            event.accept()
        elif plain and text and text.isprintable():
            fresh = not self._since.isValid() or self._since.elapsed() > QApplication.keyboardInputInterval() * 2
            self._search(("" if fresh else self.typed) + text)
            event.accept()
        else:
            super().keyPressEvent(event)

    def _search(self, typed: str) -> None:
        self.typed = typed
        self._since.start()
        index = find_typed([self.itemText(i) for i in range(self.count())], typed)
        if index is not None:
            self.setCurrentIndex(index)
