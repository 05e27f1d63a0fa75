"""ssl.SSLContext.wrap_socket() takes a pysock socket, client and server side.

The certificate is made at test time by the openssl command (a throwaway
key in a temp dir; nothing secret is kept in the repository).
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading

import pytest

pytestmark = pytest.mark.skipif(not shutil.which("openssl"),
                                reason="needs the openssl command to make a certificate")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """(certificate, key) files for CN=localhost and 127.0.0.1, valid two days."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60)
    return str(cert), str(key)


@pytest.fixture
def contexts(certificate):
    cert, key = certificate
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(cert)
    return client, server


class OneTLSServer:
    """A pysock listener whose thread accepts one TLS connection and answers
    one line upper-cased; `result` holds its TLS version or its error."""

    def __init__(self, api, server_context):
        self.listener = api.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()
        self.context = server_context
        self.result = {}
        self.thread = threading.Thread(target=self._serve)

    def _serve(self):
        try:
            conn, _ = self.listener.accept()
            with self.context.wrap_socket(conn, server_side=True) as tls:
                self.result["version"] = tls.version()
                tls.sendall(tls.recv(100).upper())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.result["error"] = exc

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.thread.join(timeout=30)
        self.listener.close()


def test_client_and_server_wrap_pysock_sockets(api, contexts):
    client_context, server_context = contexts
    with OneTLSServer(api, server_context) as server:
        raw = api.create_connection(server.address, timeout=10)
        assert isinstance(raw, api.socket)
        with client_context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert raw.fileno() == -1                 # ssl took the descriptor over
            assert tls.getpeercert()["subject"] == ((("commonName", "localhost"),),)
            assert tls.gettimeout() == 10
            tls.sendall(b"hello over tls\n")
            assert tls.recv(100) == b"HELLO OVER TLS\n"
            version = tls.version()
    assert "error" not in server.result, server.result.get("error")
    assert server.result["version"] == version and version.startswith("TLS")


def test_wrapping_an_unconnected_pysock_socket_then_connecting(api, contexts):
    client_context, server_context = contexts
    with OneTLSServer(api, server_context) as server:
        with client_context.wrap_socket(api.socket(), server_hostname="localhost") as tls:
            tls.settimeout(10)
            tls.connect(server.address)               # handshake on connect
            tls.sendall(b"late\n")
            assert tls.recv(100) == b"LATE\n"
    assert "error" not in server.result, server.result.get("error")


def test_a_bad_certificate_fails_the_handshake(api, contexts):
    _, server_context = contexts
    strict = ssl.create_default_context()            # trusts the system CAs only
    with OneTLSServer(api, server_context) as server:
        raw = api.create_connection(server.address, timeout=10)
        with pytest.raises(ssl.SSLCertVerificationError):
            strict.wrap_socket(raw, server_hostname="localhost")
        raw.close()
    assert isinstance(server.result.get("error"), (ssl.SSLError, OSError))
