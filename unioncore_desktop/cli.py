"""`unioncore`: the admin command line. Same domain package as the app, no Qt."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import time
from collections.abc import Sequence

from sqlalchemy import URL, Engine, create_engine

from unioncore_desktop.db import migrate, profile, sql_sources
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
            current = migrate.current_revision(conn)
            head = migrate.head_revision()
            if current != head:
                print(f"database is at {current or 'no schema'}, this build expects {head}: run `unioncore db upgrade`")
                return 1
            # alembic compares tables, columns and indexes; functions, triggers, views and CHECKs are held
            # to migrations/sql/ and the models here
            differences = [*migrate.drift(conn), *sql_sources.drift(conn)]
            loopholes = migrate.loopholes(conn)
        if differences:
            print("the database differs from the models:")
            for diff in differences:
                print(f"  {diff}")
        for loophole in loopholes:
            print(f"the database is open: {loophole}")
        if differences or loopholes:
            return 1
        print(f"database at {head}; no drift")
        return 0
    finally:
        engine.dispose()


def cmd_seed(args: argparse.Namespace) -> int:
    from unioncore_desktop.seed.demo import seed_demo, seed_stress

    engine = _engine(args)
    try:
        started = time.perf_counter()
        if args.remittance_file:
            return _write_remittance_file(engine, args)
        if args.stress:
            added = seed_stress(engine, members=args.members, force=args.force)
            print(f"added {added} members in {time.perf_counter() - started:.1f} s")
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

    from unioncore_desktop.domain.vocab import IMPORT_ENTITIES

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
