"""The package lives in ``abri/``: every package folder under it must end up in a built wheel, and nothing else."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def package_folders() -> set[str]:
    """Dotted names of every folder under ``abri/`` that holds an ``__init__.py``."""
    return {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "abri").rglob("__init__.py")
    }


@pytest.mark.slow
def test_every_package_folder_is_in_the_wheel(tmp_path: Path) -> None:
    build = subprocess.run(  # the PEP 517 backend itself: no pip needed (a uv venv has none)
        [
            sys.executable,
            "-c",
            "import sys, setuptools.build_meta as b; b.build_wheel(sys.argv[1])",
            str(tmp_path),
        ],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(tmp_path.glob("abri-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.rsplit("/", 1)[0].replace("/", ".") for n in names if n.endswith("/__init__.py")}
    assert package_folders() <= shipped, (
        f"package folders missing from the wheel: {sorted(package_folders() - shipped)}"
    )
    assert "abri/py.typed" in names and "abri/routing/coach_profile.toml" in names
    assert not [
        n
        for n in names
        if n.startswith(
            ("abri/tests/", "abri/bench/", "abri/notebooks/", "abri/examples/", "tests/", "bench/")
        )
    ]


def test_public_api() -> None:
    import abri

    assert abri.__version__ != "0+unknown"
    for name in abri.__all__:
        assert getattr(abri, name) is not None, name
    assert callable(abri.run_plan) and callable(abri.read_centres)


def test_importing_abri_leaves_matplotlib_alone() -> None:
    code = (
        "import matplotlib; matplotlib.use('svg'); import abri, abri.maps.static, abri.maps.plan, abri.pipeline; "
        "print(matplotlib.get_backend())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "svg"
