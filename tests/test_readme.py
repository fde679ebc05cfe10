"""The README's commands run as written, in order, from a fresh folder holding the shipped examples.

Every ```sh block of the README is joined, in order, into one bash script run
with ``set -euo pipefail`` in a temporary folder laid out like a clone (a copy of
``examples/``, the data pack linked as ``../shared/data``), with ``ABRI_DATA_DIR``
set to the data pack and ``abri`` on the PATH. Left out: the set-up lines
(``pip install``, ``uv sync``, ``uv lock``, ``source .venv/bin/activate``: the
package is installed), lines ending with ``# needs internet``, and lines running
``pytest`` (they would run this test again). ``ABRI_README`` points to another
file to try a README before it replaces the real one.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INTERNET = "# needs internet"
#: A line running the tests (left out: it would run this test again).
PYTEST = re.compile(r"^(python3? -m )?pytest\b|\bpython3? -m pytest\b")
SKIPPED = (
    re.compile(r"^(python3? -m )?pip3? install\b"),
    re.compile(r"^uv (sync|lock)\b"),
    re.compile(r"^(source|\.) \.venv/bin/activate\b"),
    PYTEST,
)
#: Files that a command reading a folder must never write into it.
OUTPUT_NAMES = (
    "assignments.csv",
    "*.rejects.csv",
    "plan.json",
    "trips.csv",
    "readiness.json",
    "*.html",
)


def readme_path() -> Path:
    """The README to run: ``$ABRI_README``, else the repository's."""
    return Path(os.environ.get("ABRI_README") or ROOT / "README.md")


def shell_blocks(text: str) -> list[str]:
    """The bodies of the ```sh fenced blocks, in order."""
    return re.findall(r"^```sh[ \t]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def script_lines(blocks: list[str]) -> list[str]:
    """The command lines to run: comments, blank lines and the left-out lines removed."""
    lines = []
    for block in blocks:
        for line in block.splitlines():
            command = line.strip()
            if (
                not command
                or command.startswith("#")
                or command.endswith(INTERNET)
                or any(p.search(command) for p in SKIPPED)
            ):
                continue
            lines.append(command)
    return lines


def script(lines: list[str]) -> str:
    """One bash script that stops at the first failing line and names it."""
    body = "\n".join(
        f"echo '$ {line.replace(chr(39), chr(39) + chr(92) + chr(39) + chr(39))}'\n{line}"
        for line in lines
    )
    return f"set -euo pipefail\ntrap 'echo \"README command failed (exit $?): $BASH_COMMAND\" >&2' ERR\n{body}\n"


def test_script_lines_leave_out_setup_internet_and_pytest() -> None:
    blocks = shell_blocks(
        "text\n```sh\npip install -e .\npython3 -m pip install uv==0.13.9\nuv sync   # .venv\n"
        "source .venv/bin/activate\nuv lock --upgrade-package pandas\nuv lock --upgrade\n"
        "abri data status   # every file\n# a comment\n\n"
        "abri data fetch departements --data-dir data   # needs internet\n"
        "ABRI_DATA_DIR=../shared/data python3 -m pytest\n```\n```python\nprint(1)\n```\n"
        '```sh\nabri demo -o abri-demo\npython -m pytest -m "not slow"\n```\n'
    )
    assert script_lines(blocks) == ["abri data status   # every file", "abri demo -o abri-demo"]


def test_readme_names_only_shipped_examples() -> None:
    lines = script_lines(shell_blocks(readme_path().read_text(encoding="utf-8")))
    assert lines, f"{readme_path()} has no ```sh block to run"
    named = {m for line in lines for m in re.findall(r"\bexamples/[\w.\-/]+", line)}
    missing = sorted(n for n in named if not (ROOT / n).exists())
    assert not missing, f"the README names files that examples/ does not ship: {missing}"


def test_ci_ends_with_the_readme_test_command() -> None:
    commands = [
        line.split("#")[0].strip()
        for block in shell_blocks(readme_path().read_text(encoding="utf-8"))
        for line in block.splitlines()
        if PYTEST.search(line.strip())
    ]
    ci = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines() if line]
    assert commands, f"{readme_path()} shows no test command"
    assert ci[-1].strip() == commands[0], (
        f".ci/run ends with {ci[-1]!r}; the README's test command is {commands[0]!r}"
    )


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_readme_commands_run_in_order(datapack: Path, tmp_path: Path) -> None:
    lines = script_lines(shell_blocks(readme_path().read_text(encoding="utf-8")))
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(datapack.resolve(), target_is_directory=True)
    clone = tmp_path / "clone"  # where the README's ../shared/data is the data pack
    shutil.copytree(ROOT / "examples", clone / "examples")
    examples = _snapshot(clone / "examples")
    (clone / "readme.sh").write_text(script(lines), encoding="utf-8")
    beside = Path(sys.executable).with_name("abri")  # the environment running the tests first
    abri = str(beside) if beside.exists() else shutil.which("abri") or str(beside)
    assert Path(abri).exists(), "the abri command is not installed (uv sync)"
    env = {
        **os.environ,
        "ABRI_DATA_DIR": str(datapack),
        "PATH": f"{Path(abri).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
    }
    done = subprocess.run(
        ["bash", "readme.sh"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, f"{readme_path()}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    ran = [line[2:] for line in done.stdout.splitlines() if line.startswith("$ ")]
    assert ran == lines, "not every README command ran"
    assert _snapshot(clone / "examples") == examples, (
        "a README command wrote into examples/, an input folder"
    )
    for folder in {
        m for line in lines for m in re.findall(r"^abri (?:allocate|plan|readiness) (\S+)", line)
    }:
        written = sorted(p.name for pattern in OUTPUT_NAMES for p in (clone / folder).glob(pattern))
        assert not written, (
            f"a README command wrote {written} into {folder}/, the scenario folder it reads"
        )
    if any(
        line.startswith("abri demo") for line in lines
    ):  # the demo ends with what to open, and each of those exists
        after = done.stdout.split("Open next:\n", 1)
        assert len(after) == 2, f"abri demo did not say what to open next:\n{done.stdout[-2000:]}"
        named = [
            line.split()[0]
            for line in itertools.takewhile(
                lambda line: line.startswith("  "), after[1].splitlines()
            )
        ]
        assert named and all((clone / name).exists() for name in named), named
