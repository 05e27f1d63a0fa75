"""makefile(): modes, buffering, text, and the close ordering with io references."""

from __future__ import annotations

import io
import os
import socket as std_socket

import pytest


@pytest.mark.parametrize("mode,kind", [
    ("r", io.TextIOWrapper), ("w", io.TextIOWrapper), ("rw", io.TextIOWrapper),
    ("rb", io.BufferedReader), ("wb", io.BufferedWriter), ("rwb", io.BufferedRWPair),
])
def test_modes_give_the_stdlibs_file_types(api, unix_pair, mode, kind):
    a, _ = unix_pair
    with a.makefile(mode) as f, std_socket.socket() as ref:
        assert type(f) is kind
        with ref.makefile(mode) as ref_file:
            assert type(ref_file) is kind
            if "b" not in mode:
                assert f.mode == ref_file.mode == mode


def test_unbuffered_binary_is_the_raw_socketio(api, unix_pair):
    a, b = unix_pair
    with a.makefile("rb", buffering=0) as raw, b.makefile("wb", buffering=0) as out:
        assert type(raw) is std_socket.SocketIO and type(out) is std_socket.SocketIO
        assert out.write(b"raw bytes") == 9
        buf = bytearray(20)
        assert raw.readinto(buf) == 9 and bytes(buf[:9]) == b"raw bytes"
        assert raw.fileno() == a.fileno() and raw.name == a.fileno()


def test_unbuffered_text_is_refused(api, unix_pair):
    a, _ = unix_pair
    with pytest.raises(ValueError, match="unbuffered streams must be binary"):
        a.makefile("r", buffering=0)


@pytest.mark.parametrize("mode", ["x", "rt", "a", "r+"])
def test_invalid_modes(api, unix_pair, mode):
    a, _ = unix_pair
    with pytest.raises(ValueError, match="invalid mode"):
        a.makefile(mode)


@pytest.mark.parametrize("buffering", [None, -1, 1, 7, 8192])
def test_buffering_sizes_move_the_same_bytes(api, unix_pair, buffering):
    a, b = unix_pair
    payload = os.urandom(50_000)
    writer = a.makefile("wb", buffering=buffering)
    reader = b.makefile("rb", buffering=buffering)
    writer.write(payload)
    writer.flush()
    got = b""
    while len(got) < len(payload):
        got += reader.read(len(payload) - len(got))
    assert got == payload
    writer.close()
    reader.close()


def test_text_with_encoding_errors_and_newline(api, unix_pair):
    a, b = unix_pair
    writer = a.makefile("w", encoding="utf-16-le", newline="\r\n")
    reader = b.makefile("r", encoding="utf-16-le", newline="")
    writer.write("žluťoučký kůň\nsecond\n")
    writer.flush()
    assert reader.readline() == "žluťoučký kůň\r\n"
    assert reader.readline() == "second\r\n"
    writer.close()
    reader.close()
    lenient = b.makefile("r", encoding="ascii", errors="replace")
    a.sendall(b"caf\xc3\xa9\n")
    assert lenient.readline() == "caf\ufffd\ufffd\n"
    lenient.close()


def test_rw_text_file_round_trip(api, unix_pair):
    a, b = unix_pair
    left = a.makefile("rw", encoding="utf-8")
    right = b.makefile("rw", encoding="utf-8")
    left.write("ping\n")
    left.flush()
    assert right.readline() == "ping\n"
    right.write("pong\n")
    right.flush()
    assert left.readline() == "pong\n"
    left.close()
    right.close()


def test_socket_close_waits_for_its_files(api, unix_pair):
    a, b = unix_pair
    f = a.makefile("rb")
    fd = a.fileno()
    a.close()                        # a file still refers to it: stays open
    assert a._closed and a.fileno() == fd and os.fstat(fd)
    b.sendall(b"after close\n")
    assert f.readline() == b"after close\n"
    f.close()                        # the last reference: now it closes
    assert a.fileno() == -1


def test_file_close_first_leaves_the_socket_open(api, unix_pair):
    a, b = unix_pair
    f = a.makefile("wb")
    f.write(b"x")
    f.close()
    assert a.fileno() >= 0
    a.sendall(b"y")
    assert b.recv(2) == b"xy"


def test_two_files_both_must_close(api, unix_pair):
    a, _ = unix_pair
    first, second = a.makefile("rb"), a.makefile("wb")
    a.close()
    first.close()
    assert a.fileno() >= 0
    second.close()
    assert a.fileno() == -1


def test_read_after_timeout_is_refused_like_the_stdlib(api, unix_pair):
    a, _ = unix_pair
    a.settimeout(0.01)
    raw = a.makefile("rb", buffering=0)
    with pytest.raises(std_socket.timeout):
        raw.readinto(bytearray(10))
    with pytest.raises(OSError, match="cannot read from timed out object"):
        raw.readinto(bytearray(10))
    raw.close()


def test_nonblocking_read_returns_none(api, unix_pair):
    a, _ = unix_pair
    a.setblocking(False)
    with a.makefile("rb", buffering=0) as raw:
        assert raw.readinto(bytearray(10)) is None
        assert raw.read(10) is None


def test_readline_at_eof(api, unix_pair):
    a, b = unix_pair
    with a.makefile("rb") as f:
        b.sendall(b"last line without newline")
        b.shutdown(api.SHUT_WR)
        assert f.readline() == b"last line without newline"
        assert f.readline() == b""
