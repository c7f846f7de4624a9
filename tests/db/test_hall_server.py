"""`unioncore server …`: the hall's own server from the wheel, set up for its LAN (the subnet only, SCRAM,
connections sized for the workstations), started, watched, backed up and stopped from the command line."""

from __future__ import annotations

import io
import shlex
import socket
from pathlib import Path

import psycopg
import pytest

from unioncore_desktop import cli
from unioncore_desktop.db import hall_server
from unioncore_desktop.db.engine import WORKSTATION_CONNECTIONS


def settings(**changes) -> hall_server.ServerSettings:
    return hall_server.ServerSettings(**{"listen": "192.168.1.10", "port": 5432, "subnet": "192.168.1.0/24",
                                         "max_connections": 200, **changes})


def test_max_connections_are_sized_for_every_workstation_holding_all_it_may():
    # the pool and its overflow, the live-update listener and a reports connection (db/engine.py)
    assert WORKSTATION_CONNECTIONS == 8
    assert hall_server.connections_for(100) == 100 * 8 + hall_server.RESERVED_CONNECTIONS
    assert hall_server.workstations_for(hall_server.connections_for(100)) == 100
    assert hall_server.workstations_for(100) == 11  # the embedded server's default: far short of a busy hall


def test_only_the_subnet_reaches_the_hall_database_with_scram():
    hba = hall_server.render_hba(settings(subnet="192.168.1.77/24"))
    remote = [line.split() for line in hba.splitlines() if line.startswith("host")]
    assert remote == [["host", "unioncore", "all", "192.168.1.0/24", "scram-sha-256"],
                      ["host", "replication", "hall_replication", "192.168.1.0/24", "scram-sha-256"]]
    assert "trust" not in "".join(line for line in hba.splitlines() if not line.startswith("local"))
    with_tls = hall_server.render_hba(settings(tls=True))
    assert [line.split()[0] for line in with_tls.splitlines() if line.startswith("host")] == ["hostssl"] * 2
    conf = hall_server.render_conf(settings(listen="192.168.1.10,127.0.0.1", max_connections=810))
    for line in ("listen_addresses = '192.168.1.10,127.0.0.1'", "port = 5432", "max_connections = 810",
                 "password_encryption = 'scram-sha-256'", "ssl = off", "unix_socket_permissions = 0700",
                 "synchronous_standby_names = ''"):
        assert line in conf.splitlines()
    assert "ssl = on" in hall_server.render_conf(settings(tls=True))
    assert "synchronous_standby_names = '*'" in hall_server.render_conf(settings(synchronous=True))


@pytest.mark.parametrize("changes, says", [
    ({"subnet": "the office"}, "--subnet 'the office' is not a network"),
    ({"port": 70000}, "--port 70000 is not a TCP port"),
    ({"listen": "a b"}, "is not an address"),
    ({"max_connections": 12}, "--max-connections 12 is too few"),
])
def test_settings_that_cannot_work_are_refused_in_one_sentence(changes, says):
    with pytest.raises(hall_server.ServerError, match=says):
        settings(**changes)


def test_the_certificate_names_the_server_and_its_fingerprint_is_the_one_printed(tmp_path: Path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    digest = hall_server.make_certificate(tmp_path, ["192.168.1.10", "hall-server"])
    cert = x509.load_pem_x509_certificate((tmp_path / hall_server.CERT_FILE).read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["192.168.1.10"]
    assert names.get_values_for_type(x509.DNSName) == ["hall-server"]
    assert digest == hall_server.fingerprint(cert.fingerprint(hashes.SHA256())) and len(digest.split(":")) == 32
    assert (tmp_path / hall_server.KEY_FILE).stat().st_mode & 0o077 == 0


@pytest.mark.skipif(hall_server.tls_available(), reason="this PostgreSQL build has OpenSSL")
def test_tls_is_not_faked_on_a_build_without_openssl(tmp_path: Path):
    with pytest.raises(hall_server.ServerError, match="needs a server built with OpenSSL"):
        hall_server.init(tmp_path / "data", settings(tls=True))
    assert not (tmp_path / "data").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_init_status_backup_stop_and_start_from_the_command_line(tmp_path: Path, monkeypatch, capsys):
    data, port = tmp_path / "hall", free_port()

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(["server", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = run("init", "--data", str(data), "--listen", "127.0.0.1", "--port", str(port), "--subnet",
                         "127.0.0.1/32", "--workstations", "25", "--admin", "ada", "--password-stdin",
                         stdin="a good password\n")
    try:
        assert code == 0, err
        out_init = out
        assert f"  host      127.0.0.1\n  port      {port}\n  database  unioncore\n" in out
        assert "max_connections 210 (25 workstations x 8 + 10 kept for the admin)" in out
        if not hall_server.tls_available():
            assert "this PostgreSQL build has no OpenSSL" in out and "tests/tls_front_end.py" in out
        # the first admin logs in over the network with the password given; other databases are closed
        with psycopg.connect(host="127.0.0.1", port=port, dbname="unioncore", user="ada",
                             password="a good password") as conn:
            assert conn.execute("SELECT pg_has_role('uc_admin', 'member')").fetchone() == (True,)
        with pytest.raises(psycopg.OperationalError, match=r"no pg_hba\.conf entry"):
            psycopg.connect(host="127.0.0.1", port=port, dbname="postgres", user="ada", password="a good password")
        code, out, _ = run("status", "--data", str(data))
        assert code == 0 and out.splitlines()[0] == f"running as primary on 127.0.0.1:{port}"
        assert "of 210 (enough for 25 workstations)" in out and "replication: no standby connected" in out
        # the nightly line init printed: the hall's backup, as the server's own account on this PC
        nightly = next(line for line in out_init.splitlines() if " backup --to " in line).split("unioncore ", 1)[1]
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        assert cli.main(shlex.split(nightly)) == 0, capsys.readouterr().err
        assert len(list((tmp_path / "backups").iterdir())) == 1
        assert run("init", "--data", str(data), "--listen", "127.0.0.1", "--subnet", "127.0.0.1/32",
                   "--password-stdin", stdin="a good password\n")[2].startswith(f"unioncore: {data} is not empty")
        assert run("promote", "--data", str(data))[2] == f"unioncore: the server in {data} is already a primary.\n"
        assert run("stop", "--data", str(data))[1] == "hall server stopped\n"
        assert run("status", "--data", str(data))[:2] == (3, f"stopped (127.0.0.1:{port})\n")
        assert run("start", "--data", str(data))[1] == f"hall server started from {data}\n"
        assert run("start", "--data", str(data))[1] == "hall server was running\n"
    finally:
        hall_server.stop(data)
    code, _, err = run("status", "--data", str(tmp_path / "elsewhere"))
    assert code == 2 and "is not a hall server's data folder" in err


def test_a_port_in_use_is_named_and_the_folder_left_empty_for_another_try(tmp_path: Path):
    data = tmp_path / "hall"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(hall_server.ServerError, match="Address already in use"):
            hall_server.init(data, settings(listen="127.0.0.1", port=port, subnet="127.0.0.1/32"))
    assert list(data.iterdir()) == []


def test_status_warns_when_connections_run_short_or_commits_wait_for_a_missing_standby():
    busy = hall_server.Status(True, settings(synchronous=True), connections=170, max_connections=200)
    text = "\n".join(busy.lines())
    assert "connections: 170 in use of 200 (enough for 23 workstations)" in text
    assert "connections are running short" in text and "`unioncore server sync off`" in text
    calm = hall_server.Status(True, settings(), connections=20, max_connections=200)
    assert "warning" not in "\n".join(calm.lines())


def test_the_address_printed_for_workstations_is_the_one_they_reach():
    assert hall_server.lan_address(settings(listen="192.168.1.10,127.0.0.1")) == "192.168.1.10"
    # listening on all: this PC's own address in the subnet
    assert hall_server.lan_address(settings(listen="*", subnet="127.0.0.0/8")) == "127.0.0.1"
    assert hall_server.lan_address(settings(listen="*", subnet="203.0.113.0/24")) is None


def test_a_bad_admin_name_or_password_is_refused_before_any_server_is_made(tmp_path: Path, monkeypatch, capsys):
    for admin, password, says in (("Ada Admin", "a good password", "login"), ("ada", "short", "at least 8")):
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{password}\n"))
        code = cli.main(["server", "init", "--data", str(tmp_path / "hall"), "--listen", "127.0.0.1",
                         "--subnet", "127.0.0.1/32", "--admin", admin, "--password-stdin"])
        err = capsys.readouterr().err
        assert code == 2 and says in err.lower() and not (tmp_path / "hall").exists()
