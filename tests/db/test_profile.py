"""Connection profiles: the TLS settings reach libpq through both URLs, a unix socket never gets them, and a
profile that cannot work says why in one sentence before anything is sent to the network."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from unioncore_desktop.db.connection import connect
from unioncore_desktop.db.preflight import PreflightError
from unioncore_desktop.db.profile import ConnectionProfile


def hall_profile(**changes) -> ConnectionProfile:
    return ConnectionProfile(name="hall", host="db.hall.local", port=5433, database="unioncore", user="dana",
                             **changes)


def test_a_network_profile_prefers_tls_by_default():
    profile = hall_profile()
    assert profile.sslmode == "prefer" and profile.sslrootcert == ""
    assert dict(profile.sqlalchemy_url().query) == {"sslmode": "prefer"}
    assert profile.libpq_url() == "postgresql://dana@db.hall.local:5433/unioncore?sslmode=prefer"


def test_verify_full_and_its_ca_file_reach_both_urls():
    profile = hall_profile(sslmode="verify-full", sslrootcert="/etc/unioncore/hall ca.crt")
    url = profile.sqlalchemy_url("s3cret")
    assert dict(url.query) == {"sslmode": "verify-full", "sslrootcert": "/etc/unioncore/hall ca.crt"}
    assert url.password == "s3cret" and url.host == "db.hall.local" and url.port == 5433
    dsn = profile.libpq_url()
    assert dsn == ("postgresql://dana@db.hall.local:5433/unioncore"
                   "?sslmode=verify-full&sslrootcert=/etc/unioncore/hall%20ca.crt")
    # what libpq itself reads from it (psql gets the same)
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    assert params["sslmode"] == "verify-full" and params["sslrootcert"] == "/etc/unioncore/hall ca.crt"
    assert ConnectionProfile.from_url(dsn, name="hall") == profile


def test_from_url_reads_the_tls_settings():
    profile = ConnectionProfile.from_url(
        "postgresql+psycopg://dana@db.hall.local/unioncore?sslmode=require&sslrootcert=/certs/ca.pem")
    assert (profile.sslmode, profile.sslrootcert, profile.port) == ("require", "/certs/ca.pem", 5432)
    plain = ConnectionProfile.from_url("postgresql://dana@db.hall.local/unioncore")
    assert (plain.sslmode, plain.sslrootcert) == ("prefer", "")


def test_a_unix_socket_never_gets_tls_settings():
    profile = ConnectionProfile(name="demo", host="/tmp/pg-sock", port=5544, database="unioncore", user="demo",
                                sslmode="verify-full")
    assert dict(profile.sqlalchemy_url().query) == {"host": "/tmp/pg-sock"}
    assert profile.libpq_url() == "postgresql://demo@/unioncore?host=/tmp/pg-sock&port=5544"
    assert profile.ssl_params() == {} and profile.tls_problem() is None


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="Unknown encryption setting 'secure'"):
        hall_profile(sslmode="secure")


def test_verify_full_needs_a_readable_ca_file(tmp_path: Path):
    assert "needs the CA certificate file" in hall_profile(sslmode="verify-full").tls_problem()
    missing = tmp_path / "nowhere.crt"
    assert hall_profile(sslmode="verify-full", sslrootcert=str(missing)).tls_problem() == (
        f"The CA certificate file {missing} does not exist; choose the file the administrator gave you.")
    assert "is a folder" in hall_profile(sslmode="require", sslrootcert=str(tmp_path)).tls_problem()
    present = tmp_path / "ca.crt"
    present.write_text("-----BEGIN CERTIFICATE-----\n")
    assert hall_profile(sslmode="verify-full", sslrootcert=str(present)).tls_problem() is None
    assert hall_profile(sslmode="verify-full", sslrootcert="system").tls_problem() is None
    if os.geteuid() != 0:  # root reads any file
        present.chmod(0)
        assert "cannot be read" in hall_profile(sslmode="verify-full", sslrootcert=str(present)).tls_problem()


def test_connect_refuses_a_profile_that_cannot_work_before_reaching_the_network():
    # port 1 would be "cannot reach the server": the sentence about the CA file comes first
    profile = ConnectionProfile(name="hall", host="127.0.0.1", port=1, user="dana", sslmode="verify-full")
    with pytest.raises(PreflightError, match="needs the CA certificate file"):
        connect(profile)
