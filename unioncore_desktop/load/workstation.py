"""One simulated workstation: logs in as the app does (its own `HallConnection` with the app's pool and a live-update
listener), then works its group's day through the same actions the screens call, with a think time between steps.

Dispatchers search members, open a book, walk a request (preview, then the offered member's answer) and now and
then sign a member on; clerks look a member up and post a payment; managers run reports. A refusal the app shows
as a sentence and the dispatcher answers by reading again (the list changed, the request filled, the day's
priority numbers used up) is counted apart from errors."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from unioncore_desktop.db.connection import HallConnection, connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.actions import books, dues, members, referral, reports
from unioncore_desktop.domain.errors import ConnectionProblem, DomainError
from unioncore_desktop.domain.rules.apn import ApnExhausted
from unioncore_desktop.domain.services.walk import ListChanged
from unioncore_desktop.load.stage import Stage

INTERACTIVE = ("search", "book_open", "walk_preview", "walk_answer", "sign_on", "clerk_lookup", "post_payment")
OPERATIONS = ("login", *INTERACTIVE, "report")
SIGN_ON_EVERY = 4  # a dispatcher's visits per sign-on at the counter
ACCEPT_SHARE = 0.8


@dataclass
class Tally:
    """One workstation's (or, merged, the run's) samples and counts."""

    samples: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPERATIONS})
    errors: dict[str, int] = field(default_factory=lambda: {op: 0 for op in OPERATIONS})
    refused: dict[str, int] = field(default_factory=lambda: {op: 0 for op in OPERATIONS})
    messages: dict[str, int] = field(default_factory=dict)  # error sentence -> times
    # time inside the driver's execute (the server's work, the round trip, the rows' transfer) and statements,
    # per operation: the rest of an operation's time is the desk's own Python and waiting for a CPU or a connection
    in_database: dict[str, float] = field(default_factory=lambda: {op: 0.0 for op in OPERATIONS})
    statements: dict[str, int] = field(default_factory=lambda: {op: 0 for op in OPERATIONS})
    failed_logins: int = 0
    live_failed: int = 0
    client_cpu: float = 0.0  # seconds of CPU the desks' processes used while the clock ran
    payment_keys: list[uuid.UUID] = field(default_factory=list)
    answer_keys: list[uuid.UUID] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        for op in OPERATIONS:
            self.samples[op] += other.samples[op]
            self.errors[op] += other.errors[op]
            self.refused[op] += other.refused[op]
            self.in_database[op] += other.in_database[op]
            self.statements[op] += other.statements[op]
        for message, n in other.messages.items():
            self.messages[message] = self.messages.get(message, 0) + n
        self.failed_logins += other.failed_logins
        self.client_cpu += other.client_cpu
        self.live_failed += other.live_failed
        self.payment_keys += other.payment_keys
        self.answer_keys += other.answer_keys

    def error(self, op: str, exc: BaseException) -> None:
        self.errors[op] += 1
        sentence = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        key = f"{op}: {str(sentence).splitlines()[0][:160]}"
        self.messages[key] = self.messages.get(key, 0) + 1


def _refusal(exc: DomainError) -> bool:
    return isinstance(exc, (ListChanged, ApnExhausted)) or "filled" in exc.message


class Workstation:
    """A desk of one group (`role`), numbered `number` (which decides its book, its members and its luck)."""

    def __init__(self, stage: Stage, role: str, number: int, pause_ms: float) -> None:
        self.stage, self.role, self.number, self.pause_ms = stage, role, number, pause_ms
        self.rng = random.Random(number)
        self.tally = Tally()
        self.hall: HallConnection | None = None
        self.book_id = stage.book_ids[number % len(stage.book_ids)]
        self.requests = list(stage.request_ids[self.book_id])
        # each dispatcher its own slice of the book's walk-ins, so two desks never sign the same member on
        walk_ins = stage.sign_on_members[self.book_id]
        desks = max(1, len(walk_ins) // 10)
        self.walk_ins = list(walk_ins[(number // len(stage.book_ids)) % desks::desks])
        self.batch_id: int | None = None
        self._listener: Any = None
        self._live = threading.Event()
        self._executing = 0.0  # when the statement under way was sent
        self._op_database = 0.0  # ms inside execute during the operation under way
        self._op_statements = 0

    def _sent(self, *_args: Any) -> None:
        self._executing = time.perf_counter()

    def _answered(self, *_args: Any) -> None:
        self._op_database += (time.perf_counter() - self._executing) * 1000
        self._op_statements += 1

    # --- logging in and out ------------------------------------------------------------------------------------

    def log_in(self) -> bool:
        profile = replace(ConnectionProfile.from_url(self.stage.url), user=self.stage.logins[self.role],
                          name=f"load-{self.number}")
        started = time.perf_counter()
        try:
            self.hall = connect(profile, self.stage.password)
            self.hall.ping()
            if self.role == "dues_clerk":
                self.batch_id = dues.open_batch(self.hall, None, Decimal("0.00")).value.id
        except (DomainError, ConnectionProblem, Exception) as exc:  # noqa: BLE001 - a failed login is counted
            self.tally.failed_logins += 1
            self.tally.error("login", exc)
            return False
        self.tally.samples["login"].append((time.perf_counter() - started) * 1000)
        # the desk's engine is its own and runs one action at a time, in this desk's thread
        event.listen(self.hall.engine, "before_cursor_execute", self._sent)
        event.listen(self.hall.engine, "after_cursor_execute", self._answered)
        self._listener = self.hall.listener(lambda _changes: None, self._on_state).start()
        return True

    def _on_state(self, connected: bool) -> None:
        if connected:
            self._live.set()

    def log_out(self) -> None:
        if self._listener is not None:
            if not self._live.is_set():
                self.tally.live_failed += 1
            self._listener.stop(timeout=2.0)
        if self.hall is not None:
            self.hall.close()

    # --- the day -----------------------------------------------------------------------------------------------

    def work(self, stop_at: float) -> None:
        """Until `stop_at` (time.time()), one visit after another. A desk starts at a random moment within one think
        time, as staff do; all of them pressing Enter at the clock's first instant is the harness, not a hall, and
        that one burst would be the run's slowest tenth of the first operations."""
        visit = {"dispatcher": self._dispatcher_visit, "dues_clerk": self._clerk_visit,
                 "manager": self._manager_visit}[self.role]
        time.sleep(max(0.0, min(self.rng.uniform(0.0, self.pause_ms / 1000), stop_at - time.time())))
        rounds = 0
        while time.time() < stop_at:
            visit(rounds, stop_at)
            rounds += 1

    def _think(self, stop_at: float) -> bool:
        """Wait as a person would before the next step; False once the run is over."""
        if self.pause_ms > 0:
            time.sleep(max(0.0, min(self.rng.uniform(0.5, 1.5) * self.pause_ms / 1000, stop_at - time.time())))
        return time.time() < stop_at

    def _timed(self, op: str, call: Callable[[], Any]) -> Any:
        self._op_database, self._op_statements = 0.0, 0
        started = time.perf_counter()
        try:
            result = call()
        except DomainError as exc:
            if _refusal(exc):
                self.tally.refused[op] += 1
                self.tally.samples[op].append((time.perf_counter() - started) * 1000)
            else:
                self.tally.error(op, exc)
            raise
        except Exception as exc:
            self.tally.error(op, exc)
            raise
        finally:
            self.tally.in_database[op] += self._op_database
            self.tally.statements[op] += self._op_statements
        self.tally.samples[op].append((time.perf_counter() - started) * 1000)
        return result

    def _step(self, op: str, call: Callable[[], Any], stop_at: float) -> Any:
        """One timed step and the think time after it; None when it failed (already counted)."""
        try:
            return self._timed(op, call)
        except (DomainError, ConnectionProblem, Exception):  # noqa: BLE001 - counted by _timed
            return None
        finally:
            self._think(stop_at)

    def _dispatcher_visit(self, rounds: int, stop_at: float) -> None:
        hall = self.hall
        assert hall is not None
        term = self.rng.choice(self.stage.search_terms)
        self._step("search", lambda: members.search(hall, term), stop_at)
        self._step("book_open", lambda: books.open_book(hall, self.book_id), stop_at)
        if self.requests:
            self._walk(hall, stop_at)
        if rounds % SIGN_ON_EVERY == SIGN_ON_EVERY - 1 and self.walk_ins and time.time() < stop_at:
            member_id = self.walk_ins.pop()
            self._step("sign_on", lambda: books.sign_on(hall, member_id, [self.book_id], method="email",
                                                        office_id=None, tiers={}), stop_at)

    def _walk(self, hall: HallConnection, stop_at: float) -> None:
        request_id = self.rng.choice(self.requests)
        run_id = uuid.uuid4()
        view = self._step("walk_preview", lambda: referral.walk(hall, request_id, run_id), stop_at)
        if view is None or time.time() >= stop_at:
            return
        offered = view.preview.next
        if offered is None or view.preview.open_places <= 0:
            self.requests.remove(request_id)
            return
        outcome = "accepted" if self.rng.random() < ACCEPT_SHARE else "declined"
        key = uuid.uuid4()
        try:
            self._timed("walk_answer", lambda: referral.answer(hall, view.request, offered.registration_id,
                                                               outcome, run_id, key))
            if outcome == "accepted":
                self.tally.answer_keys.append(key)
        except DomainError as exc:
            if "filled" in exc.message and request_id in self.requests:
                self.requests.remove(request_id)
        except Exception:  # noqa: BLE001 - counted by _timed
            pass
        self._think(stop_at)

    def _clerk_visit(self, rounds: int, stop_at: float) -> None:
        hall = self.hall
        assert hall is not None and self.batch_id is not None
        term = self.rng.choice(self.stage.search_terms)
        found = self._step("clerk_lookup", lambda: dues.find_members(hall, term), stop_at)
        if not found or time.time() >= stop_at:
            return
        member_id = self.rng.choice(found).member_id  # two clerks rarely post for one member at the same moment
        key = uuid.uuid4()
        amount = Decimal(self.rng.choice(("25.00", "42.50", "60.00", "120.00")))

        def post() -> Any:
            try:
                return dues.post_payment(hall, key, member_id, amount=amount, method="cash", reference=None,
                                         batch_id=self.batch_id or 0)
            except ConnectionProblem:  # the app's answer: send the same key again
                return dues.post_payment(hall, key, member_id, amount=amount, method="cash", reference=None,
                                         batch_id=self.batch_id or 0)

        if self._step("post_payment", post, stop_at) is not None:
            self.tally.payment_keys.append(key)

    def _manager_visit(self, rounds: int, stop_at: float) -> None:
        hall = self.hall
        assert hall is not None
        today = date.fromisoformat(self.stage.today)
        report: Callable[[], Any] = (
            lambda: reports.out_of_work(hall, self.book_id),
            lambda: reports.unemployed_counts(hall),
            lambda: reports.day_book(hall, today),
            lambda: reports.arrears(hall, min_months=2, standing=None),
        )[rounds % 4]
        self._step("report", report, stop_at)
