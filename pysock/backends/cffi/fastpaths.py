"""pysock's fast paths on the cffi backend: the C loops of csrc/loops.c.

``FastPaths`` is a mixin of the socket class (sockets.py): exact reads,
length-prefixed frames, non-raising non-blocking receives, batched
datagrams.  ``splice`` is a module function.  The stdlib backend has the
same API in Python (pysock/backends/stdlib_fastpaths.py); README's "Beyond
the stdlib" shows each, docs/differences.md lists where the two differ.

Every loop runs in C with one deadline for the whole call; -EINTR comes back
here, where the retry runs the signal handlers (PEP 475) and resumes from the
progress the C side kept.  Memory comes from pysock.backends.cffi.buffers:
nothing is allocated per call beyond the result.
"""

from __future__ import annotations

import errno
import sys
from typing import Any, Iterable, List, Optional, Tuple

from pysock.backends.cffi.addresses import decode_cached, encode
from pysock.backends.cffi.arguments import c_int, c_int_exact
from pysock.backends.cffi.buffers import (
    CELLS_KEPT, POOL_BUFFER, give, give_batch, give_progress, progress_cells as _progress_cells,
    read_buffer, small, take, take_batch, take_progress, truncated, write_buffer)
from pysock.backends.cffi.constants import SOCKET as C
from pysock.backends.cffi.errors import EINTR, from_result
from pysock.backends.cffi.native import NO_DEADLINE, SOCKADDR_MAX, ffi, lib
from pysock.backends.extras import (
    DEFAULT_MAX_MSG, FRAME_HEADER, FRAME_MAX, IncompleteReadError, buffer_length,
    fileno_of, frame_too_large, iterate, size_argument, splice_flags)

__all__ = ["FastPaths", "splice"]

_recv = lib.ps_recv
_recv_exactly = lib.ps_recv_exactly
_send_frame = lib.ps_send_frame
_recv_frame = lib.ps_recv_frame
_sendmmsg = lib.ps_sendmmsg
_recvmmsg = lib.ps_recvmmsg
_monotonic_ns = lib.ps_monotonic_ns
_small_pop = small.pop
_small_append = small.append
_progress_pop = _progress_cells.pop
_progress_append = _progress_cells.append
_unpack = ffi.unpack
_NULL = ffi.NULL
_EAGAIN = -errno.EAGAIN
# Plain ints: the table holds the stdlib's enums (MsgFlag.__or__ is slow).
_MSG_DONTWAIT = int(C.get("MSG_DONTWAIT", 0))
_MSG_WAITALL = int(C.get("MSG_WAITALL", 0))
_FRAME_COMPLETE = lib.PS_FRAME_COMPLETE
_FRAME_NEEDS_BUFFER = lib.PS_FRAME_NEEDS_BUFFER
_MMSG_MAX = lib.PS_MMSG_MAX
_SSIZE_MAX = sys.maxsize


class FastPaths:
    """The fast-path methods of pysock's socket (cffi backend)."""

    __slots__ = ()

    def recv_exactly(self, nbytes: int, flags: int = 0) -> bytes:
        """Receive exactly nbytes; IncompleteReadError if EOF comes first.

        The timeout, if any, bounds the whole call.  On a timeout or an error
        the bytes received so far are lost.
        """
        if nbytes.__class__ is not int or nbytes < 0:
            nbytes = size_argument(nbytes, "recv_exactly")
        if flags:
            flags = c_int(flags)
        if nbytes == 0:
            return b""  # no system call: on a datagram socket it would eat one
        t = self._timeout_ns
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        if nbytes <= POOL_BUFFER:
            try:
                buf = _small_pop()
            except IndexError:
                buf = take(nbytes)
        else:
            buf = take(nbytes)
        try:
            # Most often it is all there, or the kernel waits for all of it
            # (MSG_WAITALL): one plain recv, no loop state.
            n = _recv(self._h, buf, nbytes, flags | _MSG_WAITALL, deadline)
            if n != nbytes:
                n = self._recv_exactly_rest(buf, nbytes, flags, deadline, n)
            data = _unpack(buf, n)
        finally:
            if nbytes <= POOL_BUFFER:
                _small_append(buf)
            else:
                give(buf)
        if n < nbytes:
            raise IncompleteReadError(data, nbytes)
        return data

    def _recv_exactly_rest(self, buf: Any, nbytes: int, flags: int, deadline: int,
                           first: int) -> int:
        """The C loop after a first recv that got `first` bytes (or -errno);
        returns how many arrived in all (fewer than nbytes: EOF)."""
        if first == 0:
            return 0  # EOF
        if first < 0 and first != EINTR:
            raise from_result(first)
        progress = take_progress()
        try:
            progress.done = first if first > 0 else 0
            r = EINTR
            while r == EINTR:
                r = _recv_exactly(self._h, buf, nbytes, flags, deadline, progress, 1)
            if r < 0:
                raise from_result(r)
            return progress.done
        finally:
            give_progress(progress)

    def recv_into_exactly(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        """Fill exactly nbytes of buffer (0: all of it); returns nbytes.

        IncompleteReadError if EOF comes first (``partial``: the bytes that
        arrived, which are also in the buffer).
        """
        view = write_buffer(buffer, "recv_into_exactly")
        nbytes = buffer_length(nbytes, len(view), "recv_into_exactly")
        if flags:
            flags = c_int(flags)
        if nbytes == 0:
            return 0
        t = self._timeout_ns
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        done = _recv(self._h, view, nbytes, flags | _MSG_WAITALL, deadline)
        if done != nbytes:
            done = self._recv_exactly_rest(view, nbytes, flags, deadline, done)
        if done < nbytes:
            raise IncompleteReadError(_unpack(view, done), nbytes)
        return nbytes

    def send_msg(self, data: Any, flags: int = 0) -> None:
        """Send one frame: a 4-byte big-endian length, then data (sendall semantics).

        The payload is not copied: header and payload go out together through
        sendmsg() with two iovecs.
        """
        if data.__class__ is not bytes:
            data = read_buffer(data)
        if len(data) > FRAME_MAX:
            raise frame_too_large(len(data), FRAME_MAX, "limit")
        if flags:
            flags = c_int(flags)
        t = self._timeout_ns
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        size = len(data)
        total = size + FRAME_HEADER
        sent = _send_frame(self._h, data, size, flags, deadline, 0)
        while 0 <= sent < total:  # a signal stopped it: resume (as sendall)
            sent = _send_frame(self._h, data, size, flags, deadline, sent)
        if sent < 0:
            raise from_result(sent)

    def recv_msg(self, max_size: int = DEFAULT_MAX_MSG, flags: int = 0) -> bytes:
        """Receive one frame sent by send_msg and return its payload.

        b"" at EOF on a frame boundary; IncompleteReadError at EOF inside a
        frame (inside the header: ``expected`` is 4).  A frame longer than
        max_size raises OSError(EMSGSIZE) after its header was read: the
        stream is then at an undefined position (inside that frame).
        """
        if max_size.__class__ is not int or not 0 <= max_size <= _SSIZE_MAX:
            max_size = size_argument(max_size, "recv_msg")
        if flags:
            flags = c_int(flags)
        t = self._timeout_ns
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        try:
            buf = _small_pop()
        except IndexError:
            buf = take(POOL_BUFFER)
        try:
            progress = _progress_pop()
        except IndexError:
            progress = take_progress()
        try:
            r = _recv_frame(self._h, buf, len(buf), max_size, flags, deadline, progress, 0)
            while r == EINTR:
                r = _recv_frame(self._h, buf, len(buf), max_size, flags, deadline,
                                progress, 1)
            if r == _FRAME_NEEDS_BUFFER:
                # Larger than the pooled buffer: a large buffer kept for reuse.
                give(buf)
                buf = take(progress.length)
                r = EINTR
                while r == EINTR:
                    r = _recv_frame(self._h, buf, len(buf), max_size, flags, deadline,
                                    progress, 1)
            if r == _FRAME_COMPLETE:
                return _unpack(buf, progress.length)
            if r == -errno.EMSGSIZE:
                raise frame_too_large(progress.length, max_size)
            if r < 0:
                raise from_result(r)
            done = progress.done
            if done == 0:
                return b""  # EOF between frames
            if done < FRAME_HEADER:
                raise IncompleteReadError(bytes(progress.header[0:done]), FRAME_HEADER)
            raise IncompleteReadError(_unpack(buf, done - FRAME_HEADER), progress.length)
        finally:
            give(buf)
            if len(_progress_cells) < CELLS_KEPT:
                _progress_append(progress)

    def try_recv(self, bufsize: int, flags: int = 0) -> Optional[bytes]:
        """recv() that returns None instead of raising BlockingIOError.

        One attempt, never waiting, whatever the socket's mode (MSG_DONTWAIT).
        """
        if bufsize.__class__ is not int or bufsize < 0:
            bufsize = size_argument(bufsize, "try_recv")
        if flags:
            flags = c_int(flags)
        if bufsize <= POOL_BUFFER:  # the pool's fast case inline: this is a hot path
            try:
                buf = _small_pop()
            except IndexError:
                buf = take(bufsize)
        else:
            buf = take(bufsize)
        n = _recv(self._h, buf, bufsize, flags | _MSG_DONTWAIT, NO_DEADLINE)
        while n == EINTR:
            n = _recv(self._h, buf, bufsize, flags | _MSG_DONTWAIT, NO_DEADLINE)
        if n >= 0:
            data = _unpack(buf, n) if n <= bufsize else truncated(buf, bufsize, n)
            give(buf)
            return data
        if bufsize <= POOL_BUFFER:
            _small_append(buf)
        else:
            give(buf)
        if n == _EAGAIN:
            return None
        raise from_result(n)

    def try_recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> Optional[int]:
        """recv_into() that returns None instead of raising BlockingIOError."""
        view = write_buffer(buffer, "try_recv_into")
        nbytes = buffer_length(nbytes, len(view), "try_recv_into")
        if flags:
            flags = c_int(flags)
        n = _recv(self._h, view, nbytes, flags | _MSG_DONTWAIT, NO_DEADLINE)
        while n == EINTR:
            n = _recv(self._h, view, nbytes, flags | _MSG_DONTWAIT, NO_DEADLINE)
        if n >= 0:
            return n
        if n == _EAGAIN:
            return None
        raise from_result(n)

    def sendmmsg(self, buffers: Iterable[Any], address: Any = None, flags: int = 0) -> int:
        """Send each buffer as one datagram, all in one system call (sendmmsg).

        Returns how many were sent: all of them, or fewer if an error came
        after some had gone (the error itself is raised only when none had).
        """
        views = [read_buffer(b) for b in iterate(buffers, "sendmmsg")]
        if flags:
            flags = c_int(flags)
        if address is not None:
            addr, addrlen = encode(self._family, address, "sendmmsg")
        else:
            addr, addrlen = _NULL, 0
        n = len(views)
        if n == 0:
            return 0
        t = self._timeout_ns
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        batch = take_batch(n)
        try:
            bufs, lens = batch.bufs, batch.lens
            bufs[0:n] = views
            lens[0:n] = [len(v) for v in views]
            r = _sendmmsg(self._h, bufs, lens, n, addr, addrlen, flags, deadline)
            while r == EINTR:
                r = _sendmmsg(self._h, bufs, lens, n, addr, addrlen, flags, deadline)
        finally:
            give_batch(batch)
        if r < 0:
            raise from_result(r)
        return r

    def recvmmsg_into(self, buffers: Iterable[Any], flags: int = 0) -> List[Tuple[int, Any]]:
        """Receive up to len(buffers) datagrams (at most 64) in one system
        call, one per buffer: [(nbytes, address), ...] as recvfrom_into gives.

        Waits (blocking or timeout mode) for the first datagram only, then
        takes what is already there (MSG_WAITFORONE).  A datagram longer
        than its buffer is truncated; nbytes is then what was stored, unless
        flags has MSG_TRUNC (then it is the datagram's full length).
        """
        views = [write_buffer(b, "recvmmsg_into") for b in iterate(buffers, "recvmmsg_into")]
        if flags:
            flags = c_int(flags)
        n = len(views)
        if n > _MMSG_MAX:
            n = _MMSG_MAX
            del views[n:]
        if n == 0:
            return []
        t = self._timeout_ns
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        batch = take_batch(n)
        try:
            bufs, lens, addrs = batch.bufs, batch.lens, batch.addrs
            addrlens, nbytes = batch.addrlens, batch.nbytes
            bufs[0:n] = views
            lens[0:n] = [len(v) for v in views]
            r = _recvmmsg(self._h, bufs, lens, n, addrs, SOCKADDR_MAX, addrlens, nbytes,
                          flags, deadline)
            while r == EINTR:
                r = _recvmmsg(self._h, bufs, lens, n, addrs, SOCKADDR_MAX, addrlens,
                              nbytes, flags, deadline)
            if r < 0:
                raise from_result(r)
            return [(nbytes[i], decode_cached(addrs + i * SOCKADDR_MAX, addrlens[i]))
                    for i in range(r)]
        finally:
            give_batch(batch)


def splice(src: Any, dst: Any, count: int, flags: int = 0) -> int:
    """Move up to count bytes from src to dst without copying through Python
    (splice(2)).  src and dst are sockets, files or descriptors; one of them
    must be a pipe.  Returns the bytes moved (0 at EOF).  The descriptors
    are used as they are: a non-blocking one raises BlockingIOError, and
    socket timeouts do not apply.  Linux only (elsewhere OSError(ENOSYS)).
    """
    fd_in = c_int_exact(fileno_of(src))
    fd_out = c_int_exact(fileno_of(dst))
    count = size_argument(count, "splice")
    flags = splice_flags(flags)
    n = lib.ps_splice(fd_in, fd_out, count, flags)
    while n == EINTR:
        n = lib.ps_splice(fd_in, fd_out, count, flags)
    if n < 0:
        raise from_result(n)
    return n
