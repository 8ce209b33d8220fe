"""``elections.counting`` is a plain Python library: no Django, nothing of Charter."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import elections.counting

PACKAGE = Path(elections.counting.__file__).resolve().parent
ROOT = PACKAGE.parent.parent
PROJECT = ("config", "core", "members", "governance", "elections", "demo")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_module_of_the_counting_package_imports_django_or_the_project():
    for path in sorted(PACKAGE.glob("*.py")):
        for name in _imported(path):
            top = name.split(".")[0]
            assert top != "django" and top not in PROJECT, f"{path.name} imports {name}"


def test_importing_and_counting_loads_neither_django_nor_the_project():
    script = (
        "import json, sys\n"
        "from elections.counting import Election, count\n"
        "count(Election(candidates=['A', 'B'], seats=1, ballots=[(1, (('A',),))]), 'meek')\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    loaded = {name for name in json.loads(out) if not name.startswith("elections.counting")}
    leaked = sorted(
        name for name in loaded if name.split(".")[0] in ("django", *PROJECT) and name != "elections"
    )
    assert leaked == []
