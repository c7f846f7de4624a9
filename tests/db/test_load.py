"""`unioncore load` on the real server: a short run of a few workstations in the hall's mix reports every operation,
loses and doubles nothing, and every desk logs in; the saturation point is read off a curve as documented."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

from sqlalchemy import create_engine, text

from unioncore_desktop import cli
from unioncore_desktop.db import hall_server
from unioncore_desktop.load.run import LoadReport, OpStats, Sessions, saturation
from unioncore_desktop.load.stage import Integrity
from unioncore_desktop.load.workstation import OPERATIONS
from unioncore_desktop.seed.demo import seed_quick


def test_a_short_run_reports_each_operation_and_keeps_everything(databases, capsys):
    name = databases.create()
    assert seed_quick(databases.engine(name))
    url = databases.server.url(name)
    try:
        code = cli.main(["load", "--url", url, "--workstations", "4", "--seconds", "5", "--pause", "100", "--json"])
    finally:
        with databases.engine(name).connect() as conn:
            databases.server.roles_created.extend(
                conn.execute(text("SELECT login FROM staff WHERE login LIKE 'load\\_%'")).scalars())
    out = capsys.readouterr().out
    doc = json.loads(out)
    (run,) = doc["runs"]
    assert code == 0, out
    assert set(run["operations"]) == set(OPERATIONS)
    for op in ("search", "book_open", "walk_preview", "walk_answer", "clerk_lookup", "post_payment", "report"):
        stats = run["operations"][op]
        assert stats["count"] > 0, op
        assert stats["p50"] <= stats["p95"] <= stats["p99"]
    assert run["errors"] == 0, run["messages"]
    assert (run["logins"], run["failed_logins"], run["live_failed"]) == (4, 0, 0)
    kept = run["integrity"]
    assert kept["dispatches"] > 0 and kept["payments_believed"] > 0
    assert kept["double_dispatches"] == kept["overfilled_requests"] == 0
    assert kept["payments_lost"] == kept["payments_doubled"] == kept["dispatches_lost"] == 0
    assert run["throughput"] > 0
    assert run["sessions"]["peak_connections"] >= 4  # the test server's owner is a superuser: it sees every session
    with databases.engine(name).connect() as conn:  # the run's logins no longer connect
        assert not conn.execute(text("SELECT bool_or(rolcanlogin) FROM pg_roles WHERE rolname LIKE 'load\\_%'"
                                     )).scalar()


def test_every_workstation_a_server_made_by_init_is_sized_for_logs_in(tmp_path: Path, monkeypatch, capsys):
    """`server init --workstations N` leaves room for N desks each holding all it may; N load desks (each with
    its pool and live-update listener) all log in. README shows the same run at 100 workstations."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    data, desks = tmp_path / "hall", 12
    monkeypatch.setattr("sys.stdin", io.StringIO("a good password\n"))
    assert cli.main(["server", "init", "--data", str(data), "--listen", "127.0.0.1", "--port", str(port),
                     "--subnet", "127.0.0.1/32", "--workstations", str(desks), "--admin", "ada",
                     "--password-stdin"]) == 0
    try:
        url = hall_server.admin_url(data)
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                assert int(conn.execute(text("SHOW max_connections")).scalar_one()) == \
                    hall_server.connections_for(desks)
        finally:
            engine.dispose()
        # a hall made by init is marked production: a trial run on it is forced, as seeding it is
        assert cli.main(["--url", url, "seed", "--quick", "--force"]) == 0
        capsys.readouterr()
        code = cli.main(["load", "--url", url, "--workstations", str(desks), "--seconds", "3", "--pause", "200",
                         "--force", "--json"])
        out = capsys.readouterr().out
        (run,) = json.loads(out)["runs"]
        assert code == 0, out
        assert (run["logins"], run["failed_logins"], run["live_failed"]) == (desks, 0, 0)
        assert run["errors"] == 0, run["messages"]
    finally:
        hall_server.stop(data)


def _report(workstations: int, throughput: float, p95: float, failed: int = 0) -> LoadReport:
    ops = {op: OpStats(10, p95 / 2, p95, p95, 0, 0) for op in OPERATIONS}
    return LoadReport(workstations=workstations, seconds=10, pause_ms=0, processes=2, operations=ops,
                      throughput=throughput, logins=workstations - failed, failed_logins=failed, live_failed=0,
                      client_cores=1, sessions=Sessions(), integrity=Integrity(), errors=0)


def test_the_saturation_point_is_the_first_that_stops_growing_or_passes_the_target():
    assert saturation([_report(10, 40, 20), _report(40, 150, 60)])[0] is None
    assert saturation([_report(10, 40, 20), _report(40, 150, 60), _report(100, 155, 80)])[0] == 100
    assert saturation([_report(10, 40, 20), _report(40, 150, 140)])[0] == 40
    point, why = saturation([_report(10, 40, 20), _report(40, 150, 60, failed=3)])
    assert point == 40 and "3 of 40 workstations could not log in" in why
