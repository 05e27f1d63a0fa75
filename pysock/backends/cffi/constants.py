"""Constants read from the table the build made from the system headers.

Where the stdlib groups constants in enums (AddressFamily, SocketKind,
MsgFlag, AddressInfo), pysock hands out the stdlib's own enum members, so
``s.family`` prints and compares exactly as with the socket module.  Values
come from our headers; the enum only supplies the name, and a value that
disagreed with the stdlib's would be a build error worth seeing (tested).
"""

from __future__ import annotations

import socket as _std
from typing import Dict

from pysock.backends.cffi.native import ffi, lib

__all__ = ["SOCKET", "POSIX", "ENUMS"]

# name prefix -> the stdlib enum that owns it
ENUMS = {
    "AF_": _std.AddressFamily,
    "SOCK_": _std.SocketKind,
    "MSG_": _std.MsgFlag,
    "AI_": _std.AddressInfo,
}


def _as_enum(name: str, value: int) -> int:
    for prefix, enum_class in ENUMS.items():
        if name.startswith(prefix) and name in enum_class.__members__:
            member = enum_class.__members__[name]
            if int(member) == value:
                return member
    return value


def _read_table() -> "tuple[Dict[str, int], Dict[str, int]]":
    count = ffi.new("size_t *")
    table = lib.ps_constant_table(count)
    groups: "tuple[Dict[str, int], Dict[str, int]]" = ({}, {})
    for i in range(count[0]):
        row = table[i]
        name = ffi.string(row.name).decode("ascii")
        groups[row.group][name] = _as_enum(name, row.value)
    return groups


SOCKET, POSIX = _read_table()
