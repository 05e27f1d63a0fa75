"""sendfile(): regular files (sendfile(2)), the send() fallback, and its refusals."""

from __future__ import annotations

import io
import os
import socket as std_socket
import threading

import pytest

from conftest import outcome, recv_exactly

PAYLOAD = bytes(range(256)) * 4096          # 1 MiB, every byte value


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "payload.bin"
    path.write_bytes(PAYLOAD)
    with open(path, "rb") as f:
        yield f


def _send_and_collect(client, server, send):
    """Run send() in a thread while this one reads; (its result, the bytes)."""
    result = {}

    def sender():
        try:
            result["value"] = send()
        finally:
            client.shutdown(std_socket.SHUT_WR)

    thread = threading.Thread(target=sender)
    thread.start()
    received = recv_exactly(server, len(PAYLOAD) + 1)
    thread.join(timeout=30)
    return result.get("value"), received


@pytest.mark.parametrize("offset,count", [(0, None), (0, 1000), (12345, None), (12345, 70000),
                                          (len(PAYLOAD) - 10, 100), (len(PAYLOAD), None)])
def test_regular_file_with_offset_and_count(tcp, data_file, offset, count):
    client, server = tcp
    sent, received = _send_and_collect(client, server,
                                       lambda: client.sendfile(data_file, offset, count))
    expected = PAYLOAD[offset:offset + count if count else None]
    assert sent == len(expected) and received == expected
    # The file position follows what was sent; nothing sent, nothing moves.
    assert data_file.tell() == (offset + sent if sent else 0)


def test_position_unchanged_when_nothing_was_sent(tcp, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    client, _ = tcp
    with open(empty, "rb") as f:
        assert client.sendfile(f) == 0
        assert f.tell() == 0


def test_file_without_descriptor_falls_back_to_send(tcp):
    client, server = tcp
    source = io.BytesIO(PAYLOAD)
    sent, received = _send_and_collect(client, server, lambda: client.sendfile(source, 100))
    assert sent == len(PAYLOAD) - 100 and received == PAYLOAD[100:]
    assert source.tell() == len(PAYLOAD)


def test_unix_socket_and_pipe_source_like_the_stdlib(api):
    # A pipe has a descriptor but no size: the stdlib's sendfile() sends
    # nothing and says 0; pysock does the same.
    results = []
    for module in (api, std_socket):
        a, b = module.socketpair()
        r, w = os.pipe()
        with a, b, os.fdopen(r, "rb") as source:
            os.write(w, b"piped")
            os.close(w)
            results.append(outcome(a.sendfile, source))
    assert results[0] == results[1] == ("ok", 0)


def test_text_file_is_refused(tcp, tmp_path):
    client, _ = tcp
    path = tmp_path / "text"
    path.write_text("text")
    with open(path, "r") as f:
        with pytest.raises(ValueError, match="file should be opened in binary mode"):
            client.sendfile(f)


def test_nonblocking_socket_is_refused(tcp, data_file):
    client, _ = tcp
    client.setblocking(False)
    with pytest.raises(ValueError, match="non-blocking sockets are not supported"):
        client.sendfile(data_file)
    assert data_file.tell() == 0


def test_datagram_socket_is_refused(api, data_file):
    with api.socket(api.AF_INET, api.SOCK_DGRAM) as s:
        with pytest.raises(ValueError, match="only SOCK_STREAM type sockets are supported"):
            s.sendfile(data_file)


@pytest.mark.parametrize("count", [0, -1, 1.5])
def test_bad_count(tcp, data_file, count):
    client, _ = tcp
    with std_socket.socket() as ref:
        assert outcome(client.sendfile, data_file, 0, count)[:2] == \
            outcome(ref.sendfile, data_file, 0, count)[:2]


def test_timeout_when_the_peer_does_not_read(api, tcp, tmp_path):
    client, _ = tcp
    client.setsockopt(api.SOL_SOCKET, api.SO_SNDBUF, 4096)
    big = tmp_path / "big"
    big.write_bytes(PAYLOAD * 8)                 # far more than both buffers hold
    client.settimeout(0.2)
    with open(big, "rb") as f:
        with pytest.raises(std_socket.timeout):
            client.sendfile(f)
        assert 0 < f.tell() < len(PAYLOAD) * 8   # what went out is accounted for


def test_sendfile_to_a_unix_stream(api, data_file):
    a, b = api.socketpair()
    with a, b:
        sent, received = _send_and_collect(a, b, lambda: a.sendfile(data_file))
    assert sent == len(PAYLOAD) and received == PAYLOAD
