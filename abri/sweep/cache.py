"""The sweep folder as a cache: its manifest and one result file per finished combination."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from abri.errors import DataFileError
from abri.files import write_json

if TYPE_CHECKING:
    pass


def scenario_fingerprint(
    scenario_dir: str | os.PathLike[str], roads: str | os.PathLike[str], profile: Any
) -> str:
    """A hash of what every plan of a sweep depends on: the scenario's files, the roads and the coach profile."""
    digest = hashlib.sha256()
    folder = Path(scenario_dir)
    for name in ("centres.csv", "people.csv", "fleet.json", "rules.json", "scenario.json"):
        digest.update(
            name.encode() + (folder / name).read_bytes()
            if (folder / name).is_file()
            else name.encode()
        )
    if (folder / "pathways.csv").is_file():  # optional: absent, the hash stays as it was
        digest.update(b"pathways.csv" + (folder / "pathways.csv").read_bytes())
    digest.update(str(roads).encode())
    if isinstance(profile, str | os.PathLike) and Path(profile).is_file():
        digest.update(Path(profile).read_bytes())
    return digest.hexdigest()[:16]


def check_folder(out: Path, manifest: dict[str, str]) -> None:
    """Refuse a sweep folder that holds results of another scenario, roads or profile."""

    path = out / "sweep.json"
    if path.is_file():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataFileError(
                f"{path}: not valid JSON ({exc}); remove the folder {out} to start the sweep again"
            ) from exc
        if old.get("fingerprint") != manifest["fingerprint"]:
            msg = (
                f"{out}: holds a sweep of {old.get('scenario')!r} on roads {old.get('roads')!r}; this sweep ({manifest['scenario']!r} on "
                f"{manifest['roads']!r}) differs in its scenario files, roads or profile; choose another folder, or remove this one"
            )
            raise DataFileError(msg)
    write_json(path, manifest)


def read_results(folder: Path) -> dict[str, dict[str, Any]]:
    """The rows already recorded in ``results/``, by key."""
    rows = {}
    for path in sorted(folder.glob("*.json")):
        try:
            rows[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (
            json.JSONDecodeError,
            UnicodeDecodeError,
        ):  # cannot happen with atomic writes; planned again if it does
            continue
    return rows
