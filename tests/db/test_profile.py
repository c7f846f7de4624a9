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
    return ConnectionProfile(**{"name": "hall", "host": "db.hall.local", "port": 5433, "database": "unioncore",
                                "user": "dana", **changes})


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


def test_a_primary_and_its_standby_listed_in_one_profile_ask_libpq_for_the_one_that_writes():
    profile = hall_profile(host="hall-a:5432,hall-b:5433", port=5432)  # each host names its own port
    assert profile.endpoints() == (("hall-a", 5432), ("hall-b", 5433)) and profile.multi_host
    assert profile.session_attrs == "read-write"
    dsn = profile.libpq_url()
    assert dsn == "postgresql://dana@hall-a:5432,hall-b:5433/unioncore?sslmode=prefer&target_session_attrs=read-write"
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    assert (params["host"], params["port"], params["target_session_attrs"]) == ("hall-a,hall-b", "5432,5433",
                                                                                 "read-write")
    assert ConnectionProfile.from_url(dsn, name="hall") == profile
    # what SQLAlchemy hands psycopg, and the listener's parameters
    from sqlalchemy import create_engine

    engine = create_engine(profile.sqlalchemy_url("pw"))
    _args, kwargs = engine.dialect.create_connect_args(engine.url)
    assert (kwargs["host"], kwargs["port"], kwargs["target_session_attrs"]) == ("hall-a,hall-b", "5432,5433",
                                                                                "read-write")
    assert ConnectionProfile.from_url(profile.sqlalchemy_url().render_as_string(), name="hall") == profile
    assert profile.libpq_params() == {"host": "hall-a,hall-b", "port": "5432,5433", "dbname": "unioncore",
                                      "user": "dana", "sslmode": "prefer", "target_session_attrs": "read-write"}
    # hosts without their own port take the profile's
    assert hall_profile(host="a,b").endpoints() == (("a", 5433), ("b", 5433))


def test_one_host_keeps_its_plain_urls_and_a_bad_list_is_refused():
    assert hall_profile().session_attrs == "" and not hall_profile().multi_host
    assert hall_profile(host="db.hall.local:6000").sqlalchemy_url().port == 6000
    assert hall_profile(host="[::1]:6000").endpoints() == (("::1", 6000),)
    assert hall_profile(host="::1").endpoints() == (("::1", 5433),)
    with pytest.raises(ValueError, match="has no name"):
        hall_profile(host="a,,b")
    with pytest.raises(ValueError, match="target_session_attrs"):
        hall_profile(target_session_attrs="fastest")


def test_a_reports_profile_prefers_the_standby_and_falls_back_to_the_primary():
    assert hall_profile().reports_profile() is None
    profile = hall_profile(host="hall-a,hall-b", reports_host="hall-b")
    reports = profile.reports_profile()
    assert reports is not None
    assert reports.endpoints() == (("hall-b", 5433), ("hall-a", 5433))
    assert reports.session_attrs == "prefer-standby" and reports.reports_host == ""
    assert dict(reports.sqlalchemy_url().query)["target_session_attrs"] == "prefer-standby"
    single = hall_profile(reports_host="standby.hall.local:5432").reports_profile()
    assert single is not None and single.endpoints() == (("standby.hall.local", 5432), ("db.hall.local", 5433))
