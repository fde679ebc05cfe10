"""The one writer: whole or not at all, ordinary permissions, no live formulas, folders swapped whole."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from abri.files import (
    _NUMBER,
    FolderBusyError,
    atomic_dir,
    atomic_path,
    csv_text,
    neutralise,
    write_csv,
    write_figure,
    write_frame,
    write_json,
)


class Boom(RuntimeError):
    pass


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize(
    "suffix", [".csv", ".parquet", ".json", ".geojson", ".gpkg", ".xlsx", ".png"]
)
def test_failure_in_the_middle_keeps_the_old_file(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"out{suffix}"
    target.write_bytes(b"old")
    with pytest.raises(Boom), atomic_path(target) as tmp:
        tmp.write_bytes(b"half a fi")
        raise Boom
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_every_format_is_written_whole(tmp_path: Path) -> None:
    import geopandas as gpd
    from matplotlib.figure import Figure
    from shapely.geometry import Point

    frame = pd.DataFrame({"id": ["A", "B"], "n": [1, 2]})
    geo = gpd.GeoDataFrame(frame, geometry=[Point(2, 48), Point(3, 49)], crs="EPSG:4326")
    for name, obj in (
        ("t.csv", frame),
        ("t.parquet", frame),
        ("t.xlsx", frame),
        ("t.geojson", geo),
        ("t.gpkg", geo),
    ):
        write_frame(tmp_path / name, obj)
    assert pd.read_parquet(tmp_path / "t.parquet").equals(frame)
    assert len(gpd.read_file(tmp_path / "t.gpkg")) == 2
    write_json(tmp_path / "t.json", {"é": 1})
    fig = Figure()
    fig.subplots().plot([0, 1])
    write_figure(tmp_path / "t.png", fig)
    write_figure(tmp_path / "t.svg", fig)
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG" and b"<svg" in (
        tmp_path / "t.svg"
    ).read_bytes()[:500]
    assert _leftovers(tmp_path) == []


def test_files_get_the_umask_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = write_csv(tmp_path / "shared.csv", pd.DataFrame({"a": [1]}))
        with atomic_dir(tmp_path / "plan") as folder:
            write_csv(folder / "x.csv", pd.DataFrame({"a": [1]}))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "plan").stat().st_mode) == 0o755


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1", "=1"]
)
def test_formulas_are_neutralised(cell: str) -> None:
    text = csv_text(pd.DataFrame({"name": [cell], "n": [-3]}))
    assert f"'{cell.strip()[:1]}" in text or text.splitlines()[1].startswith(("\"'", "'"))
    assert ",-3" in text  # numbers stay numbers


@given(st.text(max_size=30))
def test_neutralised_cells_never_start_a_formula(value: str) -> None:
    out = neutralise(value)
    assert out == value or out == "'" + value
    if isinstance(out, str) and out[:1] in "=+@\t\r" and out != value:
        pytest.fail(out)
    if value[:1] and value[:1] in "=+-@\t\r\n" and not _NUMBER.match(value.strip()):
        assert out.startswith("'")


def test_excel_fr_dialect(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "fr.csv", pd.DataFrame({"nom": ["Sées"], "km": [12.5]}), dialect="excel-fr"
    )
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "nom;km\nSées;12,5\n" in raw.decode("utf-8-sig")


def test_folder_written_whole_and_locked(tmp_path: Path) -> None:
    target = tmp_path / "plan"
    with atomic_dir(target) as folder:
        (folder / "a.csv").write_text("first")
    with pytest.raises(Boom), atomic_dir(target) as folder:
        (folder / "a.csv").write_text("second")
        (folder / "b.csv").write_text("second")
        raise Boom
    assert (target / "a.csv").read_text() == "first" and not (target / "b.csv").exists()
    with atomic_dir(target) as folder, pytest.raises(FolderBusyError), atomic_dir(target):
        pass
    assert list(target.iterdir()) == []  # the outer write completed, with nothing in it
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".old"))]
