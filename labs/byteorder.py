"""byteorder: host byte order, htons/htonl, and the text <-> binary address
conversions, for the numbers and strings given (or a teaching set).

    python byteorder.py [NUMBER|ADDRESS...]      e.g. python byteorder.py 12345 127.1 ::1

NUMBERs are decimal or 0x-hex; anything else is an ADDRESS.  The lessons are
those of byteorder.c.  The socket module has no inet_addr(); inet_addr()
below is what the C library's does (inet_aton, or INADDR_NONE on error), so
the output matches the C twin line for line.
"""

import sys

import pysock as socket
from pysock.labs import lab

INADDR_NONE = 0xFFFFFFFF
TEACHING = ["0x1234", "12345", "0x12345678", "127.0.0.1", "127.1", "0x7f.1",
            "010.0.0.1", "255.255.255.255", "1.2.3.256", "::1"]


def inet_addr(text: str) -> int:
    """libc's inet_addr(): the in_addr_t value (network-order bytes read as a
    host integer), or INADDR_NONE when inet_aton() rejects the text."""
    try:
        return int.from_bytes(socket.inet_aton(text), sys.byteorder)
    except OSError:
        return INADDR_NONE


def shown(packed: bytes, family: int) -> str:
    return f"{packed.hex()} (inet_ntop: {socket.inet_ntop(family, packed)})"


def show_address(s: str) -> None:
    try:
        packed = socket.inet_pton(socket.AF_INET, s)
        print(f'inet_pton(AF_INET, "{s}") = {shown(packed, socket.AF_INET)}')
    except OSError:
        print(f'inet_pton(AF_INET, "{s}") = 0: not a dotted quad')
    if ":" in s:
        try:
            print(f'inet_pton(AF_INET6, "{s}") = '
                  f'{shown(socket.inet_pton(socket.AF_INET6, s), socket.AF_INET6)}')
        except OSError:
            print(f'inet_pton(AF_INET6, "{s}") = 0: not an IPv6 address')
    try:
        print(f'inet_aton("{s}") = {shown(socket.inet_aton(s), socket.AF_INET)}')
    except OSError:
        print(f'inet_aton("{s}") = 0: not an IPv4 address')
    value = inet_addr(s)
    note = " = INADDR_NONE: an error, or 255.255.255.255?" if value == INADDR_NONE else ""
    print(f'inet_addr("{s}") = 0x{value:08x}{note}')


def number(s: str):
    hexadecimal = s.startswith("0x") and "." not in s
    try:
        value = int(s[2:] if hexadecimal else s, 16 if hexadecimal else 10)
    except ValueError:
        return None
    return value if 0 <= value <= 0xFFFFFFFF and s[:1] not in ("-", "+", " ") else None


def show() -> None:
    opts = lab.options(__doc__.splitlines()[0], "NUMBER|ADDRESS")
    print(f"host byte order: {sys.byteorder}-endian")
    for s in opts.args or TEACHING:
        value = number(s)
        if value is None:
            show_address(s)
            continue
        if value <= 0xFFFF:
            print(f"htons(0x{value:04x}) = 0x{socket.htons(value):04x}")
        print(f"htonl(0x{value:08x}) = 0x{socket.htonl(value):08x}")


if __name__ == "__main__":
    lab.start()
    lab.main(show)
