"""scripts/soak.py in a tiny configuration, on each backend: proof that the
soak runs, reports sensible numbers and catches what it is meant to catch
(not a speed test).  The long runs and their figures: docs/reliability.md.

The script lives in the checkout, not in the package: where the tests run
next to an installed wheel (cibuildwheel, scripts/wheel_proof.py) they skip.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CPYTHON, linux_only

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "soak.py"

pytestmark = [
    linux_only,   # the soak reads /proc/self for descriptors and RSS
    pytest.mark.skipif(not SCRIPT.is_file(), reason="no scripts/soak.py: not a checkout"),
]


@pytest.fixture(scope="module")
def soak():
    spec = importlib.util.spec_from_file_location("soak", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module   # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules["soak"]


# Under ASan (tests/memcheck/sanitize.sh) freed memory waits in its quarantine
# (256 MiB by default) instead of being reused: RSS bounds are looser there.
RSS_SCALE = 16 if os.environ.get("PYSOCK_SANITIZED") else 1


def backend_name(api) -> str:
    return api.__name__.rsplit(".", 1)[-1]


def test_tiny_soak_reports_sensible_numbers(api, soak):
    # PyPy's JIT compiles the phases' code while they run, and its RSS grows
    # with that, not with sockets: a looser bound there.
    config = soak.Config(phases=["churn", "echo", "udp"], churn_connections=300,
                         echo_connections=30, echo_seconds=1.0, udp_seconds=1.0,
                         max_rss_growth_mib=(64.0 if CPYTHON else 512.0) * RSS_SCALE)
    churn, echo, udp = soak.run_soak(api, backend_name(api), config)
    for report in (churn, echo, udp):
        assert report.failures == [], report
        assert report.backend == backend_name(api)
        assert report.fds_end == report.fds_start
        assert report.rss_start_kib > 0 and report.rss_end_kib > 0

    assert churn.connections == churn.messages_sent == churn.messages_received == 300
    assert churn.bytes_sent == churn.bytes_received > 300 * 8

    assert echo.connections == 30
    assert echo.fds_peak >= echo.fds_start + 2 * 30   # both ends of every connection at once
    assert echo.messages_sent == echo.messages_received >= 30
    assert echo.bytes_sent == echo.bytes_received > 0

    assert udp.messages_received > 0
    assert udp.lost == udp.messages_sent - udp.messages_received >= 0
    assert udp.bytes_received <= udp.bytes_sent


def test_echo_checker_catches_corruption_reordering_and_loss(soak):
    report = soak.PhaseReport("echo", "none")
    checker = soak.EchoChecker(3, report)
    first, second, third = (soak.frame(3, seq) for seq in range(3))
    checker.in_flight = len(first) + len(second) + len(third)
    checker.received(first[:5])              # a frame split across reads is fine
    checker.received(first[5:])
    assert (report.messages_received, report.corrupted, report.errors) == (1, 0, {})

    damaged = bytearray(second)
    damaged[-1] ^= 0x01
    checker.received(bytes(damaged))
    assert report.corrupted == 1

    checker.received(soak.frame(3, 4))       # 3 never came back
    assert report.errors == {"reordered or lost frame": 1}


def test_udp_checker_counts_loss_apart_from_duplicates_and_corruption(soak):
    report = soak.PhaseReport("udp", "none")
    checker = soak.UdpChecker(report)
    for seq in (0, 1, 3, 2, 3):              # 2 late (fine), then 3 again
        checker.received(soak.datagram(seq))
    assert report.duplicated == 1
    damaged = bytearray(soak.datagram(4))
    damaged[20] ^= 0xFF
    checker.received(bytes(damaged))
    checker.received(soak.datagram(5)[:-1])  # a shortened datagram
    assert report.corrupted == 2
    checker.received(soak.datagram(5))
    assert checker.missing == {4}          # counted as lost, not as anything worse
    assert (report.duplicated, report.corrupted, report.errors) == (1, 2, {})


def run_script(*args: str, limit_fds: int = 0) -> subprocess.CompletedProcess:
    def lower_fd_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit_fds, limit_fds))
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                          text=True, timeout=120, preexec_fn=lower_fd_limit if limit_fds else None,
                          env=dict(os.environ, PYTHONPATH=str(SCRIPT.parents[1])))


def test_command_line_prints_a_table_and_writes_json(api, tmp_path):
    out = tmp_path / "soak.json"
    result = run_script("--backend", backend_name(api), "--phases", "churn,udp",
                        "--churn-connections", "100", "--udp-seconds", "0.5",
                        "--max-rss-growth-mib", str(64 * RSS_SCALE), "--json", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "churn" in result.stdout and "udp" in result.stdout
    document = json.loads(out.read_text())
    assert [phase["phase"] for phase in document["phases"]] == ["churn", "udp"]
    assert {phase["backend"] for phase in document["phases"]} == {backend_name(api)}
    assert document["phases"][0]["connections"] == 100


def test_too_low_descriptor_limit_fails_clearly(api):
    result = run_script("--backend", backend_name(api), "--phases", "echo",
                        "--echo-connections", "1000", "--echo-seconds", "1", limit_fds=256)
    assert result.returncode != 0
    assert "RLIMIT_NOFILE hard limit is 256" in result.stderr


def test_a_phase_fails_on_errors_corruption_descriptors_or_rss(soak):
    clean = soak.PhaseReport("echo", "none", fds_start=6, fds_end=6,
                             rss_start_kib=20_000, rss_end_kib=20_500)
    clean.judge(max_rss_growth_kib=1024)
    assert clean.failures == []
    for change, reason in ((dict(fds_end=7), "descriptors grew 6 -> 7"),
                           (dict(rss_end_kib=21_100), "RSS grew 20000 -> 21100 KiB"),
                           (dict(corrupted=1), "1 corrupted"),
                           (dict(duplicated=2), "2 duplicated"),
                           (dict(errors={"OSError(EADDRNOTAVAIL)": 1}), "unexpected errors")):
        report = soak.PhaseReport("echo", "none", fds_start=6, fds_end=6,
                                  rss_start_kib=20_000, rss_end_kib=20_500)
        for name, value in change.items():
            setattr(report, name, value)
        report.judge(max_rss_growth_kib=1024)
        assert len(report.failures) == 1 and reason in report.failures[0], report.failures
