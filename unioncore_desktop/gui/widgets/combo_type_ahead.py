"""Type-ahead in a closed combo box that means what was typed: the letters pick the first item they begin,
from the top of the list, wherever the current item is. Qt's own search starts after the current item, so "c"
after "Money order" gave "Card" instead of "Cash"; the same letter typed again steps to the next item with it."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox


class TopFirstTypeAhead(QObject):
    """Event filter for one combo; `install(combo)` makes and keeps it."""

    def __init__(self, combo: QComboBox) -> None:
        super().__init__(combo)
        self.combo = combo
        self.typed = ""
        self._last = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is not self.combo or event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        text = event.text()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
        if not text or not text.isprintable() or text.isspace() or modifiers != Qt.KeyboardModifier.NoModifier:
            return super().eventFilter(watched, event)
        now = time.monotonic()
        if (now - self._last) * 1000 > QApplication.keyboardInputInterval():
            self.typed = ""
        self._last = now
        self.choose(text)
        return True

    def choose(self, text: str) -> None:
        typed = (self.typed + text).casefold()
        index = self._first(typed)
        if index < 0 and typed.strip(typed[0]) == "":  # the same letter again: the next item with it
            index = self._next(typed[0])
        if index < 0:  # a new word: start over with this letter
            typed = text.casefold()
            index = self._first(typed)
        self.typed = typed
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def _texts(self) -> list[str]:
        return [self.combo.itemText(i).casefold() for i in range(self.combo.count())]

    def _first(self, prefix: str) -> int:
        return next((i for i, item in enumerate(self._texts()) if item.startswith(prefix)), -1)

    def _next(self, letter: str) -> int:
        texts = self._texts()
        current = self.combo.currentIndex()
        order = list(range(current + 1, len(texts))) + list(range(0, current + 1))
        return next((i for i in order if texts[i].startswith(letter)), -1)


def install(combo: QComboBox) -> TopFirstTypeAhead:
    helper = TopFirstTypeAhead(combo)
    combo.installEventFilter(helper)
    return helper
