#!/usr/bin/env python3
"""pysock's benchmark suite: every workload in C, on the stdlib `socket`, on
pysock's cffi backend and on pysock's stdlib backend; prints the ratio table
and writes the results as JSON.

    python bench/run.py                  # full run (10-15 minutes)
    python bench/run.py --quick          # under 30 s, small sizes
    python bench/run.py --only pingpong,calls --reps 9 --cpu 1
    python bench/run.py --python ~/.pyenv/versions/3.13.0/bin/python

See bench/README.md for the workloads and the method.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

BENCH_DIR = Path(__file__).resolve().parent
C_DIR = BENCH_DIR / "c"
ROOT = BENCH_DIR.parent
VARIANTS = ("C", "stdlib", "cffi", "pysock-stdlib")
HEADINGS = {"C": "C", "stdlib": "stdlib", "cffi": "pysock cffi", "pysock-stdlib": "pysock stdlib"}
MiB = 1 << 20


# --- what each row shows and what the issue asks of it ---

@dataclass(frozen=True)
class Target:
    """cffi / reference >= minimum; on PyPy `pypy_minimum` when given."""

    reference: str                    # "stdlib" or "C"
    minimum: Optional[float]          # None: reported, not judged
    pypy_minimum: Optional[float] = None

    def for_impl(self, impl: str) -> Optional[float]:
        if impl == "PyPy" and self.pypy_minimum is not None:
            return self.pypy_minimum
        return self.minimum


@dataclass(frozen=True)
class Row:
    name: str
    unit: str                # as printed
    scale: float             # display value = scale * seconds/op (per_op) or rate/scale
    per_op: bool             # True: time per operation (lower is better)
    targets: "tuple[Target, ...]" = ()
    note: str = ""           # target text when it is not a ratio

    def display(self, ops: float, seconds: float) -> float:
        if self.per_op:
            return self.scale * seconds / ops
        return ops / seconds / self.scale


PER_CALL = (Target("stdlib", 0.97, pypy_minimum=1.0), Target("C", 0.92))
STREAM = (Target("stdlib", 1.0), Target("C", 0.97))
BATCHED = (Target("stdlib", 1.45), Target("C", 1.0))
C_LOOP = (Target("stdlib", 1.3),)
# "As close to the stdlib as a cffi call allows" on CPython (no number to
# judge), ahead of it on PyPy.
CONVERSION = (Target("stdlib", None, pypy_minimum=1.0),)


def us_per(name: str, what: str, targets=()) -> Row:
    return Row(name, f"µs/{what}", 1e6, True, targets)


def ns_per(name: str, targets=(), note: str = "") -> Row:
    return Row(name, "ns/call", 1e9, True, targets, note)


def mb_per_s(name: str, targets=()) -> Row:
    return Row(name, "MB/s", 1e6, False, targets)


@dataclass
class Workload:
    name: str
    c_program: str
    quick: "list"            # arguments, in the order both bench/c/NAME and workloads.py take
    full: "list"
    rows: "list[Row]"
    needs_driver: bool = False
    needs_file: bool = False  # the first argument is a size: a temp file of that size is passed
    single_rep: bool = False  # a memory reading, not a timing: once per variant
    summarise: Optional[Callable] = None   # rows computed from raw results (memory)


def rss_rows() -> "list[Row]":
    return [Row("rss", "MiB start→end", 1 / 1024, False, note="flat (<1 MiB growth)")]


def mmap_rows() -> "list[Row]":
    return [Row("mmap_per_recv_1mib", "mmap/call", 1, False, note="0 (no mmap per call)")]


WORKLOADS = [
    Workload("pingpong", "pingpong", [2000], [20_000],
             [us_per("pingpong_unix", "round trip", PER_CALL),
              us_per("pingpong_tcp", "round trip", PER_CALL)]),
    Workload("stream", "stream", [64 * MiB, 65536], [2048 * MiB, 65536],
             [mb_per_s("stream_tcp", STREAM)]),
    Workload("udp", "udp", [3200, 32], [64_000, 32],
             [us_per("udp_percall", "datagram", PER_CALL),
              us_per("udp_batched", "datagram", BATCHED)]),
    Workload("echo", "echo_server", [32, 50, 64], [32, 1000, 64],
             [us_per("echo32", "echo")], needs_driver=True),
    Workload("calls", "calls", [5_000], [100_000],
             [ns_per("htons", CONVERSION), ns_per("inet_pton", CONVERSION),
              ns_per("inet_ntop", CONVERSION), ns_per("socket_close"),
              ns_per("getsockopt"), ns_per("recv_empty_raise"),
              ns_per("recv_empty_noraise", (Target("stdlib", 3.0),))]),
    Workload("accept", "accept_server", [200], [5_000],
             [us_per("accept", "connection")], needs_driver=True),
    Workload("sendfile", "sendfile", [16 * MiB], [1024 * MiB],
             [mb_per_s("sendfile")], needs_driver=True, needs_file=True),
    Workload("loops", "loops", [2 * MiB, 16 * MiB], [64 * MiB, 512 * MiB],
             [mb_per_s(f"{op}_{size}", C_LOOP)
              for size in ("1k", "64k")
              for op in ("sendall", "recv_exactly", "send_msg", "recv_msg")],
             needs_driver=True),
    Workload("proxy", "proxy", [32 * MiB], [1024 * MiB],
             [mb_per_s("splice_proxy")], needs_driver=True),
    Workload("memory", "memory", [50_000], [10_000_000], rss_rows(), single_rep=True),
    Workload("mmap", "mmap", [200], [10_000], mmap_rows(), single_rep=True),
]


# --- building the C programs ---

def build_c(cache: Path) -> "tuple[Optional[Path], str]":
    """Compiles bench/c/*.c with cc -O2 into a cache directory named after a
    hash of the sources and compiler; returns (directory or None, reason)."""
    compiler = shutil.which(os.environ.get("CC", "cc"))
    if not compiler:
        return None, "no C compiler (cc)"
    sources = sorted(C_DIR.glob("*.c")) + sorted(C_DIR.glob("*.h"))
    digest = hashlib.sha256((compiler + os.environ.get("BENCH_CFLAGS", "")).encode())
    for path in sources:
        digest.update(path.name.encode() + path.read_bytes())
    out = cache / digest.hexdigest()[:16]
    stamp = out / ".built"
    if stamp.exists():
        return out, ""
    out.mkdir(parents=True, exist_ok=True)
    jobs = {path: subprocess.Popen([compiler, "-O2", "-Wall", "-Wextra",
                                    *os.environ.get("BENCH_CFLAGS", "").split(),
                                    "-o", str(out / path.stem), str(path)],
                                   stderr=subprocess.PIPE, text=True)
            for path in C_DIR.glob("*.c")}
    failed = [(path, job.communicate()[1]) for path, job in jobs.items() if job.wait() != 0]
    if failed:
        path, errors = failed[0]
        return None, f"{path.name} does not compile: {errors.strip()[:300]}"
    stamp.touch()
    return out, ""


# --- running one variant of one workload ---

@dataclass
class Runner:
    python: str
    bin_dir: Optional[Path]
    c_reason: str
    cpus: "Optional[set[int]]"
    tmp: Path
    verbose: bool = False
    files: "dict[int, str]" = field(default_factory=dict)

    def data_file(self, size: int) -> str:
        """A temp file of `size` bytes (written once, shared by every variant)."""
        if size not in self.files:
            path = self.tmp / f"sendfile-{size}.dat"
            block = os.urandom(MiB)
            with open(path, "wb") as f:
                for _ in range(size // MiB):
                    f.write(block)
            self.files[size] = str(path)
        return self.files[size]

    def command(self, workload: Workload, variant: str, args: list) -> "tuple[list, dict]":
        args = list(args)
        if workload.needs_file:
            args[0] = self.data_file(args[0])
        if workload.needs_driver:
            assert self.bin_dir is not None
            args.append(str(self.bin_dir / "driver"))
        env = dict(os.environ)
        # The checkout's pysock, whatever the current directory.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        if variant == "C":
            assert self.bin_dir is not None
            return [str(self.bin_dir / workload.c_program), *map(str, args)], env
        if variant == "stdlib":
            module = "socket"
        else:
            module = "pysock"
            env["PYSOCK_BACKEND"] = "cffi" if variant == "cffi" else "stdlib"
        return [self.python, str(BENCH_DIR / "workloads.py"), module, workload.name,
                *map(str, args)], env

    def run(self, workload: Workload, variant: str, args: list,
            wrap: "list[str]" = ()) -> "dict":
        """The variant's result rows, or {"error": why}."""
        if variant == "C" and self.bin_dir is None:
            return {"error": self.c_reason}
        if workload.needs_driver and self.bin_dir is None:
            return {"error": f"needs the C driver: {self.c_reason}"}
        cmd, env = self.command(workload, variant, args)
        cpus = self.cpus

        def pin() -> None:
            if cpus:
                os.sched_setaffinity(0, cpus)

        try:
            proc = subprocess.run([*wrap, *cmd], env=env, capture_output=True, text=True,
                                  timeout=900, preexec_fn=pin)
        except subprocess.TimeoutExpired:
            return {"error": "timed out"}
        if proc.returncode != 0:
            return {"error": failure(proc)}
        try:
            return json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {"error": f"no result line: {proc.stdout[-200:]!r}"}


def failure(proc: subprocess.CompletedProcess) -> str:
    """Why a variant failed: the Python exception when there is one (a C
    driver's complaint about the closed socket may come after it), else the
    last line of stderr."""
    lines = proc.stderr.strip().splitlines()
    exceptions = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Exit)\b", line)]
    return ((exceptions or lines or [f"exit status {proc.returncode}"])[-1])[:200]


# --- the memory workloads: readings, not timings ---

def strace_mmaps(runner: Runner, workload: Workload, variant: str, count: int) -> "float | str":
    """mmap calls per recv(1 MiB): strace -c with `count` calls minus with 0."""
    strace = shutil.which("strace")
    if not strace:
        return "n/a (no strace)"
    totals = []
    for n in (0, count):
        out = runner.tmp / f"strace-{variant}-{n}.txt"
        result = runner.run(workload, variant, [n],
                            wrap=[strace, "-f", "-c", "-o", str(out), "-e", "trace=mmap,munmap"])
        if "error" in result:
            return f"error: {result['error']}"
        if "missing" in next(iter(result.values())):
            return "n/a (API missing)"
        found = re.search(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)(?:\s+\d+)?\s+mmap$",
                          out.read_text(), re.M)
        totals.append(int(found.group(1)) if found else 0)
    return (totals[1] - totals[0]) / max(count, 1)


# --- aggregation ---

def median(values: "list[float]") -> Optional[float]:
    return statistics.median(values) if values else None


def rate(result: dict) -> Optional[float]:
    """operations per second of one row result, or None."""
    if not isinstance(result, dict) or "ops" not in result or not result.get("seconds"):
        return None
    return result["ops"] / result["seconds"]


def summarise_row(row: Row, reps: "list[dict[str, dict]]", impl: str) -> dict:
    """reps: per repetition, variant -> that variant's result rows."""
    out: dict = {"row": row.name, "unit": row.unit, "variants": {}, "ratios": {}}
    rates: "dict[str, list[Optional[float]]]" = {v: [] for v in VARIANTS}
    for rep in reps:
        for variant in VARIANTS:
            result = rep.get(variant, {})
            if "error" in result:
                out["variants"].setdefault(variant, {"status": "error: " + result["error"]})
                rates[variant].append(None)
                continue
            cell = result.get(row.name, {})
            if "missing" in cell:
                out["variants"].setdefault(variant, {"status": "n/a (API missing)"})
            rates[variant].append(rate(cell))
    for variant in VARIANTS:
        good = [r for r in rates[variant] if r]
        if good:
            med = median(good)
            out["variants"][variant] = {
                "median_rate": med,
                "value": row.display(1.0, 1.0 / med),
                "rates": good,
            }
    for ref in ("stdlib", "C"):
        paired = [c / r for c, r in zip(rates["cffi"], rates[ref]) if c and r]
        if paired:
            out["ratios"][f"cffi/{ref}"] = {"median": median(paired), "paired": paired}
    out["target"], out["met"] = judge(row, out["ratios"], impl)
    return out


def judge(row: Row, ratios: dict, impl: str) -> "tuple[str, Optional[bool]]":
    """The target as text and whether the cffi ratios meet it (None: no
    numeric target here, or a ratio is missing)."""
    if not row.targets:
        return row.note or "-", None
    texts, verdicts = [], []
    for t in row.targets:
        minimum = t.for_impl(impl)
        if minimum is None:
            texts.append(f"~{t.reference} (no number)")
            continue
        texts.append(f"≥{minimum:g}x {t.reference}")
        got = ratios.get(f"cffi/{t.reference}")
        verdicts.append(None if got is None else got["median"] >= minimum)
    if False in verdicts:
        return ", ".join(texts), False
    if verdicts and None not in verdicts:
        return ", ".join(texts), True
    return ", ".join(texts), None


def summarise_memory(workload: Workload, results: "dict[str, dict]") -> "list[dict]":
    row = workload.rows[0]
    out = {"row": row.name, "unit": row.unit, "variants": {}, "ratios": {},
           "target": row.note}
    for variant, result in results.items():
        if "error" in result:
            out["variants"][variant] = {"status": "error: " + result["error"]}
            continue
        start, end = result["rss_start"]["ops"], result["rss_end"]["ops"]
        out["variants"][variant] = {"start_kib": start, "end_kib": end,
                                    "text": f"{start / 1024:.1f}→{end / 1024:.1f}"}
    cffi = out["variants"].get("cffi", {})
    out["met"] = (cffi["end_kib"] - cffi["start_kib"] < 1024) if "end_kib" in cffi else None
    return [out]


def summarise_mmap(workload: Workload, results: "dict[str, float | str]") -> "list[dict]":
    row = workload.rows[0]
    out = {"row": row.name, "unit": row.unit, "variants": {}, "ratios": {},
           "target": row.note}
    for variant, value in results.items():
        if isinstance(value, str):
            out["variants"][variant] = {"status": value}
        else:
            out["variants"][variant] = {"value": value, "text": f"{value:.3f}"}
    cffi = out["variants"].get("cffi", {})
    out["met"] = (cffi["value"] < 0.01) if "value" in cffi else None
    return [out]


# --- the table ---

def cell(variant_result: Optional[dict]) -> str:
    if not variant_result:
        return "-"
    if "text" in variant_result:
        return variant_result["text"]
    if "value" in variant_result:
        v = variant_result["value"]
        return f"{v:.3g}" if v < 100 else f"{v:.0f}"
    return variant_result.get("status", "-")


def ratio_cell(ratio: Optional[dict]) -> str:
    return f"{ratio['median']:.2f}" if ratio else "-"


def range_cell(ratio: Optional[dict]) -> str:
    """The spread of the paired ratios, lowest to highest repetition."""
    if not ratio or len(ratio["paired"]) < 2:
        return "-"
    return f"{min(ratio['paired']):.2f}-{max(ratio['paired']):.2f}"


HEAD = ["workload", "unit", "C", "stdlib", "pysock cffi", "pysock stdlib",
        "cffi/stdlib", "(range)", "cffi/C", "target", "met?"]


def table_cells(r: dict, verdicts: dict) -> "list[str]":
    ratios = r["ratios"]
    return [r["row"], r["unit"], *(cell(r["variants"].get(v)) for v in VARIANTS),
            ratio_cell(ratios.get("cffi/stdlib")), range_cell(ratios.get("cffi/stdlib")),
            ratio_cell(ratios.get("cffi/C")), r["target"], verdicts[r["met"]]]


def table(rows: "list[dict]") -> str:
    lines = [HEAD] + [table_cells(r, {True: "yes", False: "no", None: "-"}) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEAD))]
    first_text_column = HEAD.index("target")
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(text.ljust(w) if i < 2 or i >= first_text_column else text.rjust(w)
                             for i, (text, w) in enumerate(zip(line, widths))).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown(rows: "list[dict]") -> str:
    """The same table as Markdown, for bench/README.md."""
    out = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    for r in rows:
        out.append("| " + " | ".join(table_cells(r, {True: "yes", False: "**no**", None: "-"})) + " |")
    return "\n".join(out)


def markdown_report(report: dict) -> str:
    interp, machine = report["interpreter"], report["machine"]
    load = ", ".join(f"{x:.1f}" for x in machine["loadavg"])
    return (f"{interp['implementation']} {interp['version']}, {report['mode']} run, "
            f"{report['reps']} repetitions, {machine['date']}, commit {report.get('commit')}, "
            f"{report['elapsed_s'] / 60:.0f} min; load average at the start {load}"
            + (f"; pinned to CPUs {report['cpus']}" if report["cpus"] else "; unpinned")
            + ".\n\n" + markdown(report["rows"]))


# --- the machine and the interpreter ---

def interpreter_info(python: str) -> dict:
    code = ("import json, platform, sys, os\n"
            "info = {'implementation': platform.python_implementation(),"
            " 'version': platform.python_version(), 'executable': sys.executable}\n"
            "os.environ['PYSOCK_BACKEND'] = 'cffi'\n"
            "try:\n import pysock; info['pysock_backend'] = pysock.backend\n"
            "except Exception as e:\n info['pysock_backend'] = 'unavailable: %s' % e\n"
            "print(json.dumps(info))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{python} does not run: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def checkout_commit() -> Optional[str]:
    """The measured checkout's commit (with "+changes" when the tree is dirty)."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if dirty else "")


def machine_info() -> dict:
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": platform.release(),
            "loadavg": os.getloadavg(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


# --- main ---

def parse_cpus(text: Optional[str]) -> "Optional[set[int]]":
    if not text:
        return None
    cpus: "set[int]" = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    return cpus


def main(argv: "Optional[list[str]]" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 3 repetitions (<30 s)")
    parser.add_argument("--reps", type=int, help="repetitions (default: 7, --quick: 3)")
    parser.add_argument("--only", help="comma-separated workload or row names: "
                        + ", ".join(w.name for w in WORKLOADS))
    parser.add_argument("--json", metavar="PATH", help="where to write the JSON "
                        "(default: bench/results/<python>-<mode>.json)")
    parser.add_argument("--cpu", metavar="LIST", help="pin every program to these CPUs (e.g. 1 or 0,1)")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter for the Python variants (default: this one)")
    parser.add_argument("--list", action="store_true", help="list the workloads and rows, run nothing")
    parser.add_argument("--markdown", metavar="JSON", help="print a saved run as Markdown "
                        "(for bench/README.md), run nothing")
    args = parser.parse_args(argv)

    if args.markdown:
        print(markdown_report(json.loads(Path(args.markdown).read_text())))
        return 0
    if args.list:
        for w in WORKLOADS:
            print(f"{w.name:10} {', '.join(r.name for r in w.rows)}")
        return 0
    reps = args.reps or (3 if args.quick else 7)
    wanted = set(args.only.split(",")) if args.only else None
    selected = [w for w in WORKLOADS
                if wanted is None or w.name in wanted or any(r.name in wanted for r in w.rows)]
    if not selected:
        parser.error(f"--only {args.only}: no such workload or row")
    cpus = parse_cpus(args.cpu)

    interp = interpreter_info(args.python)
    machine = machine_info()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pysock" / "bench"
    bin_dir, c_reason = build_c(cache)
    mode = "quick" if args.quick else "full"
    print(f"pysock bench ({mode}, {reps} reps): {interp['implementation']} {interp['version']}"
          f" ({interp['executable']}), pysock backend {interp['pysock_backend']}; "
          f"{machine['cpu']}, {machine['cpus']} CPUs, Linux {machine['kernel']}"
          + (f"; pinned to CPUs {sorted(cpus)}" if cpus else "")
          + ("" if bin_dir else f"; no C column: {c_reason}"), flush=True)

    started = time.monotonic()
    rows: "list[dict]" = []
    with tempfile.TemporaryDirectory(prefix="pysock-bench-") as tmp:
        runner = Runner(args.python, bin_dir, c_reason, cpus, Path(tmp))
        for w in selected:
            params = w.quick if args.quick else w.full
            t0 = time.monotonic()
            if w.name == "mmap":
                rows += summarise_mmap(w, {v: strace_mmaps(runner, w, v, params[0]) for v in VARIANTS})
            elif w.single_rep:
                rows += summarise_memory(w, {v: runner.run(w, v, params) for v in VARIANTS})
            else:
                results = []
                for _ in range(reps):          # interleaved: C stdlib cffi pysock-stdlib, again
                    results.append({v: runner.run(w, v, params) for v in VARIANTS})
                rows += [summarise_row(r, results, interp["implementation"]) for r in w.rows
                         if wanted is None or w.name in wanted or r.name in wanted]
            print(f"  {w.name}: {time.monotonic() - t0:.1f} s", file=sys.stderr, flush=True)

    print()
    print(table(rows))
    print(f"\n{len(selected)} workloads in {time.monotonic() - started:.1f} s; "
          "values are medians; ratios are medians of per-repetition ratios (higher = pysock faster).")
    report = {"mode": mode, "reps": reps, "interpreter": interp, "machine": machine,
              "commit": checkout_commit(),
              "cpus": sorted(cpus) if cpus else None, "c_build": str(bin_dir) if bin_dir else c_reason,
              "rows": rows, "markdown": markdown(rows),
              "elapsed_s": time.monotonic() - started}
    path = Path(args.json) if args.json else (
        BENCH_DIR / "results" / f"{interp['implementation'].lower()}-{interp['version']}-{mode}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
