"""A TLS front end for the embedded PostgreSQL, which is built without OpenSSL: it answers libpq's SSLRequest,
completes the handshake with a certificate from a CA made here (valid for "localhost"), and passes the bytes on to
the embedded server's unix socket. libpq does every check itself (sslmode, sslrootcert, the host name)."""

from __future__ import annotations

import asyncio
import datetime
import ssl
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.engine import make_url

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104


# --- certificates ---------------------------------------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(_name(common_name))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_server_cert(ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate,
                     host: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(_name(host)).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def write_pem(path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey | None = None) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        path.with_suffix(".key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path


@dataclass
class Certificates:
    hall_ca: Path  # signed the front end's certificate, which names "localhost"
    other_ca: Path  # some other authority
    server_context: ssl.SSLContext


def make_certificates(folder: Path) -> Certificates:
    ca_key, ca_cert = make_ca("UnionCore Test Hall CA")
    server_key, server_cert = make_server_cert(ca_key, ca_cert, "localhost")
    _other_key, other_cert = make_ca("Somebody Else CA")
    server_pem = write_pem(folder / "server.crt", server_cert, server_key)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(server_pem, server_pem.with_suffix(".key"))
    return Certificates(hall_ca=write_pem(folder / "hall-ca.crt", ca_cert),
                        other_ca=write_pem(folder / "other-ca.crt", other_cert), server_context=context)


# --- the TLS front end ----------------------------------------------------------------------------------------


class TlsFrontEnd:
    """Listens on 127.0.0.1; with a context it takes TLS, without one it says it has none (like a server with
    ssl = off). Either way the session then runs against the embedded server."""

    def __init__(self, socket_path: str, context: ssl.SSLContext | None) -> None:
        self.socket_path = socket_path
        self.context = context
        self.tls_versions: list[str] = []
        self._writers: set[asyncio.StreamWriter] = set()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="tls-front-end", daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self.loop).result(5)
        self.port: int = self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        upstream: asyncio.StreamWriter | None = None
        try:
            while True:
                first = await reader.readexactly(8)
                length, code = struct.unpack("!ii", first)
                if length == 8 and code == GSSENC_REQUEST:
                    writer.write(b"N")
                    continue
                break
            if length == 8 and code == SSL_REQUEST:
                first = b""
                if self.context is None:
                    writer.write(b"N")
                else:
                    writer.write(b"S")
                    await writer.start_tls(self.context)
                    self.tls_versions.append(writer.get_extra_info("ssl_object").version())
            upstream_reader, upstream = await asyncio.open_unix_connection(self.socket_path)
            self._writers.add(upstream)
            upstream.write(first)
            await asyncio.gather(self._pipe(reader, upstream), self._pipe(upstream_reader, writer))
        except (OSError, ssl.SSLError, asyncio.IncompleteReadError):
            pass  # the client gave up (a refused certificate) or hung up
        finally:
            for end in (writer, upstream):
                if end is not None:
                    end.close()
                    self._writers.discard(end)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def _shutdown(self) -> None:
        self.server.close()
        for writer in list(self._writers):
            writer.close()
        await asyncio.sleep(0.05)  # let the handlers see their sockets close
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.server.wait_closed()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def embedded_socket(admin_url: str) -> str | None:
    """The unix socket of the server under test, or None when it is reached over TCP."""
    url = make_url(admin_url)
    folder = url.query.get("host")
    if not folder:
        return None
    return f"{folder}/.s.PGSQL.{url.query.get('port') or url.port or 5432}"
