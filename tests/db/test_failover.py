"""The hall's server and its standby, both from the wheel on this machine: the standby follows, reports read from
it, and when the primary dies mid-morning the standby is promoted and the workstations carry on — every payment
posted once, no member dispatched twice — because they list both servers and retry with their idempotency keys."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import psutil
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop import cli
from unioncore_desktop.db import hall_server
from unioncore_desktop.db.connection import HallConnection, connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.actions import reports
from unioncore_desktop.domain.errors import ConnectionProblem
from unioncore_desktop.domain.services import staff
from unioncore_desktop.domain.services.dispatch import dispatch_next_accepting
from unioncore_desktop.domain.services.dues import post_payment
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.referral_world import build_world

T = TypeVar("T")
PASSWORD = "failover drill"
PAYMENTS, DISPATCHES = 100, 20
POOL_RESET = "Exception during reset or similar|Exception closing connection"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Pair:
    primary: Path
    standby: Path
    primary_port: int
    standby_port: int
    clerk: str
    dispatcher: str
    members: list[int]
    requests: list[int]

    def profile(self, user: str, **changes: str) -> ConnectionProfile:
        return ConnectionProfile(name="hall", host=f"127.0.0.1:{self.primary_port},127.0.0.1:{self.standby_port}",
                                 database=hall_server.HALL_DATABASE, user=user, **changes)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("hall")
    primary, standby = root / "primary", root / "standby"
    ports = free_port(), free_port()
    settings = hall_server.ServerSettings(listen="127.0.0.1", port=ports[0], subnet="127.0.0.1/32",
                                          max_connections=hall_server.connections_for(4))
    try:
        done = hall_server.init(primary, settings)
        engine = create_engine(done.admin_url)
        uow = UnitOfWork(sessionmaker(engine))
        clerk, dispatcher = f"clerk_{uuid.uuid4().hex[:6]}", f"disp_{uuid.uuid4().hex[:6]}"
        staff.add_staff(uow, login=clerk, full_name="Counter Clerk", roles=["dues_clerk"], password=PASSWORD)
        staff.add_staff(uow, login=dispatcher, full_name="Morning Dispatcher", roles=["dispatcher"],
                        password=PASSWORD)
        with engine.begin() as conn:
            today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
            world = build_world(conn, code="FAILOVER", registrants=DISPATCHES * 2, requests=DISPATCHES,
                                referral_date=today)
        engine.dispose()
        # as the administrator types them on the second PC, then on the first
        assert cli.main(["server", "standby", "--primary", f"127.0.0.1:{ports[0]}", "--data", str(standby),
                         "--listen", "127.0.0.1", "--port", str(ports[1]),
                         "--password-file", str(done.replication_password_file)]) == 0
        assert cli.main(["server", "sync", "on", "--data", str(primary)]) == 0  # a receipt seen is on the standby
        yield Pair(primary, standby, *ports, clerk, dispatcher, world.member_ids, world.request_ids)
    finally:
        for data in (primary, standby):
            kill(data)


def kill(data: Path) -> None:
    """The machine dies: the postmaster and every backend, at once, with no shutdown."""
    pid_file = data / "postmaster.pid"
    if not pid_file.exists():
        return
    try:
        postmaster = psutil.Process(int(pid_file.read_text().split()[0]))
        processes = [postmaster, *postmaster.children(recursive=True)]
    except (psutil.NoSuchProcess, ValueError):
        return
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
    psutil.wait_procs(processes, timeout=10)


def with_retry(call: Callable[[], T], retries: list[int]) -> T:
    """What a workstation's Retry does: the same command, the same key, until the server answers."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return call()
        except ConnectionProblem:
            retries.append(1)
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_standby_follows_and_reports_read_from_it(pair: Pair):
    assert "replication: standby 127.0.0.1/32 streaming (sync" in "\n".join(hall_server.status(pair.primary).lines())
    standby = hall_server.status(pair.standby)
    assert standby.standby and standby.replication == (f"streaming from 127.0.0.1:{pair.primary_port}",)
    hall = connect(pair.profile(pair.clerk, reports_host=f"127.0.0.1:{pair.standby_port}"), PASSWORD)
    try:
        in_recovery = text("SELECT pg_is_in_recovery()")
        assert hall.read(lambda s: s.execute(in_recovery).scalar_one()) is False  # the counter's work: primary
        reports_hall = hall.for_reports()
        assert reports_hall.read(lambda s: s.execute(in_recovery).scalar_one()) is True  # month-end: the standby
        # the log of who printed what is a write: it goes to the primary
        assert reports.start_report(reports_hall, "Daily cash", "pdf", [("day", "today")]) is not None
    finally:
        hall.close()


def test_the_primary_dies_mid_morning_and_the_clerks_and_dispatchers_carry_on(pair: Pair, logged_errors):
    workstations: list[HallConnection] = [
        *(connect(pair.profile(pair.clerk), PASSWORD) for _ in range(3)),
        *(connect(pair.profile(pair.dispatcher), PASSWORD) for _ in range(2))]
    payment_keys = [uuid.uuid4() for _ in range(PAYMENTS)]
    dispatch_keys = [uuid.uuid4() for _ in range(DISPATCHES)]
    posted: list[uuid.UUID] = []
    retries: list[int] = []
    failures: list[BaseException] = []
    halfway = threading.Event()

    def clerk(hall: HallConnection, keys: list[uuid.UUID]) -> None:
        for n, key in enumerate(keys):
            member = pair.members[n % len(pair.members)]
            receipt = with_retry(lambda key=key, member=member: post_payment(  # type: ignore[misc]
                hall.uow(), idempotency_key=key, member_id=member, amount=Decimal("12.50"), method="cash"), retries)
            posted.append(key)
            assert receipt is not None
            if len(posted) >= PAYMENTS * 2 // 5:
                halfway.set()
            time.sleep(0.01)

    def dispatcher(hall: HallConnection, work: list[tuple[int, uuid.UUID]]) -> None:
        for request, key in work:
            with_retry(lambda request=request, key=key: dispatch_next_accepting(  # type: ignore[misc]
                hall.uow(), request_id=request, idempotency_key=key), retries)
            time.sleep(0.05)

    def guarded(target: Callable[..., None], *args: object) -> Callable[[], None]:
        def run() -> None:
            try:
                target(*args)
            except BaseException as exc:  # the test reports it, with the thread's own traceback
                failures.append(exc)
                halfway.set()
        return run

    work = list(zip(pair.requests, dispatch_keys, strict=True))
    threads = [threading.Thread(target=guarded(clerk, workstations[i], payment_keys[i::3])) for i in range(3)]
    threads += [threading.Thread(target=guarded(dispatcher, workstations[3 + i], work[i::2])) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        assert halfway.wait(60)
        kill(pair.primary)  # mid-morning, payments and dispatches in flight
        assert cli.main(["server", "promote", "--data", str(pair.standby)]) == 0
        for thread in threads:
            thread.join(90)
    finally:
        for hall in workstations:
            hall.close()
    # a pooled connection whose server died may fail its rollback on the way back to the pool, which SQLAlchemy
    # logs at ERROR; whether one does depends on the moment of the kill
    if any(re.search(POOL_RESET, record.getMessage()) for record in logged_errors.records):
        logged_errors.take(POOL_RESET)
    assert not failures, failures
    assert retries, "the primary died while nobody was writing: the drill proved nothing"
    assert len(posted) == PAYMENTS

    now_primary = hall_server.status(pair.standby)
    assert now_primary.running and not now_primary.standby
    engine = create_engine(hall_server.admin_url(pair.standby))
    try:
        with engine.connect() as conn:
            keys = conn.execute(text("SELECT idempotency_key, amount FROM payments")).all()
            doubles = conn.execute(text("""
                SELECT count(*) FROM (SELECT member_id FROM dispatches
                                      WHERE status IN ('dispatched', 'checked_in', 'working')
                                      GROUP BY member_id HAVING count(*) > 1) x""")).scalar_one()
            per_request = conn.execute(text("""
                SELECT r.id, count(d.id), r.workers_dispatched FROM labor_requests r
                LEFT JOIN dispatches d ON d.request_id = r.id GROUP BY r.id""")).all()
            dispatch_keys_found = set(conn.execute(text("SELECT idempotency_key FROM dispatches")).scalars())
    finally:
        engine.dispose()
    assert sorted(str(k) for k, _ in keys) == sorted(str(k) for k in payment_keys)  # none lost, none doubled
    assert sum(amount for _, amount in keys) == Decimal("12.50") * PAYMENTS
    assert doubles == 0
    assert sorted(per_request) == sorted((r, 1, 1) for r in pair.requests)
    assert dispatch_keys_found == set(dispatch_keys)
