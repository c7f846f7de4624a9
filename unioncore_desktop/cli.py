"""`unioncore`: the admin command line. Same domain package as the app, no Qt."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine

from unioncore_desktop.db import backup, migrate, profile
from unioncore_desktop.domain.errors import ConnectionProblem, DomainError
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.domain.vocab import STAFF_ROLES

log = logging.getLogger(__name__)


class CliError(Exception):
    """A one-line message for the user and a non-zero exit."""


def _engine(args: argparse.Namespace) -> Engine:
    """--url, then UNIONCORE_DATABASE_URL, then the demo server (started if needed)."""
    url: URL | str
    if args.url:
        url = profile.ConnectionProfile.from_url(args.url).sqlalchemy_url()
    elif (env := profile.from_environment()) is not None:
        url = env.sqlalchemy_url()
    else:
        from unioncore_desktop import demo

        url = demo.start(keep_running=True, seed=False).admin_url()
    return create_engine(url)


def cmd_demo(args: argparse.Namespace) -> int:
    from unioncore_desktop import demo

    if args.action == "stop":
        print("demo server stopped" if demo.stop() else "demo server was not running")
        return 0
    hall = demo.start(keep_running=True)
    if args.action == "url":
        print(hall.profile().libpq_url())
    else:
        print(f"demo server running; connect with: psql '{hall.profile().libpq_url()}'")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        if args.action == "upgrade":
            migrate.upgrade(engine)
            print(f"database at {migrate.head_revision()}")
            return 0
        with engine.connect() as conn:
            problems = migrate.check(conn)
        for line in problems:
            print(line)
        if problems:
            return 1
        print(f"database at {migrate.head_revision()}; no drift")
        return 0
    finally:
        engine.dispose()


def cmd_seed(args: argparse.Namespace) -> int:
    from unioncore_desktop.seed.demo import seed_demo, seed_quick, seed_stress

    engine = _engine(args)
    try:
        started = time.perf_counter()
        if args.remittance_file:
            return _write_remittance_file(engine, args)
        if args.stress:
            added = seed_stress(engine, members=args.members, force=args.force)
            print(f"added {added} members in {time.perf_counter() - started:.1f} s")
        elif args.quick:
            if seed_quick(engine, force=args.force):
                print(f"a small demo hall seeded in {time.perf_counter() - started:.1f} s")
            else:
                print("the database already has members; demo data not added")
        elif seed_demo(engine, force=args.force):
            print(f"demo data seeded in {time.perf_counter() - started:.1f} s")
        else:
            print("the database already has members; demo data not added")
        return 0
    finally:
        engine.dispose()


def _write_remittance_file(engine: Engine, args: argparse.Namespace) -> int:
    from datetime import datetime

    from unioncore_desktop.seed.remittance_files import (
        build_demo_remittance,
        write_remittance_file,
    )

    try:
        period = datetime.strptime(args.period, "%Y-%m").date() if args.period else None
    except ValueError:
        raise CliError("--period is a month as YYYY-MM") from None
    with engine.connect() as conn:
        remittance = build_demo_remittance(conn, period=period, employer_id=args.employer_id)
    path = write_remittance_file(remittance, args.remittance_file)
    print(f"{path}: {remittance.employer_name} (employer {remittance.employer_id}), "
          f"{remittance.period:%B %Y}, check {remittance.check_number} for {remittance.check_amount:,.2f}, "
          f"{len(remittance.lines)} lines")
    return 0


def cmd_staff(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        if args.action == "list":
            from unioncore_desktop.domain.queries.staff import list_staff

            with engine.connect() as conn:
                rows = list_staff(conn)
            width = max([len(r.login) for r in rows] + [5])
            for row in rows:
                state = "" if row.state == "active" else f"({row.state})"
                print(f"{row.login:<{width}}  {row.full_name:<28} {', '.join(row.roles):<32} {state}".rstrip())
            return 0
        from sqlalchemy.orm import sessionmaker

        from unioncore_desktop.domain.services import staff

        uow = UnitOfWork(sessionmaker(engine))
        if args.action == "add":
            staff.add_staff(uow, login=args.name, full_name=args.full_name or args.name, roles=args.role,
                            password=_password(args, f"Password for {args.name} (empty: none): ", required=False))
            print(f"staff {args.name} added as {', '.join(args.role)}")
        elif args.action == "roles":
            staff.set_roles(uow, login=args.name, roles=args.role)
            print(f"staff {args.name} now holds {', '.join(args.role)}")
        elif args.action == "deactivate":
            staff.deactivate(uow, login=args.name)
            print(f"staff {args.name} deactivated: the login can no longer connect")
        elif args.action == "reactivate":
            staff.reactivate(uow, login=args.name)
            print(f"staff {args.name} reactivated")
        else:
            staff.reset_password(uow, login=args.name,
                                 new_password=_password(args, f"New password for {args.name}: ", required=True) or "")
            print(f"password of {args.name} reset")
        return 0
    finally:
        engine.dispose()


def cmd_setup(args: argparse.Namespace) -> int:
    """The set-up checklist, as the app shows it; exit 1 while steps are missing (for scripts)."""
    from sqlalchemy.orm import Session

    from unioncore_desktop.domain.queries.hall_setup import setup_checklist

    engine = _engine(args)
    try:
        with Session(engine) as session:
            checklist = setup_checklist(session)
        print(checklist.as_text())
        return 0 if checklist.complete else 1
    finally:
        engine.dispose()


def cmd_requests(args: argparse.Namespace) -> int:
    """`requests expire`: what the screens do when they load the day, for a hall that runs it from cron (as a
    dispatcher or manager login, or the owner); running it again, or beside the screens, expires nothing twice."""
    from sqlalchemy.orm import sessionmaker

    from unioncore_desktop.domain.services.requests import expire_requests

    engine = _engine(args)
    try:
        expired = expire_requests(UnitOfWork(sessionmaker(engine)))
        for request in expired:
            filled = f", {request.dispatched} of {request.requested} dispatched" if request.partly_filled else ""
            print(f"{request.number} expired{filled}")
        print(f"{len(expired)} request{'' if len(expired) == 1 else 's'} expired")
        return 0
    finally:
        engine.dispose()


def cmd_backup(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        made = backup.backup(engine, Path(args.to) if args.to else None)
        print(f"{made.path}: {_size(made.size)} written in {made.seconds:.1f} s (schema {made.revision})")
        if args.verify and _verify(engine, made.path) != 0:
            return 1  # older backups are kept while the newest does not restore cleanly
        if args.keep_days is not None:
            removed = backup.prune(made.path, engine.url.database or "postgres", args.keep_days)
            print(f"removed {len(removed)} backup(s) older than {args.keep_days} days")
        return 0
    finally:
        engine.dispose()


def cmd_restore(args: argparse.Namespace) -> int:
    """Into the empty database --url names; with --verify, into a scratch database on that server instead."""
    engine = _engine(args)
    try:
        if args.verify:
            return _verify(engine, Path(args.file))
        restored = backup.restore(engine, Path(args.file))
        upgraded = f", upgraded to {restored.upgraded_to}" if restored.upgraded_to else ""
        print(f"{args.file} restored into {restored.database} in {restored.seconds:.1f} s "
              f"(schema {restored.revision}{upgraded})")
        _print_restore(restored, args.url)
        return 0
    finally:
        engine.dispose()


def _print_restore(restored: backup.Restore, url: str | None) -> None:
    print("  " + ", ".join(f"{table} {count:,}" for table, count in restored.counts.items()))
    if restored.groups_created:
        print(f"created the groups {', '.join(restored.groups_created)}, which this server lacked")
    if restored.groups_not_granted:
        groups = ", ".join(restored.groups_not_granted)
        print(f"this login may not grant {groups}, so adding staff or changing their roles will be refused: "
              f"have a superuser run GRANT {groups} TO {restored.login} WITH ADMIN OPTION")
    if restored.missing_logins:
        where = profile.ConnectionProfile.from_url(url).libpq_url() if url else None
        print(f"{len(restored.missing_logins)} staff login(s) of the backup are missing on this server; "
              "add each again (and give it a password):")
        for login in restored.missing_logins:
            print(f"  {login.add_command(where)}")


def _verify(engine: Engine, path: Path) -> int:
    """Restore into a scratch database and check it there; exit 1 when db check found something."""
    checked = backup.verify(engine, path, {"db check": _db_check}, {"integrity": _integrity_findings})
    restored = checked.restore
    upgraded = f", upgraded to {restored.upgraded_to}" if restored.upgraded_to else ""
    print(f"{path} restores in {restored.seconds:.1f} s (schema {restored.revision}{upgraded})")
    print("  " + ", ".join(f"{table} {count:,}" for table, count in restored.counts.items()))
    for name, problems in checked.problems.items():
        print(f"{name}: {'clean' if not problems else 'found something'}")
        for line in problems:
            print(f"  {line}")
    for name, findings in checked.findings.items():
        print(f"{name}: clean" if not findings else f"{name}: {len(findings)} check(s) found something, as in the "
              "database backed up (a restore is all or nothing); `unioncore integrity` there shows the rows")
        for line in findings:
            print(f"  {line}")
    print("verified" if checked.passed else "the restored copy has problems (above)")
    return 0 if checked.passed else 1


def _db_check(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return migrate.check(conn)


def _integrity_findings(engine: Engine) -> list[str]:
    from sqlalchemy.orm import Session

    from unioncore_desktop.domain.queries.integrity import integrity_report

    with Session(engine) as session:
        report = integrity_report(session)
    return [f"{check.name}: {check.count} ({check.description})" for check in report.checks if check.found]


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    power = min(3, (size.bit_length() - 1) // 10)
    return f"{size / 1024 ** power:,.1f} {('KB', 'MB', 'GB')[power - 1]}"


def cmd_reset(args: argparse.Namespace) -> int:
    from unioncore_desktop.db import reset

    engine = _engine(args)
    try:
        marked = reset.reset(engine)
        print(f"database {engine.url.database} emptied and migrated to {migrate.head_revision()}; "
              f"still marked {marked}")
        return 0
    finally:
        engine.dispose()


def cmd_integrity(args: argparse.Namespace) -> int:
    """Cross-table checks; exit 0 when clean, 1 when anything was found (after --repair: anything left). Any staff
    login may run it (a manager reads every table the checks need; a check this login may not read is skipped and
    says so); the repairs ask for their own privileges and say which login they need."""
    import json

    from sqlalchemy.orm import Session, sessionmaker

    from unioncore_desktop.domain.queries.integrity import integrity_report
    from unioncore_desktop.domain.services.integrity import repair

    engine = _engine(args)
    try:
        repairs = repair(UnitOfWork(sessionmaker(engine))) if args.repair else ()
        with Session(engine) as session:
            report = integrity_report(session, examples=args.examples)
        if args.json:
            print(json.dumps({**report.as_dict(), "repairs": [r.as_dict() for r in repairs]}, indent=2))
            return 0 if report.clean else 1
        for done in repairs:
            outcome = f"refused: {done.refused}" if done.refused else f"{done.repaired} repaired"
            print(f"repair {done.check}: {outcome}")
        for check in report.checks:
            if check.skipped:
                print(f"{check.name:<30} skipped  {check.description} ({check.skipped})")
                continue
            print(f"{check.name:<30} {check.count:>7}  {check.description}")
            for example in check.examples:
                print(f"{'':<40}{example}")
            if check.count and check.count > len(check.examples):
                print(f"{'':<40}... and {check.count - len(check.examples)} more")
        found = sum(1 for check in report.checks if check.found)
        skipped = f"; {len(report.skipped)} skipped for this login" if report.skipped else ""
        print(f"{'clean' if report.clean else f'{found} check(s) found something'}{skipped}")
        return 0 if report.clean else 1
    finally:
        engine.dispose()


def cmd_load(args: argparse.Namespace) -> int:
    """Simulated workstations against --url (the schema owner's, as for seed), or a private server sized for them."""
    import json

    from unioncore_desktop.load import report, run, server

    points = _points(args.curve) if args.curve else [args.workstations]
    private = None
    if args.url or args.url_after:
        engine = _engine(argparse.Namespace(url=args.url_after or args.url))
    else:
        limit = args.max_connections or server.connections_for(max(points))
        if not args.json:
            print(f"starting a private server (max_connections {limit}) with the "
                  f"{'quick demo hall' if args.members is None else f'demo hall of {args.members} members'} ...")
        private = server.start(max_connections=limit, members=args.members)
        engine = private.engine()
    try:
        reports = []
        for n in points:
            reports.append(run.run(engine, workstations=n, seconds=args.seconds, pause_ms=args.pause,
                                   processes=args.processes, force=args.force))
            if not args.json:
                print("\n".join(report.lines(reports[-1])), end="\n\n", flush=True)
        if args.json:
            point, why = run.saturation(reports)
            doc = {"server": "private" if private else "url",
                   "max_connections": private.max_connections if private else None,
                   "runs": [r.as_dict() for r in reports],
                   "saturation": {"workstations": point, "why": why} if args.curve else None}
            print(json.dumps(doc, indent=2, default=str))
        elif args.curve:
            print("\n".join(report.curve_lines(reports)))
        bad = any(r.errors or r.failed_logins or r.live_failed or not r.sound for r in reports)
        return 1 if bad else 0
    finally:
        engine.dispose()
        if private is not None:
            private.stop()


def _points(text_: str) -> list[int]:
    try:
        points = [int(part) for part in text_.split(",") if part.strip()]
    except ValueError:
        raise CliError("--curve takes workstation counts separated by commas, e.g. 10,40,100,200") from None
    if not points or min(points) < 1:
        raise CliError("--curve takes workstation counts of 1 or more, e.g. 10,40,100,200")
    return points


def _password(args: argparse.Namespace, prompt: str, *, required: bool) -> str | None:
    """From the first line of stdin (--password-stdin) or asked twice at the terminal; never an argument."""
    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\n")
        return line if line or required else None
    if not sys.stdin.isatty():
        if required:
            raise CliError("give the password with --password-stdin (it is never taken as an argument)")
        return None
    password = getpass.getpass(prompt)
    if not password and not required:
        return None
    if getpass.getpass("Again: ") != password:
        raise CliError("the two passwords differ; nothing was changed")
    return password


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="unioncore", description="UnionCore Desktop administration.")
    parser.add_argument("--url", help="database URL (default: $UNIONCORE_DATABASE_URL, else the demo server)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="the private demo server")
    demo.add_argument("action", choices=("start", "stop", "url"))
    demo.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="schema migrations")
    db.add_argument("action", choices=("upgrade", "check"))
    db.set_defaults(func=cmd_db)

    seed = sub.add_parser("seed", help="synthetic data")
    kind = seed.add_mutually_exclusive_group(required=True)
    kind.add_argument("--demo", action="store_true", help="the demo hall (once)")
    kind.add_argument("--stress", action="store_true", help="add many members for benchmarks")
    kind.add_argument("--remittance-file", metavar="PATH",
                      help="write an employer check-off list (.xlsx or .csv) matching this database's members")
    kind.add_argument("--quick", action="store_true", help="a small demo hall in a second or so (smoke tests)")
    seed.add_argument("--employer-id", type=int, help="with --remittance-file: the employer (default: the busiest)")
    seed.add_argument("--period", help="with --remittance-file: the month as YYYY-MM (default: this month)")
    seed.add_argument("--members", type=int, default=10_000)
    seed.add_argument("--force", action="store_true", help="seed even a database marked production")
    seed.set_defaults(func=cmd_seed)

    staff = sub.add_parser("staff", help="staff logins")
    staff_sub = staff.add_subparsers(dest="action", required=True)
    add = staff_sub.add_parser("add", help="add a staff login")
    add.add_argument("name", help="login name (lower-case letters, digits, underscores)")
    add.add_argument("--role", action="append", required=True, choices=STAFF_ROLES)
    add.add_argument("--full-name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    roles = staff_sub.add_parser("roles", help="set a staff login's roles (those not given are taken away)")
    roles.add_argument("name")
    roles.add_argument("--role", action="append", required=True, choices=STAFF_ROLES)
    for action, text_ in (("deactivate", "stop a login from connecting (history keeps the name)"),
                          ("reactivate", "let a deactivated login connect again")):
        staff_sub.add_parser(action, help=text_).add_argument("name")
    reset = staff_sub.add_parser("reset-password", help="set a new password for a staff login")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    staff_sub.add_parser("list", help="list staff and their roles")
    staff.set_defaults(func=cmd_staff)

    setup = sub.add_parser("setup", help="what the hall still lacks before its first morning referral")
    setup.set_defaults(func=cmd_setup)
    requests = sub.add_parser("requests", help="labor requests")
    requests.add_argument("action", choices=("expire",),
                          help="expire requests unfilled on their start day, on books whose rules say so (for cron)")
    requests.set_defaults(func=cmd_requests)

    backup_ = sub.add_parser("backup", help="dump the database to a file (pg_dump's custom format)")
    _url_option(backup_)
    backup_.add_argument("--to", metavar="FILE", help="the file, or a folder for the default name "
                                                      "unioncore-<database>-<YYYYmmdd-HHMM>.dump (default: here)")
    backup_.add_argument("--verify", action="store_true",
                         help="then restore it into a scratch database on the same server and check that")
    backup_.add_argument("--keep-days", type=_days, metavar="N",
                         help="then remove this database's backups older than N days from that folder")
    backup_.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="restore a backup into the empty database --url names")
    restore.add_argument("file", help="a file `unioncore backup` made")
    _url_option(restore)
    restore.add_argument("--verify", action="store_true",
                         help="restore into a scratch database on that server instead, check it and drop it")
    restore.set_defaults(func=cmd_restore)
    reset_ = sub.add_parser("reset", help="empty a database marked demo or test and migrate it again")
    _url_option(reset_)
    reset_.set_defaults(func=cmd_reset)
    integrity = sub.add_parser("integrity", help="cross-table checks the constraints cannot express (exit 1 if any "
                                                 "finds something)")
    integrity.add_argument("--repair", action="store_true",
                           help="first make the safe repairs (request counters, unapplied credit), in one audited "
                                "transaction; duplicates and the rest are only reported")
    integrity.add_argument("--json", action="store_true", help="print a machine-readable document")
    integrity.add_argument("--examples", type=int, default=5, metavar="N", help="rows shown per check (default 5)")
    integrity.set_defaults(func=cmd_integrity)
    load = sub.add_parser("load", help="simulated workstations in a hall's mix; latencies, throughput and what "
                                       "the database kept (exit 1 on errors, failed logins or live updates, or "
                                       "anything lost)")
    load.add_argument("--url", dest="url_after", default=None, metavar="URL",
                      help="the schema owner's database URL (default: a private server started and seeded for the run)")
    load.add_argument("--workstations", type=int, default=10, metavar="N")
    load.add_argument("--seconds", type=float, default=30.0, metavar="T")
    load.add_argument("--pause", type=float, default=2000.0, metavar="MS",
                      help="think time between steps, varied by half either way (default 2000; 0 for stress)")
    load.add_argument("--curve", metavar="N,N,...", help="one run per workstation count, then the saturation point")
    load.add_argument("--processes", type=int, help="client processes sharing the desks (default: one per core)")
    load.add_argument("--max-connections", type=int, metavar="N",
                      help="the private server's limit (default: 2 per workstation of the largest run, plus 20)")
    load.add_argument("--members", type=int, metavar="N",
                      help="seed the private server with the demo hall of N members (default: the quick demo hall)")
    load.add_argument("--force", action="store_true", help="run even against a database marked production")
    load.add_argument("--json", action="store_true", help="print a machine-readable document")
    load.set_defaults(func=cmd_load)
    return parser


def _days(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("give a whole number of days, 1 or more")
    return int(value)


def _url_option(parser: argparse.ArgumentParser) -> None:
    """--url after the command too (`unioncore restore FILE --url …`); the one before it is the same option."""
    parser.add_argument("--url", default=argparse.SUPPRESS, help="database URL (as before the command)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        return args.func(args)
    except (DomainError, ConnectionProblem) as exc:
        print(f"unioncore: {exc.message}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"unioncore: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
