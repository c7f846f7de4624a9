"""Reading the request form's typed text into values: each reader returns the value and, when the text could not
be read (not an amount, not a time, no pick from the suggestions), the form's own message for it. Whether the
values make a valid request is the domain's question (domain/rules/requests.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox

from unioncore_desktop.domain.rules.requests import normalize_start_time
from unioncore_desktop.gui.widgets.type_ahead import TypeAhead

def _tr(text: str) -> str:
    return QCoreApplication.translate("RequestForm", text)


def read_pick(edit: TypeAhead, unread: str) -> tuple[int | None, str | None]:
    """The id of the suggestion picked; text typed but nothing picked is `unread`."""
    if edit.chosen is not None:
        return edit.chosen.id, None
    return None, (unread if edit.text().strip() else None)


def read_worksite(combo: QComboBox) -> tuple[int | None, str | None]:
    worksite_id = typed_worksite(combo)
    if worksite_id is False:
        return None, _tr("Pick one of this employer's worksites, or leave it blank.")
    return worksite_id or None, None


def typed_worksite(combo: QComboBox) -> int | bool | None:
    """The chosen worksite id, None for none, False when the typed text matches no worksite."""
    text = combo.currentText().strip()
    index = combo.findText(text, Qt.MatchFlag.MatchFixedString)
    if index >= 0:
        return combo.itemData(index)
    if not text:
        return None
    # Typed part of a name and moved on: the one worksite it fits is the one meant.
    fits = [i for i in range(1, combo.count()) if text.casefold() in combo.itemText(i).casefold()]
    return combo.itemData(fits[0]) if len(fits) == 1 else False


def read_start_time(text: str) -> tuple[str | None, str | None]:
    try:
        return normalize_start_time(text)[0], None
    except ValueError as exc:
        return None, str(exc)


def read_wage(text: str) -> tuple[Decimal | None, str | None]:
    text = text.strip()
    if not text:
        return None, None
    try:
        return Decimal(text.lstrip("$").replace(",", "")), None
    except InvalidOperation:
        return None, _tr("Give the wage as an amount, e.g. 58.25.")


def split_list(text: str) -> tuple[str, ...]:
    """A comma-separated list, blanks dropped."""
    return tuple(p.strip() for p in text.split(",") if p.strip())
