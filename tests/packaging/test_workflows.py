"""The GitHub workflows (.github/workflows): actionlint, and the project's rules.

actionlint checks syntax, expressions, runner labels and (with shellcheck)
the run: scripts.  The rules on top: every action pinned to a full commit SHA
(with the tag it came from as a comment), least-privilege permissions, a
concurrency group per workflow and ref, publishing only from a tag with
trusted publishing, and matrices that cover what pyproject.toml promises.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from tooling import checkout_or_skip, executable, python_module, run, tool_env


@pytest.fixture(scope="module")
def checkout() -> Path:
    """The git checkout these tests came from (they skip without one)."""
    return checkout_or_skip()

SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def workflow_files(checkout: Path) -> List[Path]:
    return sorted((checkout / ".github" / "workflows").glob("*.yml"))


def load(path: Path) -> Dict[str, Any]:
    python_module("yaml")
    import yaml

    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), path
    return data


def pyproject(checkout: Path) -> Dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        python_module("tomli")
        import tomli as tomllib
    return tomllib.loads((checkout / "pyproject.toml").read_text())


def steps(workflow: Dict[str, Any]) -> Iterator[Tuple[str, Dict[str, Any]]]:
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


def test_the_two_workflows_exist(checkout: Path) -> None:
    assert [p.name for p in workflow_files(checkout)] == ["tests.yml", "wheels.yml"]


def test_actionlint_passes(checkout: Path) -> None:
    executable("shellcheck")  # actionlint checks run: scripts only when it finds shellcheck
    files = [str(p) for p in workflow_files(checkout)]
    result = run([executable("actionlint"), *files], cwd=checkout, env=tool_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_actions_are_pinned_to_commit_shas(checkout: Path) -> None:
    seen: Dict[str, str] = {}
    for path in workflow_files(checkout):
        text = path.read_text()
        for line in text.splitlines():
            match = re.search(r"uses:\s*(\S+)(.*)$", line)
            if not match:
                continue
            ref, comment = match.group(1), match.group(2).strip()
            assert SHA_PIN.match(ref), f"{path.name}: {ref} is not pinned to a commit SHA"
            assert re.match(r"# v\d+(\.\d+)*$", comment), f"{path.name}: {ref} lacks its '# vX.Y.Z' tag"
            action, sha = ref.split("@")
            assert seen.setdefault(action, sha) == sha, f"{action} pinned to two commits"


def test_permissions_are_least_privilege(checkout: Path) -> None:
    for path in workflow_files(checkout):
        workflow = load(path)
        assert workflow["permissions"] == {"contents": "read"}, path.name
        for name, job in workflow["jobs"].items():
            granted = job.get("permissions")
            assert isinstance(granted, dict), f"{path.name}:{name} declares no permissions"
            if name == "publish":
                assert granted == {"id-token": "write"}, granted
            else:
                assert granted == {"contents": "read"}, f"{path.name}:{name}: {granted}"


def test_every_workflow_has_a_concurrency_group(checkout: Path) -> None:
    for path in workflow_files(checkout):
        group = load(path)["concurrency"]["group"]
        assert "github.workflow" in group and "github.ref" in group, path.name


def test_checkout_keeps_no_credentials(checkout: Path) -> None:
    for path in workflow_files(checkout):
        for job, step in steps(load(path)):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}:{job}"


def test_publishing_is_trusted_and_only_from_a_tag(checkout: Path) -> None:
    workflow = load(checkout / ".github" / "workflows" / "wheels.yml")
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads "on" as true
    assert triggers["push"]["tags"] == ["v*"]
    publish = workflow["jobs"]["publish"]
    assert "refs/tags/v" in publish["if"] and "github.event_name == 'push'" in publish["if"]
    assert set(publish["needs"]) == {"wheels", "sdist"}
    assert publish["environment"]["name"] == "pypi"
    scripts = "\n".join(step.get("run", "") for step in publish["steps"])
    assert "twine upload" in scripts
    assert "password" not in scripts.lower() and "secrets." not in (checkout / ".github" / "workflows" / "wheels.yml").read_text()


def test_test_matrix_covers_the_supported_pythons(checkout: Path) -> None:
    classifiers = pyproject(checkout)["project"]["classifiers"]
    promised = {c.rsplit(" :: ", 1)[1] for c in classifiers
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    matrix = load(checkout / ".github" / "workflows" / "tests.yml")["jobs"]["tests"]["strategy"]["matrix"]
    assert promised <= set(matrix["python"])
    assert any(p.startswith("pypy") for p in matrix["python"])


def test_wheel_matrix_covers_the_cibuildwheel_archs(checkout: Path) -> None:
    config = pyproject(checkout)["tool"]["cibuildwheel"]
    wanted = {("linux", arch) for arch in config["linux"]["archs"]}
    wanted |= {("macos", arch) for arch in config["macos"]["archs"]}
    include = load(checkout / ".github" / "workflows" / "wheels.yml")["jobs"]["wheels"]["strategy"]["matrix"]["include"]
    have = {("macos" if entry["os"].startswith("macos") else "linux", entry["arch"]) for entry in include}
    assert have == wanted


@pytest.mark.parametrize("name", ["tests.yml", "wheels.yml"])
def test_jobs_have_timeouts(checkout: Path, name: str) -> None:
    for job_name, job in load(checkout / ".github" / "workflows" / name)["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"{name}:{job_name}"
