"""The main window's areas: key, navigation text and icon, and where each area's widget lives. Light on purpose:
the command line's choices and the start-up read it before anything heavy is imported."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

AREAS = {"members": ("Members", "members"), "employers": ("Employers", "employers"),
         "books": ("Books", "books")}
AREAS["requests"] = ("Requests", "add")
AREAS["referral"] = ("Morning referral", "dispatch")
AREAS["reports"] = ("Reports", "reports")
AREAS["dues"] = ("Dues", "dues")
AREAS["setup"] = ("Hall set-up", "audit")
AREAS["request_history"] = ("Request history", "audit")
# each area's widget, imported and built the first time the area is shown: a start opens one area, and the
# others' modules (reports pull in ReportLab and openpyxl, dues its manager) cost start-up time nobody sees
AREA_CLASSES = {"members": "members.screen.MembersScreen", "employers": "employers.screen.EmployersScreen",
                "books": "books.screen.BooksScreen", "requests": "requests.screen.RequestsScreen",
                "referral": "referral.screen.ReferralScreen", "reports": "reports.screen.ReportsScreen",
                "dues": "dues.screen.DuesScreen", "setup": "setup.screen.SetupScreen",
                "request_history": "requests.history.RequestHistoryScreen"}


def area_class(key: str) -> Callable[..., QWidget]:
    """The area's widget class, its module imported now if it was not yet."""
    module, name = AREA_CLASSES[key].rsplit(".", 1)
    return getattr(importlib.import_module(f"unioncore_desktop.gui.{module}"), name)
