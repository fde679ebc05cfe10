"""The type check is not blind: mypy sees every module with ``abri.*`` imports resolved.

A copy of the package in a folder of another name gets a type error planted across two
modules (a call with an argument of the wrong type to a function of another module);
mypy must fail on the copy, and pass on the unchanged copy.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _copy(tmp_path: Path, folder: str) -> Path:
    clone = tmp_path / folder
    clone.mkdir()
    shutil.copytree(ROOT / "abri", clone / "abri", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", clone / "pyproject.toml")
    return clone


def _mypy(clone: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--config-file", "pyproject.toml"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_a_planted_cross_module_type_error_fails_in_a_clone_of_any_name(tmp_path: Path) -> None:
    clone = _copy(tmp_path, "my clone")
    assert _mypy(clone).returncode == 0, "the unchanged package type-checks"
    planted = clone / "abri" / "inputs" / "limits.py"
    planted.write_text(
        planted.read_text(encoding="utf-8")
        + "\n\ndef _planted() -> None:\n"
        + "    from abri.inputs.values import parse_number\n\n"
        + "    parse_number(3.5, 7)  # wrong types, across modules\n",
        encoding="utf-8",
    )
    result = _mypy(clone)
    assert result.returncode == 1, result.stdout
    assert "abri/inputs/limits.py" in result.stdout and "parse_number" in result.stdout
