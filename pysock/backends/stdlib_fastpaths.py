"""pysock's fast paths on the stdlib backend: the same API as the cffi
backend's C loops (pysock/backends/cffi/fastpaths.py), written in Python on
the socket module's own calls.

This is the fallback, so it aims at the same behaviour, not the speed: loops
turn in Python, one datagram per system call, and send_msg copies the payload
behind its header.  Where the results can differ, docs/differences.md says
so ("Fast paths").

Timeouts: one deadline for the whole call.  In timeout mode the socket
module polls with the socket's full timeout before each call, so each turn
here first polls with what is left of the deadline (select.poll) and only
calls once the socket is ready.
"""

from __future__ import annotations

import errno
import math
import os
import select
import socket as _std
import struct
import time
from typing import Any, Iterable, List, Optional, Tuple

from pysock.backends.extras import (
    DEFAULT_MAX_MSG, FRAME_HEADER, FRAME_MAX, IncompleteReadError, buffer_length,
    fileno_of, frame_too_large, iterate, size_argument, splice_flags)

__all__ = ["FastPaths", "splice"]

_HEADER = struct.Struct(">I")
_MMSG_MAX = 64  # as the cffi backend (PS_MMSG_MAX)
_MSG_DONTWAIT = getattr(_std, "MSG_DONTWAIT", 0)
_POLLIN = select.POLLIN


def _deadline(sock: Any) -> Optional[float]:
    timeout = sock.gettimeout()
    return time.monotonic() + timeout if timeout else None


def _wait_readable(sock: Any, deadline: float) -> None:
    """Poll until sock is readable; TimeoutError once the deadline passes."""
    left = deadline - time.monotonic()
    if left > 0:
        poller = select.poll()
        poller.register(sock, _POLLIN)
        if poller.poll(math.ceil(left * 1000)):
            return
    raise _std.timeout("timed out")


def _readable_now(sock: Any) -> bool:
    poller = select.poll()
    poller.register(sock, _POLLIN)
    return bool(poller.poll(0))


def _writable_view(buffer: Any, method: str) -> memoryview:
    """A flat writable byte view, refused as recv_into() refuses (TypeError)."""
    try:
        view = memoryview(buffer)
    except TypeError:
        view = None
    if view is None or view.readonly:
        raise TypeError(f"{method}() argument 1 must be read-write bytes-like "
                        f"object, not {type(buffer).__name__}")
    if not view.c_contiguous:
        raise BufferError("memoryview: underlying buffer is not C-contiguous")
    return view.cast("B")


def _recv_loop(sock: Any, view: memoryview, flags: int, deadline: Optional[float]) -> int:
    """recv_into view until it is full or EOF; how many bytes arrived."""
    got, size = 0, len(view)
    while got < size:
        if deadline is not None:
            _wait_readable(sock, deadline)
        n = sock.recv_into(view[got:], size - got, flags)
        if n == 0:
            break
        got += n
    return got


class FastPaths:
    """The fast-path methods of pysock's socket (stdlib backend)."""

    __slots__ = ()

    def recv_exactly(self, nbytes: int, flags: int = 0) -> bytes:
        """Receive exactly nbytes; IncompleteReadError if EOF comes first."""
        nbytes = size_argument(nbytes, "recv_exactly")
        buf = bytearray(nbytes)
        got = _recv_loop(self, memoryview(buf), flags, _deadline(self))
        if got < nbytes:
            raise IncompleteReadError(bytes(buf[:got]), nbytes)
        return bytes(buf)

    def recv_into_exactly(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        """Fill exactly nbytes of buffer (0: all of it); returns nbytes."""
        view = _writable_view(buffer, "recv_into_exactly")
        nbytes = buffer_length(nbytes, len(view), "recv_into_exactly")
        got = _recv_loop(self, view[:nbytes], flags, _deadline(self))
        if got < nbytes:
            raise IncompleteReadError(bytes(view[:got]), nbytes)
        return nbytes

    def send_msg(self, data: Any, flags: int = 0) -> None:
        """Send one frame: a 4-byte big-endian length, then data (sendall)."""
        view = memoryview(data)
        if view.nbytes > FRAME_MAX:
            raise frame_too_large(view.nbytes, FRAME_MAX, "limit")
        self.sendall(_HEADER.pack(view.nbytes) + view, flags)

    def recv_msg(self, max_size: int = DEFAULT_MAX_MSG, flags: int = 0) -> bytes:
        """Receive one frame sent by send_msg and return its payload."""
        max_size = size_argument(max_size, "recv_msg")
        deadline = _deadline(self)
        header = bytearray(FRAME_HEADER)
        got = _recv_loop(self, memoryview(header), flags, deadline)
        if got == 0:
            return b""
        if got < FRAME_HEADER:
            raise IncompleteReadError(bytes(header[:got]), FRAME_HEADER)
        (length,) = _HEADER.unpack(header)
        if length > max_size:
            raise frame_too_large(length, max_size)
        payload = bytearray(length)
        got = _recv_loop(self, memoryview(payload), flags, deadline)
        if got < length:
            raise IncompleteReadError(bytes(payload[:got]), length)
        return bytes(payload)

    def try_recv(self, bufsize: int, flags: int = 0) -> Optional[bytes]:
        """recv() that returns None instead of raising BlockingIOError."""
        bufsize = size_argument(bufsize, "try_recv")
        if self.gettimeout() and not _readable_now(self):
            return None
        try:
            return self.recv(bufsize, flags | _MSG_DONTWAIT)
        except BlockingIOError:
            return None

    def try_recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> Optional[int]:
        """recv_into() that returns None instead of raising BlockingIOError."""
        view = _writable_view(buffer, "try_recv_into")
        nbytes = buffer_length(nbytes, len(view), "try_recv_into")
        if self.gettimeout() and not _readable_now(self):
            return None
        try:
            return self.recv_into(view, nbytes, flags | _MSG_DONTWAIT)
        except BlockingIOError:
            return None

    def sendmmsg(self, buffers: Iterable[Any], address: Any = None, flags: int = 0) -> int:
        """Send each buffer as one datagram; how many were sent."""
        views = [memoryview(b) for b in iterate(buffers, "sendmmsg")]
        sent = 0
        for view in views:
            try:
                if address is None:
                    self.send(view, flags)
                else:
                    self.sendto(view, flags, address)
            except OSError:
                if sent:
                    return sent
                raise
            sent += 1
        return sent

    def recvmmsg_into(self, buffers: Iterable[Any], flags: int = 0) -> List[Tuple[int, Any]]:
        """Receive up to len(buffers) datagrams (at most 64): [(nbytes, address)]."""
        views = [_writable_view(b, "recvmmsg_into")
                 for b in iterate(buffers, "recvmmsg_into")][:_MMSG_MAX]
        if not views:
            return []
        results = [self.recvfrom_into(views[0], 0, flags)]
        timeout_mode = bool(self.gettimeout())
        for view in views[1:]:
            # Only what is there already: no waiting after the first.
            if timeout_mode and not _readable_now(self):
                break
            try:
                results.append(self.recvfrom_into(view, 0, flags | _MSG_DONTWAIT))
            except OSError:
                break
        return results


def splice(src: Any, dst: Any, count: int, flags: int = 0) -> int:
    """Move up to count bytes from src to dst (splice(2), via os.splice);
    one of them must be a pipe.  OSError(ENOSYS) where os.splice is missing
    (Python before 3.10, or not Linux)."""
    fd_in, fd_out = fileno_of(src), fileno_of(dst)
    count = size_argument(count, "splice")
    flags = splice_flags(flags)
    if not hasattr(os, "splice"):
        raise OSError(errno.ENOSYS, "splice() needs os.splice (Python 3.10+, Linux)")
    return os.splice(fd_in, fd_out, count, flags=flags)
