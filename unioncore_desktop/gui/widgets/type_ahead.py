"""A line edit with suggestions from the database: the text typed is searched off the GUI thread and the
suggestions shown unfiltered, since the server already ranked them (and forgave misspellings)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

TYPE_AHEAD_DELAY_MS = 150


@dataclass(frozen=True, slots=True)
class Choice:
    """One type-ahead suggestion: the text shown and the id it stands for."""

    id: int
    text: str


ChoiceSearch = Callable[[str, Callable[[list[Choice]], None]], None]
"""Starts a search for the text typed and calls back with the suggestions (the screen runs it off the GUI thread)."""


class TypeAhead(QLineEdit):
    """A line edit whose suggestions come from a worker: `fetch(text)` runs off the GUI thread (through the
    screen's runner) and returns Choices; picking one (or tabbing out when only one fits) sets `chosen`."""

    chosen_changed = Signal(object)  # Choice | None

    def __init__(self, start_query: ChoiceSearch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._start_query = start_query
        self._choices: list[Choice] = []
        self.chosen: Choice | None = None
        self._model = QStringListModel(self)
        self.completer_ = QCompleter(self._model, self)
        # The server already ranked (and forgave misspellings); the popup must not filter again.
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setWidget(self)
        self.completer_.activated.connect(self._on_completer_activated)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPE_AHEAD_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.textEdited.connect(self._on_text_edited)
        self.editingFinished.connect(self._on_editing_finished)

    def set_chosen(self, choice: Choice | None) -> None:
        self.chosen = choice
        self.blockSignals(True)
        self.setText(choice.text if choice else "")
        self.blockSignals(False)
        self.chosen_changed.emit(choice)

    def _on_text_edited(self, _text: str) -> None:
        if self.chosen is not None:
            self.chosen = None
            self.chosen_changed.emit(None)
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        text = self.text().strip()
        if text:
            self._start_query(text, self._on_results)

    def _on_results(self, choices: list[Choice]) -> None:
        self._choices = choices
        self._model.setStringList([c.text for c in choices])
        if self.chosen is None and self.hasFocus() and choices:
            self.completer_.complete()
        elif not self.hasFocus():
            self._take_obvious()

    def _on_completer_activated(self, text: str) -> None:
        choice = next((c for c in self._choices if c.text == text), None)
        if choice is not None:
            self.set_chosen(choice)

    def _on_editing_finished(self) -> None:
        self._take_obvious()

    def _take_obvious(self) -> None:
        """Tabbing out of the field with one suggestion, or with the exact name of the first, picks it."""
        if self.chosen is not None or not self.text().strip():
            return
        text = self.text().strip().casefold()
        if len(self._choices) == 1 or (self._choices and self._choices[0].text.casefold().startswith(text)
                                       and len(text) >= 3):
            self.set_chosen(self._choices[0])
