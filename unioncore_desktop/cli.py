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
from unioncore_desktop.domain.vocab import IMPORT_ENTITIES, STAFF_ROLES

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


def cmd_server(args: argparse.Namespace) -> int:
    """The hall's own server on its LAN (db/hall_server.py); runs on the server PC, as its administrator."""
    from unioncore_desktop.db import hall_server

    data = Path(args.data).expanduser().resolve()
    try:
        if args.action == "init":
            return _server_init(args, data)
        if args.action == "start":
            print(f"hall server started from {data}" if hall_server.start(data) else "hall server was running")
        elif args.action == "stop":
            print("hall server stopped" if hall_server.stop(data) else "hall server was not running")
        elif args.action == "status":
            state = hall_server.status(data)
            print("\n".join(state.lines()))
            return 0 if state.running else 3
        elif args.action == "standby":
            password = _secret(args, "Replication password (the primary's replication-password file): ")
            settings = hall_server.standby(data, primary=args.primary, password=password, listen=args.listen,
                                           port=args.port)
            print(f"standby of {args.primary} running from {data} on {settings.listen}:{settings.port}")
            print(f"workstation profiles list both: host {args.primary},{settings.listen}:{settings.port}")
        elif args.action == "sync":
            hall_server.set_synchronous(data, args.state == "on")
            print("commits now wait for the standby" if args.state == "on" else
                  "commits no longer wait for the standby")
        else:
            hall_server.promote(data)
            print(f"the server in {data} is now the primary: workstations listing it reconnect to it by themselves")
        return 0
    except hall_server.ServerError as exc:
        raise CliError(str(exc)) from None


def _server_init(args: argparse.Namespace, data: Path) -> int:
    from sqlalchemy.orm import sessionmaker

    from unioncore_desktop.db import hall_server
    from unioncore_desktop.db.engine import WORKSTATION_CONNECTIONS
    from unioncore_desktop.domain.rules.staff import password_errors, staff_errors
    from unioncore_desktop.domain.services import staff

    needed = hall_server.connections_for(args.workstations)
    if args.max_connections is not None and args.max_connections < needed:
        print(f"note: {args.workstations} workstations may hold {needed} connections; --max-connections "
              f"{args.max_connections} serves {hall_server.workstations_for(args.max_connections)}")
    settings = hall_server.ServerSettings(listen=args.listen, port=args.port, subnet=args.subnet,
                                          max_connections=args.max_connections or needed,
                                          tls=hall_server.tls_available())
    password = _password(args, f"Password for the first admin, {args.admin}: ", required=True) or ""
    # the admin's name and password are checked before the server is made, so a typo costs no half-made hall
    problems = {**staff_errors(login=args.admin, full_name=args.full_name or args.admin, roles=["admin"]),
                **password_errors(password)}
    if problems:
        raise CliError("; ".join(problems.values()))
    done = hall_server.init(data, settings)
    engine = create_engine(done.admin_url)
    try:
        staff.add_staff(UnitOfWork(sessionmaker(engine)), login=args.admin, full_name=args.full_name or args.admin,
                        roles=["admin"], password=password)
    finally:
        engine.dispose()
    host = hall_server.lan_address(settings) or "THIS-PC"  # listening on all, with no address in the subnet
    print(f"hall server running from {data}, database {settings.database} migrated; first admin {args.admin}")
    print("a workstation's connection profile:")
    print(f"  host      {host}")
    print(f"  port      {settings.port}")
    print(f"  database  {settings.database}")
    if done.fingerprint:
        print(f"  encryption  verify-full, CA certificate file: a copy of {data / hall_server.CERT_FILE}")
        print(f"  certificate fingerprint (SHA-256), to compare on each workstation: {done.fingerprint}")
    else:
        print(f"  encryption  prefer. {hall_server.TLS_MISSING}")
    print(f"only {settings.network} may connect; max_connections {settings.max_connections} "
          f"({hall_server.workstations_for(settings.max_connections)} workstations x {WORKSTATION_CONNECTIONS} "
          f"+ {hall_server.RESERVED_CONNECTIONS} kept for the admin)")
    backups = data.parent / "backups"
    backups.mkdir(mode=0o700, exist_ok=True)  # `unioncore backup --to` takes a folder that exists
    print("started at boot and backed up nightly (crontab -e as this user):")
    print(f"  @reboot     unioncore server start --data {data}")
    print(f"  30 2 * * *  unioncore --url '{done.admin_url}' backup --to {backups} --verify "
          "--keep-days 14")
    print("  (and copy the backups folder off this PC: see Going live, Backups)")
    print("a standby on a second PC (copy the replication password file to it first):")
    print(f"  unioncore server standby --primary {host}:{settings.port} --data DIR --listen ADDR "
          f"--port {settings.port} --password-file {data / hall_server.REPLICATION_PASSWORD_FILE}")
    print(f"admin commands on this PC: unioncore --url '{done.admin_url}' db check | staff … | integrity")
    return 0


def _secret(args: argparse.Namespace, prompt: str) -> str:
    """A secret from --password-file, the first line of stdin (--password-stdin), or asked once."""
    if args.password_file:
        try:
            return Path(args.password_file).read_text().strip()
        except OSError as exc:
            raise CliError(f"--password-file {args.password_file} cannot be read ({exc.strerror})") from None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CliError("give the password with --password-file or --password-stdin")
    return getpass.getpass(prompt)


def _mapping_with(base: dict[str, str | None], pairs: Sequence[str], fields: Sequence[str]) -> dict[str, str | None]:
    """The mapping to start from with each `header=field` of --map put in (a header chosen anew leaves the field it
    held; `header=` leaves the header out)."""
    mapping = dict(base)
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        if not sep or not header:
            raise CliError(f"--map takes header=field, not {pair!r}")
        for name, chosen in mapping.items():
            if chosen == header:
                mapping[name] = None
        if field:
            if field not in fields:
                raise CliError(f"{field!r} is not a field of this import; the fields are {', '.join(fields)}")
            mapping[field] = header
    return mapping


def cmd_import(args: argparse.Namespace) -> int:
    """`import <entity> FILE`: one file of the old system's records, mapped, checked and imported in one transaction
    (exit 1 when rows were rejected and not accepted: nothing was written); `import compare`: each book's order in
    the imported source beside its queue order (exit 1 when a book differs)."""
    import dataclasses
    import json

    from sqlalchemy.orm import Session, sessionmaker

    from unioncore_desktop.domain.queries.imports import book_order_comparison
    from unioncore_desktop.domain.rules import imports as import_rules
    from unioncore_desktop.domain.services import imports

    engine = _engine(args)
    try:
        if args.entity == "compare":
            with Session(engine) as session:
                comparison = book_order_comparison(session)
            if args.json:
                books = [{**dataclasses.asdict(book), "agrees": book.agrees} for book in comparison.books]
                print(json.dumps({"agrees": comparison.agrees, "books": books}, default=str, indent=1))
            for book in [] if args.json else comparison.books:
                if book.agrees:
                    print(f"{book.book_name}: agrees ({book.queue_count} places in source order)")
                else:
                    line = book.lines[(book.first_difference or 1) - 1]
                    print(f"{book.book_name}: differs from place {book.first_difference}: the source has "
                          f"{line.source_card} {line.source_name}, the book {line.queue_card} {line.queue_name}")
            if not comparison.books and not args.json:
                print("no registrations were imported yet")
            return 0 if comparison.agrees else 1
        if not args.file:
            raise CliError(f"name the file to import: unioncore import {args.entity} FILE")
        uow = UnitOfWork(sessionmaker(engine))
        table = imports.read_file(args.file)
        mapping, origin = imports.resolve_mapping(uow, entity=args.entity, source=args.source, headers=table.headers)
        if args.map:
            fields = [f.name for f in import_rules.fields_of(args.entity)]
            mapping, origin = _mapping_with(mapping, args.map, fields), "given"
        result = imports.run_import(uow, entity=args.entity, path=args.file, source=args.source, mapping=mapping,
                                    dry_run=args.dry_run, accept_rejected=args.accept_rejected, table=table)
        if args.json:
            print(json.dumps({**dataclasses.asdict(result), "mapping_origin": origin}, default=str, indent=1))
        else:
            print(f"columns ({origin}): " + ", ".join(f"{h} -> {f}" for f, h in result.mapping.items() if h))
            print("\n".join(result.summary_lines()))
            if result.status == "refused":
                print("fix the rows above, or import the others with --accept-rejected")
        return 1 if result.status == "refused" else 0
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
    _server_parser(sub)
    imports = sub.add_parser("import", help="records from the hall's old system (admins), and the book-order check")
    imports.add_argument("entity", choices=(*IMPORT_ENTITIES, "compare"),
                         help="what the file holds; import members and employers first. compare: each book's "
                              "imported order beside its queue order")
    imports.add_argument("file", nargs="?", help="the export: .csv, .csv.gz or .xlsx")
    imports.add_argument("--source", default="LaborPower",
                         help="the system the file comes from; mappings are remembered per source "
                              "(default: %(default)s)")
    imports.add_argument("--map", action="append", default=[], metavar="HEADER=FIELD",
                         help="the column HEADER holds FIELD (repeat; remembered once the import commits)")
    imports.add_argument("--dry-run", action="store_true", help="show what would change and write nothing")
    imports.add_argument("--accept-rejected", action="store_true",
                         help="import the rows that pass and keep the rejected ones with the run for review")
    imports.add_argument("--json", action="store_true", help="the result as JSON")
    imports.set_defaults(func=cmd_import)
    return parser


def _days(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("give a whole number of days, 1 or more")
    return int(value)


def _url_option(parser: argparse.ArgumentParser) -> None:
    """--url after the command too (`unioncore restore FILE --url …`); the one before it is the same option."""
    parser.add_argument("--url", default=argparse.SUPPRESS, help="database URL (as before the command)")


def _server_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    server = sub.add_parser("server", help="the hall's own PostgreSQL server on its LAN (run on the server PC)")
    server_sub = server.add_subparsers(dest="action", required=True)

    def data(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--data", required=True, metavar="DIR", help="the server's data folder")
        return parser

    init = data(server_sub.add_parser("init", help="set up a new server, start it, migrate, add the first admin"))
    init.add_argument("--listen", required=True, metavar="ADDR",
                      help="the address(es) workstations reach it on, comma-separated, or *")
    init.add_argument("--port", type=int, default=5432)
    init.add_argument("--subnet", required=True, metavar="CIDR", help="only this network may connect")
    init.add_argument("--workstations", type=int, default=10, metavar="N",
                      help="sizes max_connections (default 10)")
    init.add_argument("--max-connections", type=int, metavar="N", help="instead of the size from --workstations")
    init.add_argument("--admin", default="hall_admin", metavar="LOGIN", help="the first admin's login")
    init.add_argument("--full-name")
    init.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    for action, text_ in (("start", "start the server in the background"), ("stop", "stop it (fast shutdown)"),
                          ("status", "running or stopped, connections in use, replication (exit 3 if stopped)"),
                          ("promote", "make this standby the primary")):
        data(server_sub.add_parser(action, help=text_))
    standby = data(server_sub.add_parser("standby", help="make a streaming standby of the primary here"))
    standby.add_argument("--primary", required=True, metavar="HOST:PORT")
    standby.add_argument("--listen", required=True, metavar="ADDR")
    standby.add_argument("--port", type=int, default=5432)
    standby.add_argument("--password-file", metavar="PATH", help="a copy of the primary's replication-password")
    standby.add_argument("--password-stdin", action="store_true")
    sync = data(server_sub.add_parser("sync", help="on: every commit waits for the standby (nothing is lost at "
                                                   "a failover); off while the standby PC is down"))
    sync.add_argument("state", choices=("on", "off"))
    server.set_defaults(func=cmd_server)


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
