"""selectors and asyncio take pysock sockets: readiness, the loop.sock_* calls,
open_connection(sock=...) and start_server(sock=...)."""

from __future__ import annotations

import asyncio
import selectors

import pytest


def test_default_selector_drives_an_echo_server(api):
    with selectors.DefaultSelector() as selector, api.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        selector.register(listener, selectors.EVENT_READ, "listener")
        clients = [api.create_connection(listener.getsockname(), timeout=5) for _ in range(3)]
        for n, client in enumerate(clients):
            client.sendall(b"message %d" % n)
        answered, served = 0, []
        try:
            while answered < len(clients):
                events = selector.select(timeout=5)
                assert events, "the selector saw nothing within 5 s"
                for key, mask in events:
                    if key.data == "listener":
                        conn, _ = listener.accept()
                        assert isinstance(conn, api.socket)
                        conn.setblocking(False)
                        served.append(conn)
                        selector.register(conn, selectors.EVENT_READ, "connection")
                    else:
                        data = key.fileobj.recv(100)
                        key.fileobj.sendall(data.upper())
                        selector.unregister(key.fileobj)
                        answered += 1
            replies = sorted(client.recv(100) for client in clients)
            assert replies == [b"MESSAGE 0", b"MESSAGE 1", b"MESSAGE 2"]
        finally:
            for s in clients + served:
                s.close()


def test_selector_reports_write_readiness_and_eof(api):
    a, b = api.socketpair()
    with a, b, selectors.DefaultSelector() as selector:
        selector.register(a, selectors.EVENT_READ | selectors.EVENT_WRITE)
        (key, mask), = selector.select(timeout=5)
        assert key.fileobj is a and mask == selectors.EVENT_WRITE
        b.close()
        (key, mask), = selector.select(timeout=5)
        assert mask & selectors.EVENT_READ and a.recv(10) == b""


def _run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, timeout=20))


def test_loop_sock_calls(api):
    async def main():
        loop = asyncio.get_running_loop()
        listener = api.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        client = api.socket()
        client.setblocking(False)
        try:
            accepting = asyncio.ensure_future(loop.sock_accept(listener))
            await loop.sock_connect(client, listener.getsockname())
            server, address = await accepting
            with server:
                assert isinstance(server, api.socket) and address == client.getsockname()
                server.setblocking(False)
                await loop.sock_sendall(client, b"x" * 300_000)
                got = bytearray()
                while len(got) < 300_000:
                    got += await loop.sock_recv(server, 65536)
                buf = bytearray(10)
                await loop.sock_sendall(server, b"into")
                n = await loop.sock_recv_into(client, buf)
                return bytes(got), bytes(buf[:n])
        finally:
            client.close()
            listener.close()

    got, into = _run(main())
    assert got == b"x" * 300_000 and into == b"into"


def test_streams_over_pysock_sockets(api):
    async def handle(reader, writer):
        line = await reader.readline()
        writer.write(line[::-1])
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def main():
        listener = api.create_server(("127.0.0.1", 0))
        server = await asyncio.start_server(handle, sock=listener)
        async with server:
            assert server.sockets[0].getsockname() == listener.getsockname()
            sock = api.create_connection(listener.getsockname())
            reader, writer = await asyncio.open_connection(sock=sock)
            writer.write(b"abc\n")
            await writer.drain()
            answer = await reader.read()
            writer.close()
            await writer.wait_closed()
        return answer, sock.fileno()

    answer, fd_after = _run(main())
    assert answer == b"\ncba"
    assert fd_after == -1           # the transport closed the pysock socket


@pytest.mark.parametrize("family", ["AF_INET", "AF_UNIX"])
def test_datagram_endpoint_over_a_pysock_socket(api, family, tmp_sock_dir):
    import os
    if family == "AF_UNIX":
        address = os.path.join(tmp_sock_dir, "dgram")
        peer_address = os.path.join(tmp_sock_dir, "peer")
    else:
        address, peer_address = ("127.0.0.1", 0), ("127.0.0.1", 0)

    class Echo(asyncio.DatagramProtocol):
        def connection_made(self, transport):
            self.transport = transport

        def datagram_received(self, data, addr):
            self.transport.sendto(data.upper(), addr)

    async def main():
        loop = asyncio.get_running_loop()
        sock = api.socket(getattr(api, family), api.SOCK_DGRAM)
        sock.bind(address)
        transport, _ = await loop.create_datagram_endpoint(Echo, sock=sock)
        peer = api.socket(getattr(api, family), api.SOCK_DGRAM)
        try:
            peer.bind(peer_address)
            peer.setblocking(False)
            peer.sendto(b"quiet", sock.getsockname())
            return await loop.sock_recv(peer, 100)
        finally:
            peer.close()
            transport.close()

    assert _run(main()) == b"QUIET"
