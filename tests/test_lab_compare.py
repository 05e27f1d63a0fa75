"""python -m pysock compare: its rows asserted, not just printed."""

from __future__ import annotations

import json
import os
import socket as std_socket
import subprocess
import sys

import pytest

from pysock.cli import compare
from pysock.labs import catalogue


def run_cli(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pysock", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=300,
                          env=dict(os.environ, **(env or {})))


@pytest.fixture(scope="module")
def report(c_build):  # noqa: F811  (builds the C twins first, with -Werror)
    return compare.collect(compare.select(["welcome", "recv-eof", "sigpipe", "nonblocking"],
                                          False))


def rows(report, name):
    scenario = next(s for s in report["scenarios"] if s["name"] == name)
    return {step["step"]: step for step in scenario["steps"]}


def test_three_columns_ran(report):
    assert report["columns"] == ["C", "pysock-cffi", "pysock-stdlib"]
    assert report["c"]["available"]
    for scenario in report["scenarios"]:
        assert scenario["errors"] == {}
        for step in scenario["steps"]:
            assert all(step["results"][column] is not None for column in report["columns"])


def test_same_behaviour_rows(report):
    eof = rows(report, "recv-eof")["recv at EOF"]
    assert eof["same"] and eof["why"] is None
    texts = [compare.cell_text(eof["results"][c], c) for c in report["columns"]]
    assert texts == ["0", "b''", "b''"]
    assert all(r["moved"] == 0 for r in eof["results"].values())
    welcome = rows(report, "welcome")
    assert all(step["same"] for step in welcome.values())
    assert welcome["exit status"]["results"]["C"]["key"] == "= all exited with 0"


def test_explained_difference_rows(report):
    sigpipe = rows(report, "sigpipe")["second send, SIGPIPE as the runtime left it"]
    assert not sigpipe["same"] and sigpipe["explained"]
    assert "BrokenPipeError" in sigpipe["why"]
    texts = [compare.cell_text(sigpipe["results"][c], c) for c in report["columns"]]
    assert texts == ["killed by SIGPIPE", "BrokenPipeError EPIPE", "BrokenPipeError EPIPE"]
    timeout = rows(report, "nonblocking")["recv with a 50 ms timeout"]
    raised = f"{std_socket.timeout.__name__}: timed out"  # TimeoutError since 3.10
    assert [compare.cell_text(timeout["results"][c], c) for c in report["columns"]] == \
        ["-1 EAGAIN", raised, raised]
    assert all(r["ns"] >= 40_000_000 for r in timeout["results"].values())


def test_summary_and_table(report):
    totals = compare.summary(report)
    assert totals["unexpected"] == 0 and totals["failed"] == 0
    assert totals["explained"] == 3  # sigpipe once, nonblocking twice
    assert totals["same"] + totals["explained"] == totals["steps"]

    class Out(list):
        def write(self, text):
            self.append(text)

    out = Out()
    compare.render(report, out)
    text = "".join(out)
    assert "\x1b[" not in text, "no colour when not writing to a terminal"
    lines = text.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("step"))
    row = next(line for line in lines if "recv at EOF again" in line)
    assert row.index("0") == header.index("C"), "the columns line up"
    assert "why: C's default action for SIGPIPE kills the process" in text
    assert lines[-1].startswith("4 scenarios,") and "0 unexpected" in lines[-1]


def test_an_unexplained_difference_is_flagged():
    scenario = catalogue.Scenario("x", "x", "x")
    step = {"step": "s", "key": "= 1", "shown": "1", "errno": None, "moved": None, "ns": 1}
    other = dict(step, key="= 2", shown="2")
    result = compare._compare(scenario, {"C": {"steps": [step], "error": None},
                                         "pysock-cffi": {"steps": [step], "error": None},
                                         "pysock-stdlib": {"steps": [other], "error": None}})
    assert result["steps"][0]["same"] is False and result["steps"][0]["explained"] is False
    report = {"unavailable": {}, "scenarios": [result]}
    assert compare.summary(report)["unexpected"] == 1


def test_missing_step_in_one_column_is_a_difference():
    scenario = catalogue.Scenario("x", "x", "x")
    step = {"step": "s", "key": "= 1", "shown": "1", "errno": None, "moved": None, "ns": 1}
    result = compare._compare(scenario, {"C": {"steps": [step], "error": None},
                                         "pysock-cffi": {"steps": [], "error": "boom"},
                                         "pysock-stdlib": {"steps": [step], "error": None}})
    assert not result["steps"][0]["same"] and result["errors"] == {"pysock-cffi": "boom"}


def test_default_set_and_list():
    default = [s.name for s in compare.select([], False)]
    assert default[:3] == ["welcome", "hello", "hello-nonblocking"]
    assert set(catalogue.BEHAVIOURS) <= set(default)
    everything = [s.name for s in compare.select([], True)]
    assert "echo-forked" not in default and "echo-forked" in everything
    listing = run_cli("compare", "--list")
    assert listing.returncode == 0
    for scenario in catalogue.scenarios():
        assert scenario.name in listing.stdout


def test_json_from_the_command_line(c_build):  # noqa: F811
    done = run_cli("compare", "msg-peek", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["summary"]["unexpected"] == 0
    assert [s["name"] for s in data["scenarios"]] == ["msg-peek"]
    assert done.stderr == "", "no progress line when stderr is not a terminal"


def test_without_a_compiler_the_c_column_says_so(tmp_path):
    done = run_cli("compare", "recv-eof", "byte-order",
                   env={"CC": "pysock-no-such-compiler", "PYSOCK_LAB_CACHE": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "C column: not built: no C compiler (pysock-no-such-compiler) on PATH" in done.stdout
    assert "b''" in done.stdout and "0 unexpected" in done.stdout


def test_a_narrow_terminal_stacks_the_columns(c_build):  # noqa: F811
    done = run_cli("compare", "sigpipe", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    at = lines.index("≠ second send, SIGPIPE as the runtime left it")
    assert lines[at + 1].split()[:4] == ["C", "killed", "by", "SIGPIPE"]
    assert lines[at + 2].split()[:3] == ["pysock-cffi", "BrokenPipeError", "EPIPE"]
    assert max(len(line) for line in lines if not line.lstrip().startswith(("why", "pysock"))) <= 80


def test_without_the_extension_the_cffi_column_says_so(tmp_path):
    """A pure-Python install (no pysock._ffi): the stdlib column still runs."""
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class NoExtension:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pysock._ffi':\n"
        "            raise ImportError('pysock._ffi blocked for this test')\n"
        "sys.meta_path.insert(0, NoExtension())\n")
    done = run_cli("compare", "msg-peek",
                   env={"PYTHONPATH": str(tmp_path), "PYSOCK_BACKEND": "auto",
                        "CC": "pysock-no-such-compiler", "PYSOCK_LAB_CACHE": str(tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pysock-cffi column: not available: pysock's compiled extension" in done.stdout
    assert "BlockingIOError EAGAIN" in done.stdout and "0 unexpected" in done.stdout


def test_unknown_scenario_is_an_error():
    done = run_cli("compare", "no-such-scenario")
    assert done.returncode != 0 and "unknown scenario: no-such-scenario" in done.stderr
