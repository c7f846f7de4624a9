"""Report presets (the Reports screen's saved parameters) and the report-run log a manager reads.

A preset change is announced by its id; the run log reloads on any run (domain/changes.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.queries import report_presets as q
from unioncore_desktop.domain.queries import report_runs
from unioncore_desktop.domain.services import report_presets as services


def _changed(row: q.PresetRow) -> Changed:
    return Changed.of("report_preset", preset_ids=[row.id])


def presets(hall: Hall) -> q.PresetList:
    """The logged-in login's presets of every report, and the hall's today."""
    return hall.read(q.my_presets)


def save(hall: Hall, report: str, name: str, parameters: Mapping[str, Any], *,
         is_default: bool = False) -> Done[q.PresetRow]:
    saved = services.save_preset(hall.uow(), report=report, name=name, parameters=parameters, is_default=is_default)
    return done(saved, _changed(saved))


def rename(hall: Hall, preset: q.PresetRow, name: str) -> Done[q.PresetRow]:
    saved = services.rename_preset(hall.uow(), preset_id=preset.id, name=name, expected_version=preset.version)
    return done(saved, _changed(saved))


def replace_parameters(hall: Hall, preset: q.PresetRow, parameters: Mapping[str, Any]) -> Done[q.PresetRow]:
    saved = services.update_parameters(hall.uow(), preset_id=preset.id, parameters=parameters,
                                       expected_version=preset.version)
    return done(saved, _changed(saved))


def set_default(hall: Hall, preset: q.PresetRow, is_default: bool = True) -> Done[q.PresetRow]:
    """The report's default for this login; another preset that was its default stops being one (announced as
    the report's presets: the screen reloads them all)."""
    saved = services.set_default(hall.uow(), preset_id=preset.id, is_default=is_default,
                                 expected_version=preset.version)
    return done(saved, Changed.of("report_preset"))


def delete(hall: Hall, preset: q.PresetRow) -> Done[q.PresetRow]:
    gone = services.delete_preset(hall.uow(), preset_id=preset.id, expected_version=preset.version)
    return done(gone, _changed(gone))


def run_log(hall: Hall, where: report_runs.RunLogFilter) -> report_runs.RunLog:
    """Who ran which report when, newest first: a manager reads everyone's runs, anyone else their own."""
    return hall.read(report_runs.run_log, where)
