"""Shared fixtures: the real data pack, small files, and no network."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from abri.errors import MissingDataError
from abri.geo.datadir import dataset_path, resolve_data_dir

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address, *args, **kwargs):  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
        msg = f"tests must not reach the network (tried {address!r})"
        raise RuntimeError(msg)
    return _real_connect(self, address, *args, **kwargs)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every connection that leaves the machine."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real data pack ($ABRI_DATA_DIR, else the repository's data/)."""
    root = resolve_data_dir()
    try:
        dataset_path("communes", root)
        dataset_path("departements", root)
    except MissingDataError as exc:
        pytest.fail(f"the tests need the data pack: {exc}")
    return root


@pytest.fixture()
def write(tmp_path: Path):
    """Write a small text file in a temporary folder and return its path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write


@pytest.fixture(scope="session")
def examples() -> Path:
    """The repository's examples/ folder."""
    return Path(__file__).resolve().parent.parent / "examples"


SMALL = dict(centres=40, places=700, minor_centres=6, minor_places=160, adults_per_day=(120, 150, 100), minors=120)


@pytest.fixture(scope="session")
def small_scenario(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic scenario folder (40 adult centres, 490 people)."""
    from abri.geo.synthetic import ScenarioParams, write_scenario

    folder = tmp_path_factory.mktemp("small-scenario")
    write_scenario(ScenarioParams(**SMALL), folder, data_dir=data_dir)
    return folder


@pytest.fixture(scope="session")
def calais_run(data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """`abri demo`'s chain: calais-2016 planned on the national road graph; the run and its plan folder."""
    from abri.pipeline import run_demo

    folder = tmp_path_factory.mktemp("demo")
    run, files = run_demo(folder, data_dir=data_dir, progress=False)
    assert files["plan_map"].is_file() and files["capacity_map"].is_file()
    return run, folder / "plan"
