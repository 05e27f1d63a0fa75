"""Reusable C memory for the hot paths: nothing is allocated per call in the
steady state.

Free lists, shared by every socket: a call pops what it needs and pushes it
back when done.  list.pop/append are atomic, so two threads never share an
item, and no socket holds memory while idle.  Why not ffi.new per call: it
costs more than the rest of a recv() (hundreds of ns), and above glibc's mmap
threshold (128 KiB) every allocation is an mmap/munmap pair plus page faults
(python/cpython#85451).

- take(size)/give(buf): receive buffers.  Up to 64 KiB one size fits all; a
  larger request reuses a large buffer kept from an earlier call (at most
  BIG_KEPT of them, each at most BIG_MAX bytes) or allocates one that is then
  kept.
- take_progress()/give_progress(): the ps_progress cell of a receiving C
  loop (recv_msg pops and appends progress_cells, its list, itself).  The
  sending loops need none: their progress comes back as the result.
- address_scratch: (sockaddr buffer, its length cell) pairs for recvfrom and
  accept; `small` is the free list of 64 KiB buffers.  Both are lists the
  hottest methods pop/append themselves, without a helper's frame.
- take_batch(n)/give_batch(batch): the pointer, length and address arrays of
  sendmmsg/recvmmsg, grown to the largest batch seen.

And the C views of Python buffers (read_buffer, write_buffer), with the
stdlib's messages.
"""

from __future__ import annotations

from typing import Any, List, Tuple

from pysock.backends.cffi.addresses import new_buffer
from pysock.backends.cffi.arguments import c_ssize
from pysock.backends.cffi.native import SOCKADDR_MAX, ffi, lib

__all__ = ["read_buffer", "write_buffer", "truncated", "POOL_BUFFER", "take", "give",
           "take_progress", "give_progress", "progress_cells", "CELLS_KEPT", "take_batch",
           "give_batch", "Batch", "small", "address_scratch", "new_address_scratch"]

POOL_BUFFER = 65536
_SMALL_KEPT = 64
CELLS_KEPT = _SMALL_KEPT
BIG_MAX = 16 * 1024 * 1024
BIG_KEPT = 2

_small: List[Any] = []
_big: List[Any] = []
small = _small
address_scratch: List[Tuple[Any, Any]] = []
_batches: List["Batch"] = []


def take(size: int) -> Any:
    """A char buffer of at least `size` bytes (size >= 0, checked by the caller)."""
    if size <= POOL_BUFFER:
        try:
            return _small.pop()
        except IndexError:
            return new_buffer("char[]", POOL_BUFFER)
    size = c_ssize(size)  # the stdlib's OverflowError beyond Py_ssize_t
    try:
        buf = _big.pop()
    except IndexError:
        return new_buffer("char[]", size)
    if len(buf) >= size:
        return buf
    return new_buffer("char[]", size)  # the smaller one is dropped


def give(buf: Any) -> None:
    """Return a buffer from take() (never a buffer still in use)."""
    size = len(buf)
    if size == POOL_BUFFER:
        if len(_small) < _SMALL_KEPT:
            _small.append(buf)
    elif size <= BIG_MAX and len(_big) < BIG_KEPT:
        _big.append(buf)


class _Cells:
    """A free list of one C type's cells (no more than _SMALL_KEPT kept)."""

    __slots__ = ("_items", "_ctype")

    def __init__(self, ctype: str) -> None:
        self._items: List[Any] = []
        self._ctype = ctype

    def take(self) -> Any:
        try:
            return self._items.pop()
        except IndexError:
            return new_buffer(self._ctype)

    def give(self, cell: Any) -> None:
        if len(self._items) < _SMALL_KEPT:
            self._items.append(cell)


_progress = _Cells("ps_progress *")
take_progress = _progress.take
give_progress = _progress.give
progress_cells = _progress._items  # popped and appended inline by recv_msg


def new_address_scratch() -> Tuple[Any, Any]:
    """A sockaddr buffer and its length cell (for address_scratch)."""
    return new_buffer("char[]", SOCKADDR_MAX), new_buffer("unsigned[1]")


class Batch:
    """The arrays of one sendmmsg/recvmmsg call, for up to `capacity` datagrams."""

    __slots__ = ("capacity", "bufs", "lens", "addrs", "addrlens", "nbytes")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.bufs = new_buffer("void *[]", capacity)
        self.lens = new_buffer("size_t[]", capacity)
        # recvmmsg fills at most PS_MMSG_MAX datagrams per call.
        received = min(capacity, lib.PS_MMSG_MAX)
        self.addrs = new_buffer("char[]", received * SOCKADDR_MAX)
        self.addrlens = new_buffer("unsigned[]", received)
        self.nbytes = new_buffer("size_t[]", received)


def take_batch(n: int) -> Batch:
    try:
        batch = _batches.pop()
    except IndexError:
        return Batch(max(n, 8))
    return batch if batch.capacity >= n else Batch(n)


def give_batch(batch: Batch) -> None:
    # Pointers left in bufs are never read again: each call sets the entries
    # it passes to C.
    if len(_batches) < _SMALL_KEPT:
        _batches.append(batch)


def read_buffer(data: Any) -> Any:
    """A C view of any bytes-like object (y* in the stdlib)."""
    try:
        return ffi.from_buffer(data)
    except TypeError:
        raise TypeError(
            f"a bytes-like object is required, not '{type(data).__name__}'") from None


def write_buffer(buffer: Any, method: str) -> Any:
    """A writable C view of a buffer (w* in the stdlib)."""
    try:
        return ffi.from_buffer(buffer, require_writable=True)
    except (TypeError, BufferError) as exc:
        try:
            readonly = memoryview(buffer).readonly
        except TypeError:
            readonly = True
        if isinstance(exc, BufferError) and not readonly:
            raise  # e.g. not contiguous: the stdlib raises BufferError too
        raise TypeError(f"{method}() argument 1 must be read-write bytes-like "
                        f"object, not {type(buffer).__name__}") from None


def truncated(buf: Any, bufsize: int, n: int) -> bytes:
    """recv/recvfrom with MSG_TRUNC: the kernel returns a datagram's full size
    n, more than the bufsize bytes it copied.  The stdlib then returns n bytes,
    only the first bufsize of them received; so does pysock, with zeros after
    them, never reading past the buffer (a pooled one may hold another
    socket's data, and a datagram can be larger than the buffer itself)."""
    return ffi.unpack(buf, bufsize) + bytes(n - bufsize)
