"""Connection profiles: where the hall's server is. Qt-free so the CLI and tests share them; never holds a password."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

from sqlalchemy.engine import URL, make_url


@dataclass(frozen=True)
class ConnectionProfile:
    name: str
    host: str
    port: int = 5432
    database: str = "unioncore"
    user: str = ""
    sslmode: str = "prefer"

    @property
    def keyring_username(self) -> str:
        """The keyring entry's user name: `role@host/db`, so one login on two servers keeps two passwords."""
        return f"{self.user}@{self.host}/{self.database}"

    def with_user(self, user: str) -> ConnectionProfile:
        return replace(self, user=user)

    def sqlalchemy_url(self, password: str | None = None) -> URL:
        query: dict[str, str] = {}
        host = self.host
        if host.startswith("/"):
            # a unix socket folder (the embedded server): libpq takes it as the host parameter
            query["host"] = host
            host = ""
        else:
            query["sslmode"] = self.sslmode
        return URL.create(
            "postgresql+psycopg", username=self.user or None, password=password or None,
            host=host or None, port=self.port, database=self.database, query=query)

    def libpq_url(self) -> str:
        """A DSN psql accepts (no password: psql asks, or uses ~/.pgpass)."""
        params = {"host": self.host, "port": str(self.port)} if self.host.startswith("/") else {}
        netloc = "" if params else f"{self.host}:{self.port}"
        user = f"{quote(self.user)}@" if self.user else ""
        suffix = f"?{urlencode(params)}" if params else ""
        return f"postgresql://{user}{netloc}/{quote(self.database)}{suffix}"

    @classmethod
    def from_url(cls, url: str, name: str = "url") -> ConnectionProfile:
        parsed = make_url(url)
        host = parsed.host or str(parsed.query.get("host") or "")
        port = parsed.port or int(str(parsed.query.get("port") or 5432))
        return cls(name=name, host=host, port=port, database=parsed.database or "postgres",
                   user=parsed.username or "", sslmode=str(parsed.query.get("sslmode") or "prefer"))


def from_environment() -> ConnectionProfile | None:
    """`UNIONCORE_DATABASE_URL`, for the CLI and scripted use."""
    url = os.environ.get("UNIONCORE_DATABASE_URL")
    return ConnectionProfile.from_url(url, name="environment") if url else None
