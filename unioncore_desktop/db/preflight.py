"""Checks at connect: server reachable, schema at this build's head, and who the user is. One sentence each."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import psycopg
from sqlalchemy import Connection, Engine, text
from sqlalchemy import exc as sa_exc

from unioncore_desktop.db import revisions
from unioncore_desktop.domain.errors import ConnectionProblem, DomainError
from unioncore_desktop.domain.vocab import STAFF_ROLES


class SchemaState(enum.Enum):
    CURRENT = "current"
    NEEDS_UPGRADE = "needs_upgrade"  # older than this build (or empty): the schema's owner can upgrade
    TOO_NEW = "too_new"  # written by a newer build: this workstation must be updated


class PreflightError(DomainError):
    """The app cannot start its work against this server; the message says why in one sentence."""


@dataclass(frozen=True)
class Preflight:
    server_version: str
    database: str
    user: str
    full_name: str
    roles: frozenset[str]
    revision: str | None
    head: str
    schema: SchemaState
    hall_name: str
    environment: str
    # How this workstation reaches the server: a unix socket on this computer, or the network with or without TLS.
    local_socket: bool = False
    encrypted: bool = False
    tls_version: str | None = None  # e.g. "TLSv1.3", when the server reports it
    tls_cipher: str | None = None
    # Whether this login may run the migrations: it owns the schema's tables (or the empty schema) or is a
    # superuser. A staff admin manages logins, never the schema.
    can_migrate: bool = False
    # The hall's time zone as set up ("" when not set: the database's default applies). Screens show times in it.
    time_zone: str = ""

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


@dataclass(frozen=True)
class Transport:
    local_socket: bool
    encrypted: bool
    tls_version: str | None
    tls_cipher: str | None


def transport(conn: Connection, ssl: bool | None, version: str | None, cipher: str | None) -> Transport:
    """Whether this session's bytes are encrypted: libpq's own answer for the link it opened, with the TLS version
    and cipher the server reports (pg_stat_ssl's row for this session) when it terminates the TLS itself."""
    dbapi = conn.connection.dbapi_connection
    pgconn = getattr(dbapi, "pgconn", None)
    info = getattr(dbapi, "info", None)
    host = str(getattr(info, "host", "") or "")
    encrypted = bool(pgconn.ssl_in_use) if pgconn is not None else bool(ssl)
    if not (encrypted and ssl):
        version = cipher = None
    return Transport(local_socket=host.startswith("/"), encrypted=encrypted, tls_version=version, tls_cipher=cipher)


# Who is logging in, over what, and what the server holds for them, in one round trip: the server, the link's TLS,
# the staff groups held (`:groups`), superuser or not, whether the schema exists, and whether this login may migrate
# it: it owns the schema's tables (alembic_version stands for them), or schema public while that is empty.
WHO = """
    SELECT current_setting('server_version'), current_database(), session_user, s.ssl, s.version, s.cipher,
           ARRAY(SELECT g FROM unnest(CAST(:groups AS text[])) WITH ORDINALITY AS t(g, n)
                 WHERE pg_has_role(session_user, 'uc_' || g, 'MEMBER') ORDER BY n),
           coalesce(r.rolsuper, false),
           to_regclass('public.alembic_version') IS NOT NULL,
           pg_has_role(session_user, coalesce(
               (SELECT relowner FROM pg_catalog.pg_class WHERE oid = to_regclass('public.alembic_version')),
               (SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'public')), 'USAGE')
    FROM (SELECT pg_backend_pid() AS pid) AS me
    LEFT JOIN pg_catalog.pg_stat_ssl AS s ON s.pid = me.pid
    LEFT JOIN pg_catalog.pg_roles AS r ON r.rolname = session_user
"""
# A schema this build knows: the hall's settings and the login's name as staff, in one round trip.
HALL = """
    SELECT (SELECT json_object_agg(key, value) FROM app_settings),
           (SELECT full_name FROM staff WHERE login = :user)
"""


def run(engine: Engine) -> Preflight:
    """Raise ConnectionProblem or PreflightError, or describe the connection. Three round trips at most: who and
    over what, the schema's revision, the hall's settings (only for a schema this build knows)."""
    try:
        with engine.connect() as conn:
            (server_version, database, user, ssl, tls_version, cipher, groups, is_super, has_schema,
             owns_schema) = conn.execute(text(WHO), {"groups": list(STAFF_ROLES)}).one()
            link = transport(conn, ssl, tls_version, cipher)
            roles = frozenset(groups)
            if not roles and not is_super:
                raise PreflightError(f"The login {user} has no UnionCore role (dispatcher, dues clerk, manager or "
                                     "admin); ask an administrator to add you as staff.")
            can_migrate = bool(is_super or owns_schema)
            # the revision table as Alembic keeps it, and the files' names read without importing Alembic
            revision = (conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
                        if has_schema else None)
            head = revisions.head()
            settings: dict[str, str] = {}
            full_name = user
            if revision is not None and revision in revisions.known():
                values, staff_name = conn.execute(text(HALL), {"user": user}).one()
                settings = dict(values or {})
                full_name = staff_name or user
    except sa_exc.OperationalError as exc:
        raise _connect_problem(engine, exc) from exc
    except sa_exc.ProgrammingError as exc:
        if isinstance(exc.orig, psycopg.errors.InsufficientPrivilege):
            raise PreflightError("Your login can connect but may not read the UnionCore schema; "
                                 "ask an administrator to give you a staff role.") from exc
        raise

    if revision is None:
        state = SchemaState.NEEDS_UPGRADE
    elif revision == head:
        state = SchemaState.CURRENT
    elif revision in revisions.known():
        state = SchemaState.NEEDS_UPGRADE
    else:
        state = SchemaState.TOO_NEW
    if state is SchemaState.TOO_NEW:
        raise PreflightError(f"This workstation needs the new version of UnionCore Desktop: the database is at "
                             f"schema {revision}, this program knows up to {head}.")
    if is_super:
        roles = frozenset(STAFF_ROLES)  # the owner/superuser (CLI, demo set-up) can do everything
    return Preflight(server_version=server_version, database=database, user=user, full_name=full_name,
                     roles=roles, revision=revision, head=head, schema=state,
                     hall_name=settings.get("hall_name", "Hiring Hall"),
                     environment=settings.get("environment", "production"), local_socket=link.local_socket,
                     encrypted=link.encrypted, tls_version=link.tls_version, tls_cipher=link.tls_cipher,
                     can_migrate=can_migrate, time_zone=settings.get("time_zone", ""))


def _connect_problem(engine: Engine, exc: sa_exc.OperationalError) -> Exception:
    url = engine.url
    where = url.host or str(url.query.get("host", "the local server"))
    lines = [line.strip() for line in str(exc.orig).strip().splitlines()] if exc.orig else []
    detail = lines[0] if lines else ""
    # a host name with several addresses reports each attempt on its own line; a TLS refusal may be any of them
    tls = next((line for line in lines if _tls_refused(line)), None)
    if tls is not None:
        return PreflightError(f"The server at {where} could not be reached securely: {_tls_reason(tls)}")
    if "password authentication failed" in detail or "no password supplied" in detail:
        return PreflightError(f"The server refused the login {url.username}: check the user name and password.")
    if "does not exist" in detail and "database" in detail:
        return PreflightError(f"The server at {where} has no database named {url.database}.")
    if "role" in detail and "does not exist" in detail:
        return PreflightError(f"The server at {where} has no login named {url.username}.")
    return ConnectionProblem(f"Cannot reach the database server at {where}: {detail or 'no answer'}.")


def _tls_refused(detail: str) -> bool:
    # not "SSL SYSCALL error" and the like: those are a dropped network, which may be retried
    return any(part in detail for part in ("does not support SSL", "certificate", "sslrootcert", "sslmode"))


def _tls_reason(detail: str) -> str:
    """libpq's TLS failures, in the words of someone who has to fix the profile or call the administrator."""
    if "does not support SSL" in detail:
        return "it does not offer encryption, and this profile requires it. Ask the administrator to enable TLS."
    if "root certificate file" in detail:
        return "the CA certificate file cannot be read; choose it again in the connection profile."
    if "does not match host name" in detail or "is not valid for" in detail:
        return ("its certificate is for another host name; connect using the name on the certificate, or ask the "
                "administrator.")
    if "certificate verify failed" in detail or "self-signed certificate" in detail or "unable to get" in detail:
        return ("its certificate is not signed by the CA in this profile; check the CA certificate file with the "
                "administrator.")
    if "expired" in detail:
        return "its certificate has expired; ask the administrator to renew it."
    return detail.rstrip(".") + "."
