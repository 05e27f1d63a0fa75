"""Every compare scenario: the Python twin on both backends (in this process,
through the api fixture) against the C twin, step by step."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from pysock.labs import catalogue, runner, scenarios
from pysock.labs.scenarios.scenario import Recorder

NAMES = catalogue.BEHAVIOURS


class Steps(list):
    """A recorder's output, kept in a list instead of printed."""

    def write(self, text: str) -> None:
        import json
        self.extend(json.loads(line) for line in text.splitlines() if line)

    def flush(self) -> None:
        pass


def python_steps(name: str, api: Any) -> List[Dict[str, Any]]:
    out = Steps()
    scenarios.load(name).run(api, Recorder(out))
    return list(out)


def keys(steps: List[Dict[str, Any]]) -> Dict[str, str]:
    return {step["step"]: step["key"] for step in steps}


@pytest.mark.parametrize("name", NAMES)
def test_python_twin_matches_c_twin(name, api, c_build):  # noqa: F811
    module = scenarios.load(name)
    _, c_steps, error = runner.run_c_scenario(name, c_build)
    assert error is None, error
    py_steps = python_steps(name, api)
    assert [s["step"] for s in py_steps] == [s["step"] for s in c_steps], \
        "the twins must report the same steps in the same order"
    c_keys, py_keys = keys(c_steps), keys(py_steps)
    for step, key in c_keys.items():
        if step in module.WHY and c_keys[step] != py_keys[step]:
            continue  # an explained difference (asserted in the test below)
        assert py_keys[step] == key, f"{name}: {step!r}: C {key!r}, Python {py_keys[step]!r}"


@pytest.mark.parametrize("name", NAMES)
def test_scenario_metadata(name):
    module = scenarios.load(name)
    assert module.TITLE and len(module.TEACHES.split()) > 15
    assert all(len(why) < 160 for why in module.WHY.values()), "one line each"


# What each explained difference is, so a change in either twin is noticed.
EXPECTED_DIFFERENCES = {
    ("sigpipe", "second send, SIGPIPE as the runtime left it"): ("signal 13", "errno 32"),
    ("nonblocking", "recv with a 50 ms timeout"): ("errno 11", "timeout"),
    ("nonblocking", "is O_NONBLOCK set during the timeout?"): ("= no", "= yes"),
    ("eintr", "blocking recv, a signal handler runs (no SA_RESTART)"): ("errno 4", "= 5"),
    ('byte-order', 'inet_addr("1.2.3.256"): an error'): ("= 0xffffffff", "= rejected"),
}


@pytest.mark.parametrize("name,step", sorted(EXPECTED_DIFFERENCES))
def test_explained_differences(name, step, api, c_build):  # noqa: F811
    assert step in scenarios.load(name).WHY
    c_key, py_key = EXPECTED_DIFFERENCES[(name, step)]
    assert keys(runner.run_c_scenario(name, c_build)[1])[step] == c_key
    assert keys(python_steps(name, api))[step] == py_key


# A few results pinned, not only compared: both twins could drift together.
PINNED = {
    ("recv-eof", "recv at EOF"): "= 0",
    ("boundaries", "recv(1024): both sends in one recv"): "= 10",
    ("partial-write", "send 1 MiB on a non-blocking socket"): "= partial",
    ("udp-truncate", "recv(MSG_TRUNC): the real size"): "= 100",
    ("eaddrinuse", "bind again, server gone, a connection in TIME_WAIT"): "errno 98",
    ("eaddrinuse", "bind again with SO_REUSEADDR"): "= 0",
    ("reuseport", "20 connections: the kernel spreads them"): "= both listeners got some",
    ("connrefused", "connect to a port with no listener"): "errno 111",
    ("udp-connrefused", "recv: no error reaches an unconnected socket"): "errno 11",
    ("udp-connrefused", "recv: the ICMP error, as ECONNREFUSED"): "errno 111",
    ("close-shutdown", "the peer sees no EOF: the socket is still open"): "errno 11",
    ("close-shutdown", "send after SHUT_WR"): "errno 32",
    ("backlog", "4 clients connect, nobody calls accept()"):
        "= 2 established, 2 waiting, 0 refused",
    ("msg-oob", "recv(MSG_OOB): the urgent byte"): "= 1",
    ("msg-oob", "SIGURG reached the socket's owner"): "= yes",
    ("unix-path", "bind a new socket to the same path"): "errno 98",
    ("fork-reap", "zombies before waitpid()"): "= 3",
}


@pytest.mark.parametrize("name,step", sorted(PINNED))
def test_pinned_results(name, step, api):
    assert keys(python_steps(name, api))[step] == PINNED[(name, step)]


def test_runner_streams_each_scenario_once():
    """The subprocess runner (what compare uses) yields every scenario, in order."""
    names = ["recv-eof", "msg-peek", "byte-order"]
    seen = [(name, len(steps), error)
            for name, steps, error in runner.run_python_scenarios(names, runner.CFFI)]
    assert [name for name, _, _ in seen] == names
    assert all(count > 0 and error is None for _, count, error in seen)
