"""The seeds' own code runs unchanged with ``import pysock as socket``.

The seed programs use fixed ports (1234, 12345) that may be busy on a shared
machine, so each run gets a private network namespace with only a loopback
interface (``unshare --net``, as an unprivileged user with a user namespace
too): there the fixed port is certainly free, and nothing leaves the
namespace."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from pysock.labs import LABS_DIR, catalogue

SEEDS = ["seed-welcome", "seed-hello"]

INSIDE = """
import json, sys
from pysock.labs import catalogue, runner
program = catalogue.program(sys.argv[1])
impl = runner.Impl("python", sys.argv[2])
conv = runner.converse(program, impl, impl, timeout=15)
print(json.dumps({"steps": runner.conversation_steps(program, conv), "errors": conv.errors}))
"""


def _namespace_prefix():
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    if not unshare or not ip:
        return None
    prefix = [unshare, "--net", "--map-root-user", "sh", "-c", 'ip link set lo up && exec "$@"',
              "sh"]
    probe = subprocess.run(prefix + ["true"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
    return prefix if probe.returncode == 0 else None


PREFIX = _namespace_prefix()
needs_netns = pytest.mark.skipif(
    PREFIX is None, reason="needs a private network namespace (unshare --net --map-root-user "
                           "and ip) to run the seed code on its own fixed port")


def run_in_namespace(name: str, backend: str) -> dict:
    done = subprocess.run(PREFIX + [sys.executable, "-c", INSIDE, name, backend],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", SEEDS)
def test_seed_files_are_plain_socket_code(name):
    program = catalogue.program(name)
    for role in ("server", "client"):
        lines = (LABS_DIR / program.file(role, "python")).read_text().splitlines()
        assert lines[0].startswith("import pysock as socket  # the seed")
        assert not any("pysock" in line for line in lines[1:]), \
            "only the import line may differ from the seed's own code"


@needs_netns
@pytest.mark.parametrize("backend", ["cffi", "stdlib"])
@pytest.mark.parametrize("name", SEEDS)
def test_seed_code_runs_unchanged_on_pysock(name, backend):
    result = run_in_namespace(name, backend)
    said = [step["key"][2:] for step in result["steps"]]
    if name == "seed-welcome":
        assert said[:3] == ["Server is listening on port PORT...",
                            "Connection from ('127.0.0.1', PORT) has been established.",
                            "Received from client: Hello, Server! This is the client."]
        assert said[3:5] == ["Received from server: Welcome to the server!",
                             "Received from server: Message received!"]
    else:
        assert said[:4] == ["Hello from client", "Hello message sent to client",
                            "Hello message sent to server", "Hello from server"]
    assert result["steps"][-1]["key"].startswith(("= all exited with 0", "= clients exited with 0"))
