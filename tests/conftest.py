"""Shared fixtures: the real data pack, small files, and no network."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from abri.demo import run_demo
from abri.errors import MissingDataError
from abri.inputs.datadir import ENV_VAR, dataset_path, resolve_data_dir
from abri.inputs.scenario import Rules
from abri.pipeline import plan_prepared, prepare, write_run
from abri.synthetic import ScenarioParams, write_scenario

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address, *args, **kwargs):  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else address
    if (
        isinstance(host, str)
        and host not in ("127.0.0.1", "::1", "localhost")
        and not host.startswith("/")
    ):
        msg = f"tests must not reach the network (tried {address!r})"
        raise RuntimeError(msg)
    return _real_connect(self, address, *args, **kwargs)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every connection that leaves the machine."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
MINIPACK = Path(__file__).resolve().parent / "data" / "minipack"
"""Small committed inputs (a few departments, their roads): what tests run on without the data pack."""
DATAPACK_FIXTURES = {"datapack", "calais_run"}


def missing(reason: str) -> None:
    """Skip on a developer's machine; fail under CI=true, where everything must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: nothing may be skipped)")
    pytest.skip(reason)


def _real_pack() -> tuple[Path | None, str]:
    """The real data pack ($ABRI_DATA_DIR, else the repository's data/) if it holds the national files."""
    root = resolve_data_dir()
    try:
        dataset_path("communes", root)
        dataset_path("departements", root)
    except MissingDataError as exc:
        return None, str(exc)
    return root, ""


PACK, PACK_MISSING = _real_pack()


def pytest_configure(config: pytest.Config) -> None:
    """Without the data pack, abri (and every command a test starts) reads the mini-pack."""
    if PACK is None:
        os.environ[ENV_VAR] = str(MINIPACK)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests by what they need: the national data pack (``datapack``) or Chromium (``browser``)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & DATAPACK_FIXTURES:
            item.add_marker(pytest.mark.datapack)
        if "browser" in names:
            item.add_marker(pytest.mark.browser)
        if "calais_run" in names:  # the national calais-2016 plan: about a minute, once per session
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked ``datapack`` needs the national pack: skipped without it, failed under CI=true."""
    if PACK is None and item.get_closest_marker("datapack") is not None:
        missing(f"this test needs the national data pack: {PACK_MISSING}")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The data directory tests read: the real pack when there is one, else the mini-pack.

    Tests on it must hold on both; a test that needs national coverage (every department, the
    calais-2016 centres, roads across France) is marked ``datapack`` or takes :func:`datapack`.
    """
    return PACK or MINIPACK


@pytest.fixture(scope="session")
def datapack() -> Path:
    """The real national data pack ($ABRI_DATA_DIR, else the repository's data/)."""
    if PACK is None:
        missing(f"this test needs the national data pack: {PACK_MISSING}")
    assert PACK is not None
    return PACK


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Headless Chromium (Debian's, driven by Playwright), shared by every browser test."""
    from browser import CHROMIUM_ARGS, chromium_path  # type: ignore[import-not-found]
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        missing(
            "Chromium is needed for the browser tests: apt-get install chromium (.ci/run does it)"
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


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


SMALL = dict(
    centres=40,
    places=700,
    minor_centres=6,
    minor_places=160,
    adults_per_day=(120, 150, 100),
    minors=120,
)


# Its 40 adult centres are few: psychiatric care within 75 min (60 by default), so that everyone
# has a place meeting their needs (tests of unmet needs build their own cases).
SMALL_RULES = Rules(care_max_minutes={**Rules().care_max_minutes, "psychiatry": 75.0})


@pytest.fixture(scope="session")
def small_scenario(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic scenario folder (40 adult centres, 490 people) in the data directory's communes."""
    folder = tmp_path_factory.mktemp("small-scenario")
    write_scenario(ScenarioParams(**SMALL), folder, data_dir=data_dir, rules=SMALL_RULES)
    return folder


@pytest.fixture(scope="session")
def planned(small_scenario: Path, data_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The small scenario prepared once on the major roads, and its first plan folder (read, never written, by the re-planning tests)."""
    prepared = prepare(small_scenario, roads="france-major-roads", data_dir=data_dir)
    run = plan_prepared(prepared, baseline=False, time_limit=1, jobs=1)
    folder = tmp_path_factory.mktemp("small-plan-v1") / "v1"
    write_run(run, folder)
    return prepared, folder


@pytest.fixture(scope="session")
def calais_run(datapack: Path, tmp_path_factory: pytest.TempPathFactory):
    """`abri demo`'s chain: calais-2016 planned on the national road graph; the run and its plan folder."""
    folder = tmp_path_factory.mktemp("demo")
    run, files = run_demo(folder, data_dir=datapack, progress=False)
    assert files["plan_map"].is_file() and files["capacity_map"].is_file()
    return run, folder / "plan"
