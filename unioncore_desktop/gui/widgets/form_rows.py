"""Putting a widget a Designer form cannot make (its constructor needs the task runner) into the row the form
left for it."""

from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget


def put_field(form: QFormLayout, caption: QLabel, field: QWidget) -> None:
    """`field` beside `caption` (a row of the form with the caption only), which becomes its buddy."""
    row, _role = cast(tuple[int, QFormLayout.ItemRole], form.getWidgetPosition(caption))  # the stubs say object
    form.setWidget(row, QFormLayout.ItemRole.FieldRole, field)
    caption.setBuddy(field)
