"""The layering is a check that can fail: import-linter on a scratch copy of the project.

An unmodified copy passes (as `make lint` does); the same copy with one import that breaks
a contract fails, and the report names that import. The contracts live in pyproject.toml.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "core", "members", "governance", "elections", "demo")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_sources(dest: Path) -> Path:
    """Copy the project's Python packages (only .py files) and pyproject.toml into ``dest``."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {
            n for n in names if n == "__pycache__" or (Path(folder, n).is_file() and not n.endswith(".py"))
        }

    for package in PACKAGES:
        shutil.copytree(ROOT / package, dest / package, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    # Only the copy is importable: the real checkout must not be found on the path.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(project)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_sources(tmp_path_factory.mktemp("layers") / "pristine")


def test_an_unmodified_copy_keeps_every_contract(scratch: Path) -> None:
    result = _lint_imports(scratch)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "expected"),
    [
        # core is the ground floor: it knows no app.
        ("core/clock.py", "import elections", "core is not allowed to import elections"),
        # members sits below governance (the board follows memberships through a hook).
        ("members/__init__.py", "import governance", "members is not allowed to import governance"),
        # counting is plain Python: no Django, nothing of the project.
        (
            "elections/counting/__init__.py",
            "import django",
            "elections.counting is not allowed to import django",
        ),
    ],
)
def test_one_bad_import_breaks_the_contract(
    scratch: Path, tmp_path: Path, module: str, line: str, expected: str
) -> None:
    project = tmp_path / "project"
    shutil.copytree(scratch, project)
    target = project / module
    target.write_text(target.read_text() + f"\n{line}  # noqa: F401\n")

    result = _lint_imports(project)

    assert result.returncode != 0, result.stdout
    assert expected in result.stdout, result.stdout
    assert module.removesuffix(".py").removesuffix("/__init__").replace("/", ".") in result.stdout
