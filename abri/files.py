"""Every file abri writes goes through here: whole or not at all, ordinary permissions, no live formulas.

- :func:`write_atomic` writes bytes to a temporary file beside the target,
  then renames it over the target: a failure in the middle leaves the old
  file intact and no temporary file behind. The file gets the permissions
  ``open()`` would give under the user's umask (not ``mkstemp``'s 0600).
- :func:`atomic_path` does the same for libraries that write to a path
  themselves (Parquet, GeoPackage, NPZ, PNG).
- :func:`write_csv` neutralises spreadsheet formulas (OWASP "CSV
  injection"): a text cell starting with ``= + - @``, a tab or a carriage
  return gets a leading apostrophe, so Excel and LibreOffice show it as text.
  ``excel-fr`` writes what French Excel and LibreOffice open in columns:
  UTF-8 with BOM, ``;``, decimal commas, and codes with a leading zero
  held as text (department ``01``, an id ``007``) written ``="01"`` so they stay text.
  One rule for every CSV abri writes: the dialect a caller names, else
  ``$ABRI_CSV_DIALECT`` (the user's choice for every command), else ``default``.
- :func:`atomic_dir` writes a folder as a whole (a temporary sibling, then a
  swap) under a lock, so a folder never holds files of two runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Literal

import pandas as pd

from abri.errors import DataFileError, FolderBusyError

CsvDialect = Literal["default", "excel-fr"]
CSV_DIALECTS: tuple[CsvDialect, ...] = ("default", "excel-fr")
CSV_DIALECT_ENV = "ABRI_CSV_DIALECT"
_DIGITS = re.compile(r"^\d+$")  # a code held as text (department 01, id 007): stays text
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def _umask_mode() -> int:
    """The mode ``open()`` gives a new file: 0o666 less the process umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _temporary(path: Path) -> Path:
    """A fresh temporary name beside `path` (unique per process and call); `path` must not be a folder, device or pipe."""
    if (
        path.exists() and not path.is_file()
    ):  # the rename would replace it: a folder, /dev/null, a FIFO
        msg = (
            f"{path}: not a regular file (a folder, device or pipe); expected a file name to write"
        )
        raise DataFileError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=path.parent
    )
    os.close(fd)
    return Path(tmp)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, on failure it is removed.

    >>> with atomic_path("table.parquet") as tmp:  # doctest: +SKIP
    ...     frame.to_parquet(tmp)
    """
    path = Path(path)
    tmp = _temporary(path)
    try:
        yield tmp
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` whole or not at all (temporary file, then rename)."""
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
    return path


def write_text_atomic(path: str | os.PathLike[str], text: str, *, bom: bool = False) -> Path:
    """Write UTF-8 `text` to `path` whole or not at all (with a byte-order mark for Excel if `bom`)."""
    return write_atomic(path, ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8"))


def write_json(path: str | os.PathLike[str], value: Any) -> Path:
    """Write `value` as indented UTF-8 JSON, whole or not at all."""
    return write_text_atomic(path, json.dumps(value, indent=1, ensure_ascii=False, default=str))


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _NUMBER.match(value.strip())
    ):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell (and column name) neutralised; numbers are left alone."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(neutralise)
    return out.rename(columns=lambda c: neutralise(c) if isinstance(c, str) else c)


def csv_dialect(dialect: str | None = None) -> CsvDialect:
    """The CSV dialect to write: `dialect` when given, else ``$ABRI_CSV_DIALECT``, else ``default``."""
    chosen = dialect or os.environ.get(CSV_DIALECT_ENV, "") or "default"
    if chosen not in CSV_DIALECTS:
        source = "dialect" if dialect else f"${CSV_DIALECT_ENV}"
        msg = f"{source} is {chosen!r}; expected one of {', '.join(CSV_DIALECTS)}"
        raise DataFileError(msg)
    return chosen


def _keep_text(value: Any) -> Any:
    """A code held as text (department ``01``, id ``007``, ``75``) as a constant text cell for spreadsheets: ``="01"``."""
    if isinstance(value, str) and _DIGITS.match(value):
        return f'="{value}"'
    return value


def csv_text(frame: pd.DataFrame, *, dialect: CsvDialect | None = None, index: bool = False) -> str:
    """`frame` as CSV text with formulas neutralised; ``excel-fr``: ``;``, decimal commas, leading zeros kept."""
    safe = safe_frame(frame.reset_index() if index else frame)
    if csv_dialect(dialect) == "excel-fr":
        for column in safe.columns:
            if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column].dtype):
                safe[column] = safe[column].map(_keep_text)
        return str(safe.to_csv(index=False, sep=";", decimal=","))
    return str(safe.to_csv(index=False))


def write_csv(
    path: str | os.PathLike[str],
    frame: pd.DataFrame,
    *,
    dialect: CsvDialect | None = None,
    index: bool = False,
) -> Path:
    """Write `frame` as CSV, whole or not at all, formulas neutralised (``excel-fr``: BOM, ``;``, decimal comma).

    `dialect` None: ``$ABRI_CSV_DIALECT``, else ``default`` (see :func:`csv_dialect`).
    """
    chosen = csv_dialect(dialect)
    return write_text_atomic(
        path, csv_text(frame, dialect=chosen, index=index), bom=chosen == "excel-fr"
    )


def read_csv_any(path: str | os.PathLike[str], **kwargs: Any) -> pd.DataFrame:
    """Read a CSV abri wrote in either dialect (``,`` or ``;`` with decimal commas and ``="01"`` codes)."""
    with open(path, encoding="utf-8-sig") as f:
        head = f.readline()
    if head.count(";") > head.count(","):
        frame = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", **kwargs)
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column].dtype):
                frame[column] = (
                    frame[column]
                    .map(
                        lambda v: (
                            v[2:-1]
                            if isinstance(v, str) and v.startswith('="') and v.endswith('"')
                            else v
                        )
                    )
                    .astype(frame[column].dtype)  # an empty text column stays text, not float
                )
        return frame
    return pd.read_csv(path, encoding="utf-8-sig", **kwargs)


def write_parquet(path: str | os.PathLike[str], frame: pd.DataFrame) -> Path:
    """Write `frame` as Parquet, whole or not at all."""
    path = Path(path)
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
    return path


def write_frame(
    path: str | os.PathLike[str], frame: pd.DataFrame, *, dialect: CsvDialect | None = None
) -> Path:
    """Write a table by its suffix: ``.csv``, ``.parquet``, ``.xlsx``, ``.geojson``/``.json`` or ``.gpkg``."""

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_csv(path, frame, dialect=dialect)
    if suffix == ".parquet":
        return write_parquet(path, frame)
    if suffix == ".xlsx":
        with atomic_path(path) as tmp:
            safe_frame(pd.DataFrame(frame)).to_excel(tmp, index=False, engine="openpyxl")
        return path
    if suffix in {".geojson", ".json"}:
        return write_text_atomic(
            path,
            frame.to_json(drop_id=True)
            if hasattr(frame, "crs")
            else frame.to_json(orient="records"),
        )
    if suffix == ".gpkg":
        with atomic_path(path) as tmp:
            frame.to_file(tmp, driver="GPKG", layer=path.stem)
        return path
    msg = f"{path}: unsupported output type {suffix!r}; expected .csv, .parquet, .xlsx, .geojson or .gpkg"
    raise DataFileError(msg)


def write_figure(path: str | os.PathLike[str], fig: Any, **savefig: Any) -> Path:
    """Save a matplotlib figure (format from the suffix: PNG, SVG, PDF), whole or not at all."""
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".").lower() or "png", **savefig)
    return path


def check_output_dir(
    out_dir: str | os.PathLike[str],
    *,
    inputs: Mapping[str, str | os.PathLike[str] | None] | None = None,
    marker: str | None = "plan.json",
) -> Path:
    """Refuse, before any work, an output folder that cannot be written or whose replacement would lose files.

    With a `marker` (a folder written whole by :func:`atomic_dir`, then swapped in: a plan, documents,
    readiness tables), the folder must be new, empty or one abri wrote before (it holds `marker`), and must
    not be or contain one of `inputs` (argument name -> path). Without, only that it can be written.
    Raises :class:`~abri.errors.DataFileError` naming the folder and why.

    Examples
    --------
    >>> check_output_dir("calais-plan", inputs={"SCENARIO_DIR": "calais"})  # doctest: +SKIP
    PosixPath('calais-plan')
    """

    out = Path(out_dir)
    absolute = out.absolute()
    for name, source in (inputs or {}).items():
        if source is None:
            continue
        src = Path(source).absolute()
        if marker and (absolute == src or absolute in src.parents):
            msg = f"{out}: the output folder would replace the input {source} ({name}); it is written whole, so choose another"
            raise DataFileError(msg)
    if out.exists() and not out.is_dir():
        msg = f"{out}: exists and is not a folder; expected a folder to write into"
        raise DataFileError(msg)
    if marker and out.is_dir() and any(out.iterdir()) and not (out / marker).is_file():
        msg = f"{out}: the folder holds files abri did not write there (no {marker}); it is replaced as a whole, so choose a new or empty folder"
        raise DataFileError(msg)
    parent = absolute.parent if marker else absolute
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        msg = f"{out}: {parent} is a file, not a folder; cannot write there"
        raise DataFileError(msg)
    try:
        fd, probe = tempfile.mkstemp(prefix=".abri-probe.", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        msg = f"{out}: cannot be written: cannot write in {parent} ({exc.strerror or exc}); choose a folder you can write to"
        raise DataFileError(msg) from exc
    return out


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Write a whole folder: yield a temporary sibling; on success it replaces `path`, on failure it is removed.

    A lock file beside the folder (``.NAME.lock``) refuses a second writer
    while the first runs; it is removed when the write ends, well or not. The
    old folder stays whole until the new one is complete; then the two are
    swapped by renames.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.parent / f".{path.name}.lock"
    lock = _lock(lock_path, path)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
        try:
            yield tmp
            os.chmod(tmp, _umask_mode_dir())
            old = None
            if path.exists():
                old = Path(
                    tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent)
                )
                old.rmdir()
                os.replace(path, old)
            os.replace(tmp, path)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock_path.unlink()  # still held: a writer waiting on this file sees it gone and retries
        lock.close()


def _lock(lock_path: Path, folder: Path) -> IO[str]:
    """Take the lock file `lock_path` (exclusive, not waiting); :class:`FolderBusyError` when held.

    The file is removed by its holder at the end, so a lock taken on a file that is
    no longer at `lock_path` is dropped and taken again on the new one.
    """
    for _ in range(100):
        lock = open(lock_path, "w")  # noqa: SIM115 - held until atomic_dir ends
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            lock.close()
            msg = f"{folder}: another abri process is writing this folder; wait for it or choose another folder"
            raise FolderBusyError(msg) from exc
        try:
            if os.fstat(lock.fileno()).st_ino == os.stat(lock_path).st_ino:
                return lock
        except FileNotFoundError:
            pass
        lock.close()
    msg = f"{folder}: could not take the lock {lock_path}; another abri process keeps replacing it"
    raise FolderBusyError(msg)


def _umask_mode_dir() -> int:
    """The mode ``mkdir()`` gives a new folder: 0o777 less the process umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask
