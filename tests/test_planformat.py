"""plan.json carries its format and version; one loader reads it, upgrades the older format, refuses a newer one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from abri.errors import PlanFormatError
from abri.outputs.planformat import PLAN_FORMAT, read_plan_json, stamp, upgrade


def _trip(coach: str = "C1") -> dict[str, Any]:
    stop = {"centre_id": "A", "arrival": "12:00", "people": ["p1", "p2"], "groups": {"men": 2}}
    return {"coach": coach, "day": "2016-10-24", "departure": "08:00", "stops": [stop]}


def _write(folder: Path, document: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


def test_written_documents_carry_format_and_version_first() -> None:
    doc = stamp({"trips": [_trip()]})
    assert list(doc)[:2] == ["format", "version"]
    assert doc["format"] == PLAN_FORMAT and doc["version"]["number"] == 1
    assert doc["version"]["parent"] is None and doc["version"]["events"] == []


def test_an_unversioned_plan_is_read_as_format_1_and_upgraded(tmp_path: Path) -> None:
    folder = _write(tmp_path / "old", {"scenario": "calais", "trips": [_trip()]})
    doc = read_plan_json(folder)
    assert doc["format"] == PLAN_FORMAT and doc["version"]["number"] == 1
    assert doc["scenario"] == "calais" and doc["trips"][0]["coach"] == "C1"
    assert "format" not in json.loads(
        (folder / "plan.json").read_text()
    )  # the file is left as it was


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"format": PLAN_FORMAT + 1, "trips": []}, r"written by a newer abri.*upgrade abri"),
        ({"format": "2", "trips": []}, r"key 'format' is '2'; expected a whole number"),
        ({"format": 0, "trips": []}, r"plan format 0 is not one this abri reads"),
        ({"trips": {}}, r"expected an object with a list 'trips'"),
        ({"trips": [{"coach": "C1", "day": "d", "stops": []}]}, r"trip 1 has no departure"),
        (
            {"trips": [{**_trip("C7"), "stops": [{"centre_id": "A"}]}]},
            r"trip 1 \(C7\), stop 1 has no arrival, people",
        ),
        ({"format": 2, "version": 3, "trips": []}, r"key 'version' is 3"),
    ],
)
def test_bad_documents_are_refused_with_what_was_expected(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(PlanFormatError, match=message):
        upgrade(document, source="plan.json")


def test_files_that_are_not_plans(tmp_path: Path) -> None:
    with pytest.raises(PlanFormatError, match="no such file"):
        read_plan_json(tmp_path)
    (tmp_path / "plan.json").write_text("[1, 2]")
    with pytest.raises(PlanFormatError, match="got a JSON list; expected an object"):
        read_plan_json(tmp_path)
    (tmp_path / "plan.json").write_text("{oops")
    with pytest.raises(PlanFormatError, match="not valid JSON"):
        read_plan_json(tmp_path)


@pytest.fixture(scope="module")
def plan_folder(small_scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small scenario planned on the major roads, written as a plan folder."""
    from abri.pipeline import run_plan, write_run

    run = run_plan(small_scenario, roads="france-major-roads", progress=False, baseline=False)
    folder = tmp_path_factory.mktemp("format") / "plan"
    write_run(run, folder)
    return folder


def test_maps_and_documents_read_plans_through_the_loader(
    plan_folder: Path, tmp_path: Path
) -> None:
    from abri.documents.tables import read_plan_folder
    from abri.maps.plan import PlanData

    document = json.loads((plan_folder / "plan.json").read_text(encoding="utf-8"))
    assert document["format"] == PLAN_FORMAT and document["version"]["number"] == 1
    older = tmp_path / "older"
    newer = tmp_path / "newer"
    for folder, changed in (
        (older, {k: v for k, v in document.items() if k not in ("format", "version")}),
        (newer, {**document, "format": PLAN_FORMAT + 1}),
    ):
        folder.mkdir()
        for path in plan_folder.iterdir():
            (folder / path.name).write_bytes(path.read_bytes())
        (folder / "plan.json").write_text(json.dumps(changed), encoding="utf-8")
    assert len(PlanData.from_folder(older).document["trips"]) == len(document["trips"])
    assert len(read_plan_folder(older).trips) == len(document["trips"])
    with pytest.raises(PlanFormatError, match="newer abri"):
        PlanData.from_folder(newer)
    with pytest.raises(PlanFormatError, match="newer abri"):
        read_plan_folder(newer)
