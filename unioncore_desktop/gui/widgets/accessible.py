"""Accessible names for every input, so a screen reader (and a test) can tell the fields apart.

A field's name is the text of the label that is its buddy (the label a Designer form or a form row already puts
beside it); a field with no such label falls back on its form-layout label, its placeholder, then its tooltip.
`name_inputs(window)` runs over a whole window; `name_window_of` does it for every window focus first enters."""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

INPUT_TYPES = (QLineEdit, QAbstractSpinBox, QComboBox, QTextEdit, QPlainTextEdit, QAbstractItemView)
# parts of a compound widget (a combo's line edit, a spin box's editor, a tab bar's scroll buttons) are named by
# the widget they belong to
_COMPOUND = (QComboBox, QAbstractSpinBox, QLineEdit, QTabBar)
_TAGS = re.compile(r"<[^>]+>")


def label_text(text: str) -> str:
    """A caption as a name: no mnemonic ampersand, markup or trailing colon."""
    plain = _TAGS.sub("", text).replace("&&", "\0").replace("&", "").replace("\0", "&")
    return plain.strip().rstrip(":").strip()


def inputs(root: QWidget) -> list[QWidget]:
    """The fields and lists under `root` a user types into or moves through (not the parts of compound ones)."""
    return [widget for widget in root.findChildren(QWidget)
            if isinstance(widget, INPUT_TYPES) and not isinstance(widget, QHeaderView)
            and widget.window() is root.window()  # a popup's list speaks for the field it belongs to
            and not isinstance(widget.parentWidget(), _COMPOUND)]


def icon_only_buttons(root: QWidget) -> list[QAbstractButton]:
    """Buttons that show an icon and no text (their tooltip is all a sighted user gets to read)."""
    return [button for button in root.findChildren(QAbstractButton)
            if not button.text().strip() and not button.icon().isNull()
            and not isinstance(button.parentWidget(), _COMPOUND)
            and not button.objectName().startswith("qt_")]


def name_inputs(root: QWidget) -> int:
    """Give every unnamed input under `root` a name from its label; returns how many were named."""
    named = 0
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None and not buddy.accessibleName() and label_text(label.text()):
            buddy.setAccessibleName(label_text(label.text()))
            named += 1
    for widget in inputs(root):
        if widget.accessibleName():
            continue
        name = (_form_label(widget) or _caption_before(widget) or _placeholder(widget)
                or label_text(widget.toolTip()) or _container_title(widget))
        if name:
            widget.setAccessibleName(name)
            named += 1
    for button in icon_only_buttons(root):
        if not button.toolTip() and button.accessibleName():
            button.setToolTip(button.accessibleName())
        if not button.accessibleName() and button.toolTip():
            button.setAccessibleName(label_text(button.toolTip()))
    return named


def _form_label(widget: QWidget) -> str:
    parent = widget.parentWidget()
    layout = parent.layout() if parent is not None else None
    forms = [layout] if isinstance(layout, QFormLayout) else []
    forms += [child for child in (parent.findChildren(QFormLayout) if parent is not None else [])
              if child not in forms]
    for form in forms:
        label = form.labelForField(widget)
        if isinstance(label, QLabel) and label_text(label.text()):
            return label_text(label.text())
    return ""


def _caption_before(widget: QWidget) -> str:
    """A label with no buddy just before the field in its row ("Referral of [date]") is its caption."""
    parent = widget.parentWidget()
    layouts = [parent.layout()] if parent is not None and parent.layout() is not None else []
    layouts += parent.findChildren(QBoxLayout) if parent is not None else []
    for layout in layouts:
        if not isinstance(layout, QBoxLayout):
            continue
        at = layout.indexOf(widget)
        if at > 0:
            item = layout.itemAt(at - 1)
            before = item.widget() if item is not None else None
            if isinstance(before, QLabel) and before.buddy() is None:
                return label_text(before.text())
    return ""


def _container_title(widget: QWidget) -> str:
    """The page's tab title or the group box's title, for a list or for the only input in its box."""
    child: QWidget = widget
    ancestor = widget.parentWidget()
    while ancestor is not None and not ancestor.isWindow():
        if isinstance(ancestor, QGroupBox) and label_text(ancestor.title()) and (
                isinstance(widget, QAbstractItemView) or len(inputs(ancestor)) == 1):
            return label_text(ancestor.title())
        tabs = ancestor.parentWidget()
        if isinstance(ancestor, QStackedWidget) and isinstance(tabs, QTabWidget):  # the pages of a tab widget
            index = tabs.indexOf(child)
            if index >= 0 and (isinstance(widget, QAbstractItemView) or len(inputs(child)) == 1):
                return label_text(tabs.tabText(index))
        child, ancestor = ancestor, ancestor.parentWidget()
    return ""


def _placeholder(widget: QWidget) -> str:
    if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit):
        return label_text(widget.placeholderText())
    if isinstance(widget, QComboBox) and widget.isEditable() and widget.lineEdit() is not None:
        edit = widget.lineEdit()
        return label_text(edit.placeholderText()) if edit is not None else ""
    return ""


def name_window_of(_old: QWidget | None, now: QWidget | None) -> None:
    """For `QApplication.focusChanged`: names a window's inputs the first time focus enters it (dialogs
    included); cheaper than filtering every event of the application."""
    window = now.window() if now is not None else None
    if window is not None and not window.property("inputsNamed"):
        window.setProperty("inputsNamed", True)
        name_inputs(window)
