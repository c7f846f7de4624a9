"""A run's figures as the terminal shows them (a table per operation, throughput, logins, what the database kept)
and a curve's, with the point where the server saturates."""

from __future__ import annotations

from unioncore_desktop.load.run import TARGET_P95_MS, LoadReport, over_target, saturation, throughput_ceiling
from unioncore_desktop.load.workstation import INTERACTIVE, OPERATIONS


def lines(report: LoadReport) -> list[str]:
    pause = f"{report.pause_ms:g} ms pauses" if report.pause_ms else "no pauses"
    machine = (f"; this machine's load average {report.load_average[0]:g} when the clock started, "
               f"{report.load_average[1]:g} when it stopped" if report.load_average else "")
    out = [f"{report.workstations} workstations for {report.seconds:g} s, {pause}, {report.processes} client "
           f"processes{machine}",
           f"{'operation':<14}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'refused':>9}"
           f"{'mean ms':>9}{'in db':>7}{'stmts':>7}"]
    for op in OPERATIONS:
        s = report.operations[op]
        if not s.count and not s.errors:
            continue
        mark = " *" if op in INTERACTIVE and s.p95 > TARGET_P95_MS else ""
        out.append(f"{op:<14}{s.count:>8}{s.p50:>9.1f}{s.p95:>9.1f}{s.p99:>9.1f}{s.errors:>8}{s.refused:>9}"
                   f"{s.mean:>9.1f}{s.in_database:>7.1f}{s.statements:>7.1f}{mark}")
    i = report.integrity
    out += [f"throughput: {report.throughput:g} operations/s; errors: {report.errors}; the desks' own processes "
            f"kept {report.client_cores:g} cores busy",
            f"logins: {report.logins} ok, {report.failed_logins} failed; live updates never connected: "
            f"{report.live_failed}",
            f"dispatches: {i.dispatches}; double dispatches: {i.double_dispatches}; overfilled requests: "
            f"{i.overfilled_requests}; accepted answers lost: {i.dispatches_lost} of {i.answers_believed}",
            f"payments posted: {i.payments_believed}; lost: {i.payments_lost}; doubled: {i.payments_doubled}",
            f"server sessions: at most {report.sessions.peak_connections}; idle in transaction: at most "
            f"{report.sessions.peak_idle_in_transaction}, {report.sessions.mean_idle_in_transaction:g} on average; "
            f"waiting on a lock: at most {report.sessions.peak_waiting_on_locks} "
            f"({report.sessions.peak_waiting_on_advisory} on an advisory lock)"]
    for title, seen in (("idle in transaction after", report.sessions.idle_after),
                        ("waiting on a lock in", report.sessions.waiting_in)):
        out += [f"  {title}: {statement} ({n} x)" for statement, n in seen.items()]
    out.append("in db: of the mean, ms inside the driver's execute (the server's work, the round trip, the rows); "
               "the rest is the desk's own Python, a free connection or a CPU; stmts: statements per operation")
    if any(s.refused for s in report.operations.values()):
        out.append("refused: answered with a sentence the desk reads again after (the list changed, the request "
                   "filled, the day's priority numbers used up); counted and timed with the rest")
    if report.worst_interactive_p95 > TARGET_P95_MS:
        out.append(f"* p95 above the {TARGET_P95_MS:.0f} ms target")
    out += [f"  {n} x {message}" for message, n in report.messages.items()]
    return out


def curve_lines(reports: list[LoadReport]) -> list[str]:
    out = [f"{'workstations':>12}{'ops/s':>9}{'worst p95':>11}{'errors':>8}{'failed logins':>15}"
           f"{'load average':>16}"]
    out += [f"{r.workstations:>12}{r.throughput:>9g}{r.worst_interactive_p95:>11.1f}{r.errors:>8}"
            f"{r.failed_logins:>15}{_load(r):>16}" for r in reports]
    for n, why in (over_target(reports), throughput_ceiling(reports)):
        out.append(f"  at {n} workstations {why}" if n is not None else f"  {why}")
    point, why = saturation(reports)
    out.append(f"saturates at {point} workstations: {why}" if point is not None else why)
    return out


def _load(report: LoadReport) -> str:
    """The machine's load average from when the clock started to when it stopped."""
    return f"{report.load_average[0]:g} to {report.load_average[1]:g}" if report.load_average else "-"
