"""``python -m pysock compare [SCENARIO...] [--all] [--list] [--json]``:
every scenario three ways (the C twin, pysock on cffi, pysock on stdlib),
side by side, with each difference explained in one line.

The C twins are built on the spot (pysock.labs.build) when a compiler is
there; without one the C column says why and the rest still runs.  collect()
returns the comparison as data (what --json prints and the tests assert);
render() draws the table.
"""

from __future__ import annotations

import errno as errno_module
import json
import platform
import signal
import sys
from typing import IO, Any, Callable, Dict, List, Optional, Sequence

from pysock import backends
from pysock.cli._term import Progress, Style, colour_enabled, duration, table, terminal_width
from pysock.labs import build as lab_build
from pysock.labs import catalogue, runner

COLUMNS = runner.COLUMNS
LABELS = [impl.label for impl in COLUMNS]


# ---- choosing and running ------------------------------------------------------------

def select(names: Sequence[str], everything: bool) -> List[catalogue.Scenario]:
    """The scenarios named (all if none), or the default set."""
    known = catalogue.scenarios()
    if not names:
        return [s for s in known if everything or s.default]
    by_name = {s.name: s for s in known}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise SystemExit(f"unknown scenario: {', '.join(unknown)} "
                         "(python -m pysock compare --list shows them)")
    return [by_name[name] for name in names]


def _results(scenarios: List[catalogue.Scenario]) -> Dict[str, Dict[str, Dict[str, Any]]]:
    return {s.name: {label: {"steps": [], "error": None, "skipped": False} for label in LABELS}
            for s in scenarios}


def unavailable_columns(build: lab_build.Build) -> Dict[str, str]:
    """The columns that cannot run here, and why: C without a compiler,
    pysock-cffi without the compiled extension (a pure-Python install)."""
    missing = {} if build.ok else {runner.C.label: build.reason}
    try:
        backends.load("cffi")
    except ImportError as exc:
        missing[runner.CFFI.label] = f"pysock's compiled extension is not available ({exc})"
    return missing


def collect(scenarios: List[catalogue.Scenario],
            progress: Callable[[str], None] = lambda text: None) -> Dict[str, Any]:
    """Run every scenario on every column; the comparison, as data."""
    progress("building the C twins (once; cached afterwards)")
    build = lab_build.build()  # the progress line stays until the first scenario starts
    missing = unavailable_columns(build)
    results = _results(scenarios)
    for columns in results.values():
        for label, reason in missing.items():
            columns[label].update(error=reason, skipped=True)
    behaviours = [s.name for s in scenarios if s.program is None]
    runnable = [impl for impl in COLUMNS if impl.label not in missing]
    total = len(scenarios) * len(runnable)
    done = [0]

    def started(label: str, name: str) -> None:
        done[0] += 1
        progress(f"{label}: {name} ({done[0]}/{total})")

    for impl in runnable:
        if impl is runner.C:
            for name in behaviours:
                started("C", name)
                _, steps, error = runner.run_c_scenario(name, build)
                results[name]["C"].update(steps=steps, error=error)
        elif behaviours:
            outcomes = runner.run_python_scenarios(
                behaviours, impl, started=lambda name, label=impl.label: started(label, name))
            for name, steps, error in outcomes:
                results[name][impl.label].update(steps=steps, error=error)
    for scenario in scenarios:
        if scenario.program is None:
            continue
        for impl in runnable:
            started(impl.label, scenario.name)
            conv = runner.converse(scenario.program, impl, impl, build)
            cell = results[scenario.name][impl.label]
            cell["steps"] = runner.conversation_steps(scenario.program, conv)
            cell["error"] = "; ".join(conv.errors) or None
    return {
        "columns": LABELS,
        "c": {"available": build.ok, "reason": build.reason},
        "unavailable": missing,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "scenarios": [_compare(s, results[s.name]) for s in scenarios],
    }


def _compare(scenario: catalogue.Scenario, columns: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    """Line the columns' steps up by label and say where they differ."""
    labels: List[str] = []
    for label in LABELS:
        for step in columns[label]["steps"]:
            if step["step"] not in labels:
                labels.append(step["step"])
    # A column counts unless it could not run at all (no compiler): one that
    # failed counts, and its missing steps are differences.
    counted = [label for label in LABELS if not columns[label].get("skipped")]
    steps = []
    for name in labels:
        found = {label: next((s for s in columns[label]["steps"] if s["step"] == name), None)
                 for label in LABELS}
        keys = {found[label]["key"] if found[label] else None for label in counted}
        same = len(keys) == 1 and None not in keys
        why = scenario.why.get(name)
        steps.append({"step": name, "results": found, "same": same, "why": why,
                      "explained": same or why is not None})
    return {"name": scenario.name, "title": scenario.title,
            "kind": "program" if scenario.program else "behaviour",
            "errors": {label: columns[label]["error"] for label in LABELS
                       if columns[label]["error"]},
            "steps": steps}


def summary(report: Dict[str, Any]) -> Dict[str, int]:
    steps = [step for s in report["scenarios"] for step in s["steps"]]
    missing = report.get("unavailable", {})
    broken = [s for s in report["scenarios"]
              if any(label not in missing for label in s["errors"])]
    return {
        "scenarios": len(report["scenarios"]),
        "steps": len(steps),
        "same": sum(step["same"] for step in steps),
        "explained": sum(not step["same"] and step["explained"] for step in steps),
        "unexpected": sum(not step["explained"] for step in steps),
        "failed": len(broken),
    }


# ---- drawing -----------------------------------------------------------------------

def cell_text(result: Optional[Dict[str, Any]], column: str) -> str:
    """What a call did, in its language's terms: "-1 EPIPE", "BrokenPipeError EPIPE"."""
    if result is None:
        return "—"
    key = result["key"]
    if key.startswith("signal "):
        number = int(key.split()[1])
        try:
            return f"killed by {signal.Signals(number).name}"
        except ValueError:
            return f"killed by signal {number}"
    if result.get("errno"):
        return f"{result['shown']} {errno_module.errorcode.get(result['errno'], result['errno'])}"
    return str(result["shown"])


def _bytes(results: Dict[str, Any]) -> str:
    moved = [r["moved"] for r in results.values() if r is not None and r.get("moved") is not None]
    if not moved:
        return ""
    return str(moved[0]) if len(set(moved)) == 1 else "/".join(map(str, moved))


def _times(results: Dict[str, Any]) -> str:
    times = [duration(r["ns"]) if r is not None and r.get("ns") is not None else "-"
             for r in results.values()]
    return "" if all(t == "-" for t in times) else "/".join(times)


def _limits(rows: List[List[Any]], ncolumns: int, width: int) -> List[int]:
    """Column widths: as wide as the text needs, narrowed to fit `width`:
    the result cells to 24 characters first, then the step labels (to 24),
    then the cells again, evenly."""
    natural = [max(len(row[i][0]) for row in rows) for i in range(len(rows[0]))]
    step, cells = min(natural[1], 44), [min(n, 40) for n in natural[2:2 + ncolumns]]
    room = max(width - (1 + 2 * (ncolumns + 3) + natural[-2] + natural[-1]), 24 + 12 * ncolumns)
    if step + sum(cells) > room:
        cells = [min(cell, 24) for cell in cells]
    if step + sum(cells) > room:
        step = max(room - sum(cells), 24)
    if step + sum(cells) > room:
        cells = [min(cell, max((room - step) // ncolumns, 12)) for cell in cells]
    return [1, step] + cells + [natural[-2], natural[-1]]


NARROW = 125  # below this many columns, each step's results are stacked


def _mark(step: Dict[str, Any]) -> "tuple[str, tuple]":
    if step["same"]:
        return " ", ()
    return ("≠", ("yellow",)) if step["explained"] else ("✗", ("red", "bold"))


def _step_rows(report: Dict[str, Any], stacked: bool) -> Dict[int, List[List[Any]]]:
    """Each step's table rows: one wide row (side by side), or a row per
    column (stacked)."""
    columns = report["columns"]
    rows: Dict[int, List[List[Any]]] = {}
    for scenario in report["scenarios"]:
        for step in scenario["steps"]:
            mark, colour = _mark(step)
            texts = [cell_text(step["results"][c], c) for c in columns]
            styles = [() if step["same"] or (i > 0 and text == texts[i - 1]) else colour
                      for i, text in enumerate(texts)]
            if stacked:
                rows[id(step)] = [
                    [("", ()), ("  " + column, ("dim",)), (text, style),
                     (_bytes({column: step["results"][column]}), ("dim",)),
                     (_times({column: step["results"][column]}), ("dim",))]
                    for column, text, style in zip(columns, texts, styles)]
            else:
                rows[id(step)] = [[(mark, colour), (step["step"], ())]
                                  + list(zip(texts, styles))
                                  + [(_bytes(step["results"]), ("dim",)),
                                     (_times(step["results"]), ("dim",))]]
    return rows


def render(report: Dict[str, Any], out: IO[str]) -> None:
    """The comparison as an aligned table: steps down, columns across (or, on a
    terminal narrower than NARROW, each step's columns stacked under it)."""
    paint = Style(colour_enabled(out))
    columns = report["columns"]
    width = terminal_width(out)
    stacked = width < NARROW
    if stacked:
        header = [("", ()), ("  column", ("bold",)), ("result", ("bold",)),
                  ("bytes", ("bold",)), ("time", ("bold",))]
    else:
        header = [("", ()), ("step", ("bold",))] + [(c, ("bold",)) for c in columns] \
            + [("bytes", ("bold",)),
               ("time " + "/".join(c.replace("pysock-", "") for c in columns), ("bold",))]
    per_step = _step_rows(report, stacked)
    rows = [header] + [row for step_rows in per_step.values() for row in step_rows]
    limits = ([1, 16, max(width - 40, 20), 9, 6] if stacked
              else _limits(rows, len(columns), width))
    lines = iter(table(rows, paint, limits))

    missing = report.get("unavailable", {})
    print(paint("pysock compare", "bold") + f": the C twin, pysock on cffi and pysock on the "
          f"stdlib backend, side by side ({report['python']})", file=out)
    for label, reason in missing.items():
        state = "not built" if label == "C" else "not available"
        print(paint(f"{label} column: {state}: {reason}", "yellow"), file=out)
    print(next(lines), file=out)
    for scenario in report["scenarios"]:
        print(paint(f"{scenario['name']} · {scenario['title']}", "bold", "cyan"), file=out)
        for label, error in scenario["errors"].items():
            if label not in missing:
                print(paint(f"    {label} failed: {error}", "red"), file=out)
        for step in scenario["steps"]:
            if stacked:
                mark, colour = _mark(step)
                print(paint(mark, *colour) + " " + paint(step["step"], "bold"), file=out)
            for _ in per_step[id(step)]:
                print(next(lines), file=out)
            if step["why"]:
                print(paint(f"    {'why' if not step['same'] else 'note'}: {step['why']}",
                            "dim" if step["same"] else "yellow"), file=out)
            elif not step["explained"]:
                print(paint("    unexpected: the columns disagree here (a bug in a twin "
                            "or in pysock)", "red"), file=out)
    totals = summary(report)
    plural = "s" if totals["scenarios"] != 1 else ""
    print(paint(f"{totals['scenarios']} scenario{plural}, {totals['steps']} steps: "
                f"{totals['same']} the same everywhere, {totals['explained']} differ as "
                f"explained, {totals['unexpected']} unexpected", "bold"), file=out)


def list_scenarios(out: IO[str]) -> None:
    paint = Style(colour_enabled(out))
    rows = [[(s.name, ("bold",)), ("default" if s.default else "--all", ("dim",)),
             (s.title, ())] for s in catalogue.scenarios()]
    for line in table(rows, paint, [20, 8, 100]):
        print(line, file=out)


# ---- the command ---------------------------------------------------------------------

def run(args: Any) -> int:
    if args.list:
        list_scenarios(sys.stdout)
        return 0
    scenarios = select(args.scenarios, args.all)
    progress = Progress(sys.stderr)
    try:
        report = collect(scenarios, progress.show)
    finally:
        progress.clear()
    report["summary"] = summary(report)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        render(report, sys.stdout)
    totals = report["summary"]
    return 1 if totals["unexpected"] or totals["failed"] else 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "compare", help="run the lab scenarios in C, on pysock-cffi and on pysock-stdlib, "
                        "side by side",
        description="Runs each scenario three ways (the C twin, built on the spot; pysock "
                    "on its cffi backend; pysock on its stdlib backend) and prints what "
                    "each call did, side by side, explaining every difference.")
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help="scenarios to run (default: the seed programs and every behaviour)")
    parser.add_argument("--all", action="store_true",
                        help="also the lab programs outside the default set")
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)
