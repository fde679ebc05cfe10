"""Row-level problems found in input files, and the report that gathers them.

Every problem names the file, the row, the column, the value received and
what was expected. Errors set the row aside (it goes to a rejects file);
warnings keep it.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from abri.files import write_atomic

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem in one cell (or one row, or the whole file when `row` is None)."""

    file: str
    row: int | None
    column: str
    value: str
    expected: str
    severity: Severity
    rule: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return (
            f"{self.file}, {where}, column {self.column!r}: {self.severity} [{self.rule}] "
            f"got {value!r}, expected {self.expected}"
        )


@dataclass
class ValidationReport:
    """What reading and checking one file found."""

    file: str
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def errors(self) -> list[Problem]:
        """Problems that set a row aside."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that keep the row."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def rows_rejected(self) -> int:
        """How many rows were set aside."""
        return len(self.rejects)

    @property
    def rows_kept(self) -> int:
        """How many rows passed."""
        return self.rows_read - self.rows_rejected

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table (one row per problem)."""
        columns = ["file", "row", "column", "value", "expected", "severity", "rule"]
        return pd.DataFrame([asdict(p) for p in self.problems], columns=columns)

    def summary(self) -> str:
        """One line: rows read, kept, set aside, errors and warnings."""
        return (
            f"{self.file}: {self.rows_read} rows read, {self.rows_kept} kept, "
            f"{self.rows_rejected} set aside; {len(self.errors)} errors, {len(self.warnings)} warnings"
        )

    def write_rejects(self, path: str | os.PathLike[str]) -> Path:
        """Write the rows set aside (original values, row number, reasons) as CSV."""
        return write_atomic(Path(path), self.rejects.to_csv(index=False).encode("utf-8"))

    def write_problems(self, path: str | os.PathLike[str]) -> Path:
        """Write every problem as CSV."""
        return write_atomic(Path(path), self.to_frame().to_csv(index=False).encode("utf-8"))
