"""TLS to the hall's server, end to end through libpq: the embedded PostgreSQL has no TLS of its own, so a TLS
front end (tests/tls_front_end.py) stands where a TLS-enabled server would, and libpq checks the certificate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.tls_front_end import Certificates, TlsFrontEnd, embedded_socket, make_certificates
from unioncore_desktop.db.connection import connect
from unioncore_desktop.db.preflight import PreflightError
from unioncore_desktop.db.profile import ConnectionProfile


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def socket_path(pg_server) -> str:
    path = embedded_socket(pg_server.admin_url)
    if path is None:
        pytest.skip("the TLS front end needs the embedded server's unix socket")
    return path


@pytest.fixture
def front_end(socket_path: str, certificates: Certificates) -> Iterator[TlsFrontEnd]:
    proxy = TlsFrontEnd(socket_path, certificates.server_context)
    yield proxy
    proxy.close()


@pytest.fixture
def staff(databases) -> tuple[str, str]:
    name = databases.create()
    return name, databases.make_staff(name, "dispatcher", "Dee Dispatcher")


def profile(port: int, database: str, user: str, *, host: str = "localhost", sslmode: str = "verify-full",
            ca: Path | None = None) -> ConnectionProfile:
    return ConnectionProfile(name="hall", host=host, port=port, database=database, user=user, sslmode=sslmode,
                             sslrootcert=str(ca) if ca else "")


# --- tests ----------------------------------------------------------------------------------------------------


def test_verify_full_with_the_hall_ca_connects_encrypted(front_end, certificates, staff):
    database, login = staff
    hall = connect(profile(front_end.port, database, login, ca=certificates.hall_ca))
    try:
        facts = hall.facts
        assert facts.encrypted and not facts.local_socket and facts.user == login
        # the server behind the front end sees a local socket, so it cannot name the TLS version; libpq can
        assert facts.tls_version is None
        assert front_end.tls_versions == ["TLSv1.3"]
        assert hall.ping()
    finally:
        hall.close()


def test_a_certificate_from_another_ca_is_refused_in_one_sentence(front_end, certificates, staff):
    database, login = staff
    with pytest.raises(PreflightError) as refused:
        connect(profile(front_end.port, database, login, ca=certificates.other_ca))
    assert refused.value.message == (
        "The server at localhost could not be reached securely: its certificate is not signed by the CA in this "
        "profile; check the CA certificate file with the administrator.")


def test_a_certificate_for_another_host_name_is_refused(front_end, certificates, staff):
    database, login = staff
    with pytest.raises(PreflightError, match="its certificate is for another host name"):
        connect(profile(front_end.port, database, login, host="127.0.0.1", ca=certificates.hall_ca))


def test_require_without_a_ca_encrypts_but_prefer_and_require_both_work(front_end, staff):
    database, login = staff
    for mode in ("require", "prefer"):
        hall = connect(profile(front_end.port, database, login, sslmode=mode))
        try:
            assert hall.facts.encrypted
        finally:
            hall.close()
    assert front_end.tls_versions == ["TLSv1.3", "TLSv1.3"]


def test_a_server_without_tls_is_refused_when_the_profile_requires_it(socket_path, staff):
    database, login = staff
    plain = TlsFrontEnd(socket_path, None)
    try:
        with pytest.raises(PreflightError, match="it does not offer encryption, and this profile requires it"):
            connect(profile(plain.port, database, login, sslmode="require"))
        hall = connect(profile(plain.port, database, login, sslmode="prefer"))
        try:
            assert not hall.facts.encrypted and not hall.facts.local_socket
        finally:
            hall.close()
    finally:
        plain.close()


def test_the_embedded_server_stores_scram_verifiers(pg_server):
    engine = pg_server.admin_engine()
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW password_encryption")).scalar_one() == "scram-sha-256"
    finally:
        engine.dispose()
