"""Connection profiles: where the hall's server is. Qt-free so the CLI and tests share them; never holds a password."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

if TYPE_CHECKING:  # SQLAlchemy loads when a URL is made: the log-in dialog and the settings need profiles first
    from sqlalchemy.engine import URL

# What the profile editor offers: encrypt when the server can, always encrypt, or always encrypt and check that
# the certificate is the server's (signed by the hall's CA and naming the host).
SSL_MODES = ("prefer", "require", "verify-full")
# Every mode libpq knows; a profile read from a URL may name any of them.
LIBPQ_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# libpq (16 and later) takes this instead of a file: the operating system's trusted authorities.
SYSTEM_ROOT_CERTS = "system"
# With a primary and a standby listed, work goes to whichever accepts writes; reports prefer the standby.
READ_WRITE, PREFER_STANDBY = "read-write", "prefer-standby"
SESSION_ATTRS = ("", "any", READ_WRITE, "read-only", "primary", "standby", PREFER_STANDBY)


@dataclass(frozen=True)
class ConnectionProfile:
    name: str
    host: str
    port: int = 5432
    database: str = "unioncore"
    user: str = ""
    sslmode: str = "prefer"
    sslrootcert: str = ""  # the CA certificate file that signed the server's certificate (or "system")
    # "" lets libpq decide: any server for one host, the one that accepts writes when `host` lists several
    target_session_attrs: str = ""
    # the standby that month-end reports read from ("host" or "host:port"); the primary when it is down
    reports_host: str = ""

    def __post_init__(self) -> None:
        if self.sslmode not in LIBPQ_SSL_MODES:
            raise ValueError(f"Unknown encryption setting {self.sslmode!r}: use one of {', '.join(SSL_MODES)}.")
        if self.target_session_attrs not in SESSION_ATTRS:
            raise ValueError(f"Unknown target_session_attrs {self.target_session_attrs!r}.")
        for host, _port in (*self.endpoints(), *self._endpoints(self.reports_host)):
            if not host:
                raise ValueError(f"A server in {self.host!r} has no name: write them as host:port, host:port.")

    def endpoints(self) -> tuple[tuple[str, int], ...]:
        """`host` may list several servers, "a,b" or "a:5432,b:5433" (libpq multi-host): each with its port."""
        return self._endpoints(self.host)

    def _endpoints(self, hosts: str) -> tuple[tuple[str, int], ...]:
        if not hosts or hosts.startswith("/"):
            return ((hosts, self.port),) if hosts else ()
        found = []
        for entry in (part.strip() for part in hosts.split(",")):
            name, colon, port = entry.rpartition(":")
            if colon and port.isdigit() and (":" not in name or name.startswith("[")):
                found.append((name.strip("[]"), int(port)))
            else:
                found.append((entry, self.port))
        return tuple(found)

    @property
    def multi_host(self) -> bool:
        return len(self.endpoints()) > 1

    @property
    def session_attrs(self) -> str:
        """What libpq is asked for: read-write by default when several servers are listed."""
        return self.target_session_attrs or (READ_WRITE if self.multi_host else "")

    def reports_profile(self) -> ConnectionProfile | None:
        """Where the reports screen reads: the standby named for reports first, then this profile's servers,
        with prefer-standby (so month-end printing never slows the counter while a standby answers)."""
        if not self.reports_host:
            return None
        listed = [f"{host}:{port}" for host, port in (*self._endpoints(self.reports_host), *self.endpoints())]
        return replace(self, name=f"{self.name} reports", host=",".join(dict.fromkeys(listed)),
                       target_session_attrs=PREFER_STANDBY, reports_host="")

    @property
    def keyring_username(self) -> str:
        """The keyring entry's user name: `role@host/db`, so one login on two servers keeps two passwords."""
        return f"{self.user}@{self.host}/{self.database}"

    @property
    def is_local_socket(self) -> bool:
        """A unix socket folder (the embedded demo server): nothing crosses a network, so no TLS settings."""
        return self.host.startswith("/")

    def with_user(self, user: str) -> ConnectionProfile:
        return replace(self, user=user)

    def ssl_params(self) -> dict[str, str]:
        """The libpq parameters for TLS; none for a unix socket."""
        if self.is_local_socket:
            return {}
        params = {"sslmode": self.sslmode}
        if self.sslrootcert:
            params["sslrootcert"] = self.sslrootcert
        return params

    def tls_problem(self) -> str | None:
        """One sentence saying why these TLS settings cannot work, or None. Reads the CA file, so call it off the
        GUI thread (connect() does)."""
        if self.is_local_socket:
            return None
        if self.sslmode == "verify-full" and not self.sslrootcert:
            return ("Checking the server's certificate needs the CA certificate file that signed it: choose the "
                    "file in the connection profile, or ask the administrator for it.")
        if not self.sslrootcert or self.sslrootcert == SYSTEM_ROOT_CERTS or self.sslmode in ("disable", "allow"):
            return None
        path = Path(self.sslrootcert).expanduser()
        if not path.exists():
            return f"The CA certificate file {path} does not exist; choose the file the administrator gave you."
        if not path.is_file():
            return f"{path} is a folder, not a CA certificate file; choose the file the administrator gave you."
        try:
            with path.open("rb") as handle:
                handle.read(1)
        except OSError as exc:
            return f"The CA certificate file {path} cannot be read ({exc.strerror or exc}); check its permissions."
        return None

    def sqlalchemy_url(self, password: str | None = None) -> URL:
        from sqlalchemy.engine import URL

        query: dict[str, str | tuple[str, ...]] = {}
        host, port = self.host, self.port
        if self.is_local_socket:
            # a unix socket folder (the embedded server): libpq takes it as the host parameter
            query["host"] = host
            host = ""
        else:
            query.update(self.ssl_params())
            if self.multi_host:  # SQLAlchemy's form of a libpq host list: host=a:p1&host=b:p2
                query["host"] = tuple(f"{name}:{number}" for name, number in self.endpoints())
                host = ""
            else:
                host, port = self.endpoints()[0]
        if self.session_attrs:
            query["target_session_attrs"] = self.session_attrs
        return URL.create(
            "postgresql+psycopg", username=self.user or None, password=password or None,
            host=host or None, port=None if self.multi_host else port, database=self.database, query=query)

    def libpq_params(self) -> dict[str, str]:
        """Keyword parameters for libpq (the live-update listener's connection): host and port lists included."""
        endpoints = self.endpoints()
        params = {"host": ",".join(host for host, _ in endpoints), "port": ",".join(str(p) for _, p in endpoints),
                  "dbname": self.database, **self.ssl_params()}
        if self.user:
            params["user"] = self.user
        if self.session_attrs:
            params["target_session_attrs"] = self.session_attrs
        return params

    def libpq_url(self) -> str:
        """A DSN psql accepts (no password: psql asks, or uses ~/.pgpass)."""
        if self.is_local_socket:
            params = {"host": self.host, "port": str(self.port)}
            netloc = ""
        else:
            params = self.ssl_params()
            netloc = ",".join(f"{host}:{port}" for host, port in self.endpoints())
        if self.session_attrs:
            params["target_session_attrs"] = self.session_attrs
        user = f"{quote(self.user)}@" if self.user else ""
        suffix = f"?{urlencode(params, quote_via=quote, safe='/')}" if params else ""
        return f"postgresql://{user}{netloc}/{quote(self.database)}{suffix}"

    @classmethod
    def from_url(cls, url: str, name: str = "url") -> ConnectionProfile:
        from sqlalchemy.engine import make_url

        # libpq's host list in the URL's authority ("user@a:5432,b:5433"), which SQLAlchemy cannot parse
        listed = re.match(r"^([\w+]+://(?:[^@/]*@)?)([^/?@]*,[^/?@]*)(.*)$", url)
        if listed:
            url = f"{listed.group(1)}{listed.group(3)}"
        parsed = make_url(url)

        def param(key: str) -> str:
            value = parsed.query.get(key) or ""
            # a key given twice arrives as a tuple; libpq takes the last one
            return str(value[-1] if isinstance(value, tuple) else value)

        hosts = parsed.query.get("host")
        if listed:
            host = listed.group(2)
        elif isinstance(hosts, tuple) and len(hosts) > 1:  # SQLAlchemy's form: host=a:p1&host=b:p2
            host = ",".join(hosts)
        else:
            host = parsed.host or param("host")
        port = parsed.port or int(param("port") or 5432)
        attrs = param("target_session_attrs")
        profile = cls(name=name, host=host, port=port, database=parsed.database or "postgres",
                      user=parsed.username or "", sslmode=param("sslmode") or "prefer",
                      sslrootcert=param("sslrootcert"), target_session_attrs=attrs)
        # the default for a host list is not kept as a setting of its own
        return replace(profile, target_session_attrs="") if attrs == READ_WRITE and profile.multi_host else profile


def from_environment() -> ConnectionProfile | None:
    """`UNIONCORE_DATABASE_URL`, for the CLI and scripted use."""
    url = os.environ.get("UNIONCORE_DATABASE_URL")
    return ConnectionProfile.from_url(url, name="environment") if url else None
