"""The notebooks run top to bottom on the real data pack and produce what they teach.

Each notebook is executed from a fresh kernel with one extra cell appended
that looks, in the kernel's namespace, for the objects the notebook is about
(a checked centre GeoDataFrame, a capacity summary, a planning run whose
people add up). Besides: no cell may error, every code cell must run, and
the notebook must display at least one figure or map.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))

PROBE = """
import json as _json
import geopandas as _gpd
import pandas as _pd
_values = [v for k, v in list(globals().items()) if not k.startswith('_')]
def _plan_runs():
    from abri.pipeline import PlanRun
    return [v for v in _values if isinstance(v, PlanRun)]
_found = {
    'centres': any(isinstance(v, _gpd.GeoDataFrame) and {'id', 'capacity', 'departement'} <= set(v.columns) and len(v) > 0 for v in _values),
    'capacity_summary': any(isinstance(v, _pd.DataFrame) and {'places', 'places_per_10k'} <= set(v.columns) and v['places'].sum() > 0
                            for v in _values),
    'plan_run': any(len(r.plan.trips) > 0 and r.check is not None and r.check.accounting.ok for r in _plan_runs()),
}
print('ABRI-PROBE ' + _json.dumps(_found))
"""

#: What each notebook (by its number) must leave in its namespace.
EXPECTED = {"01": {"centres", "capacity_summary"}, "02": {"plan_run"}}


def _probe_result(notebook: nbformat.NotebookNode) -> dict[str, bool]:
    for output in notebook.cells[-1].outputs:
        text = output.get("text", "")
        if output.output_type == "stream" and "ABRI-PROBE " in text:
            return dict(json.loads(text.split("ABRI-PROBE ", 1)[1]))
    msg = f"the probe cell printed nothing: {notebook.cells[-1].outputs}"
    raise AssertionError(msg)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_makes_its_objects(
    path: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABRI_DATA_DIR", str(data_dir))
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code cell"
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors, [f"{e.ename}: {e.evalue}" for e in errors]
    assert all(c.execution_count is not None for c in code)
    shown = {
        mime
        for c in code
        for o in c.outputs
        if o.output_type in ("execute_result", "display_data")
        for mime in o.get("data", {})
    }
    assert shown & {"image/png", "image/svg+xml"} or any(
        "folium" in o.get("data", {}).get("text/html", "")
        or "leaflet" in o.get("data", {}).get("text/html", "").lower()
        for c in code
        for o in c.outputs
    ), f"{path.name}: no figure or map displayed ({shown})"
    found = _probe_result(notebook)
    missing = {name for name in EXPECTED.get(path.stem[:2], set()) if not found.get(name)}
    assert not missing, (
        f"{path.name}: no {', '.join(sorted(missing))} in the notebook's namespace ({found})"
    )
