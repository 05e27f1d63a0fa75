"""unix-path: a UNIX socket's path outlives the socket; sun_path is short."""

import os
import tempfile

TITLE = "UNIX socket paths"
TEACHES = """A UNIX-domain socket's address is a file: close() does not remove
it, and the next bind() to that path fails with EADDRINUSE until someone
unlinks it (the lab's UNIX servers remove it on exit, and a stale one before
binding).  sun_path holds 108 bytes on Linux (104 on macOS), NUL included:
careless C copies a longer path past its end; Python refuses it with
OSError("AF_UNIX path too long")."""
WHY = {}


def run(socket, step):
    directory = tempfile.mkdtemp(prefix="pysock-", dir="/tmp")
    path = os.path.join(directory, "lab.sock")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            with step("bind a UNIX socket to a path") as s:
                s.returned(sock.bind(path))
        with step("after close(), is the file still there?") as s:
            s.value("yes" if os.path.exists(path) else "no")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            with step("bind a new socket to the same path") as s:
                s.returned(sock.bind(path))
            with step("unlink() the path, then bind") as s:
                os.unlink(path)
                s.returned(sock.bind(path))
        os.unlink(path)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            with step("a path longer than sun_path") as s:
                try:
                    sock.bind("/tmp/" + "x" * 250)
                except OSError as exc:
                    s.returned(None, key="= rejected", shown=f"OSError: {exc}")
    finally:
        if os.path.exists(path):
            os.unlink(path)
        os.rmdir(directory)
