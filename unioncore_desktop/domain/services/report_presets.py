"""Saving, renaming, deleting and choosing the default of a login's report presets.

The database keeps each login to its own presets (row-level security): a preset of someone else's is not found
here, exactly as if it did not exist. The parameters are the Reports screen's to shape (gui/reports/presets.py);
the domain keeps them as given, a JSON object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import text

from unioncore_desktop.domain.errors import NotFound, StaleRecord, ValidationError
from unioncore_desktop.domain.models import ReportPreset
from unioncore_desktop.domain.queries.report_presets import PresetRow, preset, preset_names
from unioncore_desktop.domain.rules.report_presets import preset_name_errors
from unioncore_desktop.domain.uow import UnitOfWork

GONE = "That preset no longer exists; it may have been deleted on another workstation."
STALE = "The preset was changed on another workstation after you opened it; pick it again and retry."


def _found(uow: UnitOfWork, preset_id: int, expected_version: int | None) -> ReportPreset:
    found = uow.session.get(ReportPreset, preset_id, with_for_update=True)
    if found is None:
        raise NotFound(GONE)
    if expected_version is not None and found.version != expected_version:
        raise StaleRecord(STALE)
    return found


def _saved(uow: UnitOfWork, preset_id: int) -> PresetRow:
    uow.flush()
    row = preset(uow.session, preset_id)
    assert row is not None  # written in this transaction, by this login
    return row


def _clear_default(uow: UnitOfWork, report: str, keep: int | None) -> None:
    """Drop the report's other default first: the partial unique index allows one per owner and report."""
    for other in uow.session.query(ReportPreset).filter(
            ReportPreset.report == report, ReportPreset.is_default.is_(True),
            ReportPreset.owner == text("session_user"), ReportPreset.id != (keep or 0)).with_for_update():
        other.is_default = False
    uow.flush()


def save_preset(uow: UnitOfWork, *, report: str, name: str, parameters: Mapping[str, Any],
                is_default: bool = False) -> PresetRow:
    """A new preset of `report` for the logged-in login; `is_default` makes it the one applied when the report
    is chosen (the report's previous default stops being one)."""
    with uow:
        errors = preset_name_errors(name, preset_names(uow.session, report))
        if errors:
            raise ValidationError(errors)
        if is_default:
            _clear_default(uow, report, None)
        row = ReportPreset(report=report, name=name.strip(), parameters=dict(parameters), is_default=is_default)
        uow.session.add(row)
        uow.flush()
        saved = _saved(uow, row.id)
        uow.commit()
        return saved


def rename_preset(uow: UnitOfWork, *, preset_id: int, name: str, expected_version: int | None = None) -> PresetRow:
    with uow:
        found = _found(uow, preset_id, expected_version)
        errors = preset_name_errors(name, preset_names(uow.session, found.report), keeping=found.name)
        if errors:
            raise ValidationError(errors)
        found.name = name.strip()
        saved = _saved(uow, preset_id)
        uow.commit()
        return saved


def update_parameters(uow: UnitOfWork, *, preset_id: int, parameters: Mapping[str, Any],
                      expected_version: int | None = None) -> PresetRow:
    """Keep the form's current parameters under the preset's name."""
    with uow:
        found = _found(uow, preset_id, expected_version)
        found.parameters = dict(parameters)
        saved = _saved(uow, preset_id)
        uow.commit()
        return saved


def set_default(uow: UnitOfWork, *, preset_id: int, is_default: bool = True,
                expected_version: int | None = None) -> PresetRow:
    """Make the preset its report's default for this login (True), or no longer (False)."""
    with uow:
        found = _found(uow, preset_id, expected_version)
        if is_default:
            _clear_default(uow, found.report, preset_id)
        found.is_default = is_default
        saved = _saved(uow, preset_id)
        uow.commit()
        return saved


def delete_preset(uow: UnitOfWork, *, preset_id: int, expected_version: int | None = None) -> PresetRow:
    """Delete the preset; returns it as it was."""
    with uow:
        found = _found(uow, preset_id, expected_version)
        gone = preset(uow.session, preset_id)
        assert gone is not None
        uow.session.delete(found)
        uow.flush()
        uow.commit()
        return gone
