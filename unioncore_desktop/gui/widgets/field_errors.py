"""Messages beside a form's fields and one above it, so every form reports a refusal the same way: the field
it names is highlighted and focused, and what the user typed stays where it was."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from unioncore_desktop.domain.errors import DomainError, ValidationError


def message_label() -> QLabel:
    """The form's own message line, hidden until there is something to say."""
    return _hidden_label("formMessage")


def error_label() -> QLabel:
    return _hidden_label("fieldError")


def as_error(label: QLabel) -> QLabel:
    """A Designer form's label made an error line, hidden until there is something to say."""
    return _hidden_label("fieldError", label)


def as_message(label: QLabel) -> QLabel:
    """A Designer form's label made the form's message line (styled by its objectName, so the form's own name for
    it is kept only as the attribute)."""
    return _hidden_label("formMessage", label)


class FieldErrors:
    """The labels under a form's fields, by field name, and the editors they belong to.

    `editors` may be the form's own name -> editor dict (shared, so editors added later count too);
    `add` makes a field's label and, given one, registers its editor.
    """

    def __init__(self, message: QLabel, editors: dict[str, QWidget] | None = None) -> None:
        self.message = message
        self.labels: dict[str, QLabel] = {}
        self.editors: dict[str, QWidget] = editors if editors is not None else {}

    def add(self, name: str, editor: QWidget | None = None) -> QLabel:
        label = error_label()
        self.labels[name] = label
        if editor is not None:
            self.editors[name] = editor
        return label

    def adopt(self, name: str, label: QLabel, editor: QWidget | None = None) -> QLabel:
        """A label a Designer form placed under a field, made that field's error label."""
        self.labels[name] = _hidden_label("fieldError", label)
        if editor is not None:
            self.editors[name] = editor
        return label

    def show(self, errors: dict[str, str], message: str = "", *, focus: bool = True) -> None:
        """Each message beside its field; those no field shows go to the form's message with `message`."""
        self.clear()
        unplaced = []
        for name, text in errors.items():
            label = self.labels.get(name)
            if label is None:
                unplaced.append(text)
            else:
                label.setText(text)
                label.setVisible(True)
            editor = self.editors.get(name)
            if editor is not None:
                _mark(editor, True)
        first = next((editor for name, editor in self.editors.items() if name in errors), None)
        if focus and first is not None:
            first.setFocus()
        others = "; ".join(text for text in unplaced if text != message)
        self.show_message("\n".join(part for part in (message, others) if part))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def clear(self) -> None:
        self.show_message("")
        for label in self.labels.values():
            label.clear()
            label.setVisible(False)
        for editor in self.editors.values():
            if editor.property("error"):
                _mark(editor, False)

    def show_failure(self, exc: BaseException, parent: QWidget) -> None:
        """A refused command: field errors where the domain names a field, else one message."""
        if isinstance(exc, ValidationError):
            self.show(exc.errors)
        elif isinstance(exc, DomainError):
            if exc.field in self.labels:
                self.show({exc.field: exc.message})
            else:
                self.show({}, exc.message)
        else:
            self.show({}, parent.tr("Not saved: the server could not be reached or something went wrong. "
                                    "What you entered is still here; try again."))


def _hidden_label(name: str, label: QLabel | None = None) -> QLabel:
    label = label if label is not None else QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _mark(editor: QWidget, error: bool) -> None:
    # the style sheet draws a field in error through its "error" property; re-polish to apply it
    editor.setProperty("error", error)
    editor.style().unpolish(editor)
    editor.style().polish(editor)
