"""pysock's stdlib backend: the standard socket module, with pysock's extras.

Everything the socket module has is re-exported as it is, except that the
socket class is a subclass carrying pysock's extra methods, and the helpers
that create sockets (accept, socketpair, create_connection, fromfd, ...) are
the stdlib's own code rebound so that they create that subclass.  Extras the
socket module cannot do itself use other stdlib modules (ctypes for UDP
disconnect); the fast paths are in stdlib_fastpaths.py.
"""

import array  # noqa: F401  (send_fds, recv_fds)
import ctypes
import ctypes.util
import errno
import io  # noqa: F401  (makefile)
import os
import selectors  # noqa: F401  (sendfile)
import socket as _std
import sys

from pysock import _rebind
from pysock.backends import NOT_PORTED, api_names, make_fromfd
from pysock.backends.extras import IncompleteReadError  # noqa: F401  (pysock's namespace)
from pysock.backends.stdlib_fastpaths import FastPaths, splice  # noqa: F401

_socket = sys.modules["_socket"]
_CONSTANTS = {name: getattr(_std, name) for name in _std.__all__
              if name not in NOT_PORTED and (name.isupper() or name == "AF_DECnet")
              and isinstance(getattr(_std, name), int)}
globals().update({name: getattr(_std, name) for name in _std.__all__})
_GLOBAL_DEFAULT_TIMEOUT = _std._GLOBAL_DEFAULT_TIMEOUT
_GiveupOnSendfile = _std._GiveupOnSendfile


class _Libc:
    """connect(2) from the C library, for the one call the socket module lacks."""

    _connect = None

    @classmethod
    def connect(cls, fd: int, address: bytes) -> int:
        if cls._connect is None:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            func = libc.connect
            func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            func.restype = ctypes.c_int
            cls._connect = func
        return cls._connect(fd, address, len(address))


class socket(FastPaths, _std.socket):
    """socket.socket with pysock's extra methods."""

    __slots__ = ()

    def disconnect(self):
        """Dissolve a datagram socket's association (connect to AF_UNSPEC).

        pysock extra: the socket module has no way to undo connect() on UDP,
        so this calls connect(2) through ctypes.
        """
        # struct sockaddr with sa_family = AF_UNSPEC (0), in the platform's
        # layout: a zeroed 16-byte sockaddr.
        unspec = bytes(16)
        while True:
            if _Libc.connect(self.fileno(), unspec) == 0:
                return
            err = ctypes.get_errno()
            if err != errno.EINTR:  # PEP 475: retry when a signal interrupts
                raise OSError(err, os.strerror(err))


_HELPERS = ("create_connection", "create_server", "has_dualstack_ipv6", "getfqdn",
            "send_fds", "recv_fds", "socketpair")
for _name in _HELPERS:
    if hasattr(_std, _name):
        globals()[_name] = _rebind.adopt(getattr(_std, _name), globals())
# accept() builds its result with the module's "socket": rebound, it builds ours.
socket.accept = _rebind.adopt(_std.socket.accept, globals())
socket.__module__ = "pysock"
SocketType = socket
del _name

fromfd = make_fromfd(globals())
__all__ = api_names(list(_CONSTANTS), globals())
