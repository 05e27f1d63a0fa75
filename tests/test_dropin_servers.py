"""socketserver and http.client/http.server over pysock sockets, on loopback,
with the server in a thread."""

from __future__ import annotations

import http.client
import http.server
import socketserver
import threading

import pytest


class UpperHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.server.request_types.append(type(self.request))
        for line in self.rfile:
            self.wfile.write(line.upper())


class UpperDatagramHandler(socketserver.DatagramRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.read().upper())


def _on_pysock(server, api):
    """Give a socketserver created with bind_and_activate=False a pysock
    socket, then bind and activate it as the server would have."""
    server.socket.close()
    server.socket = api.socket(server.address_family, server.socket_type)
    server.server_bind()
    server.server_activate()
    return server


class Serving:
    """Run a server's serve_forever() in a thread for the with-block."""

    def __init__(self, server):
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})

    def __enter__(self):
        self.thread.start()
        return self.server

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.mark.parametrize("server_class", [socketserver.TCPServer,
                                          socketserver.ThreadingTCPServer])
def test_tcp_server_on_a_pysock_socket(api, server_class):
    server = server_class(("127.0.0.1", 0), UpperHandler, bind_and_activate=False)
    server.request_types = []
    server.daemon_threads = False
    server.block_on_close = True
    with Serving(_on_pysock(server, api)):
        assert isinstance(server.socket, api.socket)
        with api.create_connection(server.server_address, timeout=10) as client:
            with client.makefile("rwb") as stream:
                stream.write(b"first\nsecond\n")
                stream.flush()
                assert stream.readline() == b"FIRST\n"
                assert stream.readline() == b"SECOND\n"
    assert server.request_types == [api.socket]      # accept() gave a pysock socket


def test_udp_server_on_a_pysock_socket(api):
    server = socketserver.UDPServer(("127.0.0.1", 0), UpperDatagramHandler,
                                    bind_and_activate=False)
    with Serving(_on_pysock(server, api)):
        with api.socket(api.AF_INET, api.SOCK_DGRAM) as client:
            client.settimeout(10)
            client.sendto(b"datagram", server.server_address)
            assert client.recvfrom(100) == (b"DATAGRAM", server.server_address)


class Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = f"you asked for {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))[::-1]
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("server_on_pysock", [False, True], ids=["stdlib-server",
                                                                  "pysock-server"])
def test_http_client_with_a_pysock_socket(api, server_on_pysock):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet,
                                             bind_and_activate=not server_on_pysock)
    server.daemon_threads = False
    if server_on_pysock:
        _on_pysock(server, api)
    with Serving(server):
        host, port = server.server_address[:2]
        connection = http.client.HTTPConnection(host, port, timeout=10)
        connection.sock = api.create_connection((host, port), timeout=10)
        try:
            for path in ("/one", "/two"):          # keep-alive: one socket, two requests
                connection.request("GET", path)
                response = connection.getresponse()
                assert (response.status, response.read()) == (200, f"you asked for {path}".encode())
            assert isinstance(connection.sock, api.socket)
            connection.request("POST", "/", body=b"payload")
            response = connection.getresponse()
            assert (response.status, response.read()) == (201, b"daolyap")
        finally:
            connection.close()
