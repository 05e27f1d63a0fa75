"""byte-order: htons/htonl and the text <-> binary address conversions."""

import sys

TITLE = "byte order and address conversion"
TEACHES = """Numbers travel in network byte order (big-endian): htons/htonl swap
the bytes on a little-endian host (x86, most ARM) and do nothing on a
big-endian one.  inet_pton() accepts only the dotted quad for AF_INET;
inet_aton() is IPv4 only (not "IPv4 and IPv6", as a seed note says) and
accepts the old forms "127.1" and octal "010.0.0.1" (= 8.0.0.1).  C's
inet_addr() returns INADDR_NONE (0xffffffff) on error, which is also the
valid address 255.255.255.255; the socket module has no inet_addr(), and its
inet_aton() raises OSError on an error, so Python can tell the two apart."""
WHY = {
    'inet_addr("255.255.255.255")':
        "the socket module has no inet_addr(): Python shows inet_aton()'s "
        "4 bytes as the same in_addr_t number",
    'inet_addr("1.2.3.256"): an error':
        "C's inet_addr() returns INADDR_NONE, the same value as 255.255.255.255; "
        "Python's inet_aton() raises instead",
}


def attempt(s, convert, show):
    """Record what a conversion gives, or "rejected" when it raises OSError."""
    try:
        result = convert()
    except OSError as exc:
        s.returned(None, key="= rejected", shown=f"OSError: {exc}")
        return
    s.value(show(result))


def run(socket, step):
    with step("host byte order") as s:
        s.value(f"{sys.byteorder}-endian")
    with step("htons(0x1234)") as s:
        s.value(f"0x{socket.htons(0x1234):04x}")
    with step("htonl(0x12345678)") as s:
        s.value(f"0x{socket.htonl(0x12345678):08x}")

    def ipv4(packed):
        return socket.inet_ntoa(packed)

    with step('inet_pton(AF_INET, "127.1")') as s:
        attempt(s, lambda: socket.inet_pton(socket.AF_INET, "127.1"), ipv4)
    with step('inet_aton("127.1")') as s:
        attempt(s, lambda: socket.inet_aton("127.1"), ipv4)
    with step('inet_aton("010.0.0.1"): octal') as s:
        attempt(s, lambda: socket.inet_aton("010.0.0.1"), ipv4)
    with step('inet_aton("::1"): IPv4 only') as s:
        attempt(s, lambda: socket.inet_aton("::1"), ipv4)
    with step('inet_pton(AF_INET6, "::1")') as s:
        attempt(s, lambda: socket.inet_pton(socket.AF_INET6, "::1"),
                lambda packed: socket.inet_ntop(socket.AF_INET6, packed))

    def in_addr_t(packed):  # what C's inet_addr() would return
        return f"0x{int.from_bytes(packed, sys.byteorder):08x}"

    with step('inet_addr("255.255.255.255")') as s:
        attempt(s, lambda: socket.inet_aton("255.255.255.255"), in_addr_t)
    with step('inet_addr("1.2.3.256"): an error') as s:
        attempt(s, lambda: socket.inet_aton("1.2.3.256"), in_addr_t)
