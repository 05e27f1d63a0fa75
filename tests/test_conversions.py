"""Byte order and address conversions against the stdlib, with hypothesis."""

from __future__ import annotations

import socket as std_socket

import pytest
from hypothesis import given, strategies as st

from conftest import assert_like_stdlib, is_cffi, outcome, outcome_text

ints = st.one_of(st.integers(min_value=-2**65, max_value=2**65),
                 st.sampled_from([0, 1, 0xFFFF, 0x10000, 2**31 - 1, 2**31, 2**32 - 1, 2**32, -1]))


@given(ints)
def test_byte_order_functions_match_the_stdlib(value):
    import warnings
    from pysock import backends
    for name in ("htons", "ntohs", "htonl", "ntohl"):
        for api in (backends.load("cffi"), backends.load("stdlib")):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                assert outcome(getattr(api, name), value) == \
                    outcome(getattr(std_socket, name), value), (name, value)


def test_htons_on_this_machine(api):
    # The lab's question: 0x1234 in network order is 0x3412 on little endian.
    import sys
    expected = 0x3412 if sys.byteorder == "little" else 0x1234
    assert api.htons(0x1234) == expected
    assert api.ntohs(api.htons(0x1234)) == 0x1234
    assert api.htonl(0x7F000001) == (0x0100007F if sys.byteorder == "little" else 0x7F000001)


@given(st.binary(min_size=4, max_size=4))
def test_inet_ntop_pton_roundtrip_v4(packed):
    from pysock import backends
    for api in (backends.load("cffi"), backends.load("stdlib")):
        text = api.inet_ntop(api.AF_INET, packed)
        assert text == std_socket.inet_ntop(std_socket.AF_INET, packed)
        assert api.inet_pton(api.AF_INET, text) == packed
        assert api.inet_ntoa(packed) == text
        assert api.inet_aton(text) == packed


@given(st.binary(min_size=16, max_size=16))
def test_inet_ntop_pton_roundtrip_v6(packed):
    from pysock import backends
    for api in (backends.load("cffi"), backends.load("stdlib")):
        text = api.inet_ntop(api.AF_INET6, packed)
        assert text == std_socket.inet_ntop(std_socket.AF_INET6, packed)
        assert api.inet_pton(api.AF_INET6, text) == packed


@given(st.text(max_size=40))
def test_text_parsers_agree_with_the_stdlib_on_any_string(text):
    from pysock import backends
    for api in (backends.load("cffi"), backends.load("stdlib")):
        # PyPy reads the text up to an embedded NUL; CPython refuses it
        # (ValueError), and so does pysock (docs/differences.md, "On PyPy").
        differs = is_cffi(api) and "\0" in text
        assert_like_stdlib(outcome_text(api.inet_aton, text),
                           outcome_text(std_socket.inet_aton, text), pypy_differs=differs)
        for family in (std_socket.AF_INET, std_socket.AF_INET6):
            assert_like_stdlib(outcome_text(api.inet_pton, family, text),
                               outcome_text(std_socket.inet_pton, family, text),
                               pypy_differs=differs)


@given(st.binary(max_size=20), st.sampled_from([std_socket.AF_INET, std_socket.AF_INET6, 99]))
def test_inet_ntop_bad_lengths_and_families(packed, family):
    from pysock import backends
    for api in (backends.load("cffi"), backends.load("stdlib")):
        # An unknown family is ValueError in CPython and pysock, OSError on PyPy.
        assert_like_stdlib(outcome_text(api.inet_ntop, family, packed),
                           outcome_text(std_socket.inet_ntop, family, packed),
                           pypy_differs=is_cffi(api) and family == 99)
        assert outcome(api.inet_ntoa, packed) == outcome(std_socket.inet_ntoa, packed)


@pytest.mark.parametrize("text", ["127.1", "0x7f.1", "0177.0.0.1", "10", "1.2.3.4 junk",
                                  "255.255.255.255", "256.1.1.1", ""])
def test_inet_aton_accepts_the_loose_forms_libc_accepts(api, text):
    assert outcome(api.inet_aton, text) == outcome(std_socket.inet_aton, text)


@pytest.mark.parametrize("args", [(1,), (b"1.2.3.4",), ("1.2\0.3.4",)])
def test_inet_aton_wrong_types(api, args):
    assert_like_stdlib(outcome_text(api.inet_aton, *args), outcome_text(std_socket.inet_aton, *args),
                       pypy_differs=is_cffi(api) and "\0" in str(args[0]))


def test_conversions_from_many_threads_at_once(api):
    # The cffi fast paths share a free list of output buffers and release the
    # GIL in each call: every thread must still get its own address back.
    import threading
    failures = []

    def convert(seed):
        for i in range(2000):
            packed = bytes((seed * 7 + i + k) % 256 for k in range(16))
            try:
                text = api.inet_ntop(api.AF_INET6, packed)
                ok = (api.inet_pton(api.AF_INET6, text) == packed
                      and text == std_socket.inet_ntop(std_socket.AF_INET6, packed)
                      and api.inet_ntoa(packed[:4]) == std_socket.inet_ntoa(packed[:4]))
            except Exception as exc:  # a mixed-up buffer can also make bad text
                ok = exc
            if ok is not True:
                failures.append((seed, i, ok))
                return

    threads = [threading.Thread(target=convert, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
