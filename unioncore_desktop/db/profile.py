"""Connection profiles: where the hall's server is. Qt-free so the CLI and tests share them; never holds a password."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy.engine import URL, make_url

# What the profile editor offers: encrypt when the server can, always encrypt, or always encrypt and check that
# the certificate is the server's (signed by the hall's CA and naming the host).
SSL_MODES = ("prefer", "require", "verify-full")
# Every mode libpq knows; a profile read from a URL may name any of them.
LIBPQ_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# libpq (16 and later) takes this instead of a file: the operating system's trusted authorities.
SYSTEM_ROOT_CERTS = "system"


@dataclass(frozen=True)
class ConnectionProfile:
    name: str
    host: str
    port: int = 5432
    database: str = "unioncore"
    user: str = ""
    sslmode: str = "prefer"
    sslrootcert: str = ""  # the CA certificate file that signed the server's certificate (or "system")

    def __post_init__(self) -> None:
        if self.sslmode not in LIBPQ_SSL_MODES:
            raise ValueError(f"Unknown encryption setting {self.sslmode!r}: use one of {', '.join(SSL_MODES)}.")

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
        query: dict[str, str] = {}
        host = self.host
        if self.is_local_socket:
            # a unix socket folder (the embedded server): libpq takes it as the host parameter
            query["host"] = host
            host = ""
        else:
            query.update(self.ssl_params())
        return URL.create(
            "postgresql+psycopg", username=self.user or None, password=password or None,
            host=host or None, port=self.port, database=self.database, query=query)

    def libpq_url(self) -> str:
        """A DSN psql accepts (no password: psql asks, or uses ~/.pgpass)."""
        if self.is_local_socket:
            params = {"host": self.host, "port": str(self.port)}
            netloc = ""
        else:
            params = self.ssl_params()
            netloc = f"{self.host}:{self.port}"
        user = f"{quote(self.user)}@" if self.user else ""
        suffix = f"?{urlencode(params, quote_via=quote, safe='/')}" if params else ""
        return f"postgresql://{user}{netloc}/{quote(self.database)}{suffix}"

    @classmethod
    def from_url(cls, url: str, name: str = "url") -> ConnectionProfile:
        parsed = make_url(url)

        def param(key: str) -> str:
            value = parsed.query.get(key) or ""
            # a key given twice arrives as a tuple; libpq takes the last one
            return str(value[-1] if isinstance(value, tuple) else value)

        host = parsed.host or param("host")
        port = parsed.port or int(param("port") or 5432)
        return cls(name=name, host=host, port=port, database=parsed.database or "postgres",
                   user=parsed.username or "", sslmode=param("sslmode") or "prefer", sslrootcert=param("sslrootcert"))


def from_environment() -> ConnectionProfile | None:
    """`UNIONCORE_DATABASE_URL`, for the CLI and scripted use."""
    url = os.environ.get("UNIONCORE_DATABASE_URL")
    return ConnectionProfile.from_url(url, name="environment") if url else None
