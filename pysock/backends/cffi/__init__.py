"""pysock's cffi backend: the socket module's API on compiled C shims.

This module is a complete stand-in for ``socket``: the socket class, the
functions, the exceptions (the stdlib's own classes), and every constant the
system headers define.  The pure-Python helpers of socket.py
(create_connection, makefile, ...) are the stdlib's own code, rebound to this
namespace by pysock._rebind so they run on these shims.
"""

# Modules the adopted socket.py helpers read as globals.
import array  # noqa: F401  (send_fds, recv_fds)
import io  # noqa: F401  (makefile)
import os  # noqa: F401  (create_server)
import selectors  # noqa: F401  (sendfile)
import socket as _std
import sys

from pysock import _rebind
from pysock.backends import api_names, make_fromfd
from pysock.backends.extras import IncompleteReadError
from pysock.backends.cffi.arguments import c_int
from pysock.backends.cffi.constants import SOCKET as _CONSTANTS
from pysock.backends.cffi.conversions import (
    CMSG_LEN, CMSG_SPACE, htonl, htons, inet_aton, inet_ntoa, inet_ntop, inet_pton,
    ntohl, ntohs)
from pysock.backends.cffi.errors import error, from_result, gaierror, herror, timeout
from pysock.backends.cffi.fastpaths import splice
from pysock.backends.cffi.native import ffi, lib
from pysock.backends.cffi.netdb import (
    getaddrinfo, gethostbyaddr, gethostbyname, gethostbyname_ex, gethostname,
    getnameinfo, getprotobyname, getservbyname, getservbyport, if_indextoname,
    if_nameindex, if_nametoindex, sethostname)
from pysock.backends.cffi.sockets import getdefaulttimeout, setdefaulttimeout, socket

globals().update(_CONSTANTS)

AddressFamily = _std.AddressFamily
SocketKind = _std.SocketKind
MsgFlag = _std.MsgFlag
AddressInfo = _std.AddressInfo
SocketIO = _std.SocketIO
SocketType = socket
_GLOBAL_DEFAULT_TIMEOUT = _std._GLOBAL_DEFAULT_TIMEOUT
_GiveupOnSendfile = _std._GiveupOnSendfile
# The helpers look constants up on "_socket" (hasattr(_socket, "SO_REUSEPORT")):
# here that is this module.
_socket = sys.modules[__name__]
has_ipv6 = bool(_std.has_ipv6) and "AF_INET6" in _CONSTANTS


def socketpair(family=None, type=_CONSTANTS["SOCK_STREAM"], proto=0):
    """A pair of connected sockets (AF_UNIX by default)."""
    if family is None:
        family = _CONSTANTS.get("AF_UNIX", _CONSTANTS["AF_INET"])
    family, type, proto = c_int(family), c_int(type), c_int(proto)
    fds = ffi.new("int[2]")
    result = lib.ps_socketpair(family, type, proto, fds)
    if result < 0:
        raise from_result(result)
    nonblocking = bool(type & _CONSTANTS.get("SOCK_NONBLOCK", 0))
    return (socket._wrap(fds[0], family, type, proto, nonblocking),
            socket._wrap(fds[1], family, type, proto, nonblocking))


def dup(fd):
    """Duplicate a descriptor (close-on-exec, as the stdlib's)."""
    result = lib.ps_dup(c_int(fd))
    if result < 0:
        raise from_result(result)
    return result


def close(fd):
    """Close a socket descriptor (ECONNRESET ignored, as the stdlib does)."""
    result = lib.ps_close_fd(fd)
    if result < 0:
        raise from_result(result)


# socket.py's helpers, run on this backend.
_HELPERS = ("create_connection", "create_server", "has_dualstack_ipv6", "getfqdn",
            "send_fds", "recv_fds")
_METHODS = ("__repr__", "__getstate__", "__enter__", "__exit__", "makefile", "close",
            "_decref_socketios", "dup", "_check_sendfile_params", "_sendfile_use_send",
            "sendfile")
for _name in _HELPERS:
    if hasattr(_std, _name):
        globals()[_name] = _rebind.adopt(getattr(_std, _name), globals())
for _name in _METHODS:
    setattr(socket, _name, _rebind.adopt(getattr(_std.socket, _name), globals()))
socket.__module__ = "pysock"
del _name

fromfd = make_fromfd(globals())
__all__ = api_names(list(_CONSTANTS), globals())
