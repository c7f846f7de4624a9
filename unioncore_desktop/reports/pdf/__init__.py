"""One module per printed report, each a thin declaration over the shared frame in `reports.base`."""

from __future__ import annotations

from unioncore_desktop.reports.pdf.member_roster import build_member_roster

__all__ = ["build_member_roster"]
