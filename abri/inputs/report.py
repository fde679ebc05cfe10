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

from abri.files import write_csv

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
    record: int | None = (
        None  # while a file is read: the record's index in its frame (None: the file)
    )

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return (
            f"{self.file}, {where}, column {self.column!r}: {self.severity} [{self.rule}] "
            f"got {value!r}, expected {self.expected}"
        )


@dataclass
class RowCheck:
    """One record while it is checked: its cells, the values found and its problems."""

    number: int
    cells: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)

    def text(self, name: str) -> str:
        """A checked value as text (``""`` when absent)."""
        value = self.values.get(name)
        return "" if value is None else str(value)

    def float_value(self, name: str) -> float:
        """A checked numeric value; a value that is not a number is a bug of the checker (``TypeError``)."""
        value = self.values[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            msg = f"{name}: {value!r} is not a number"
            raise TypeError(msg)
        return float(value)

    def error(self, file: str, column: str, value: str, expected: str, rule: str) -> None:
        self._add(file, column, value, expected, "error", rule)

    def warn(self, file: str, column: str, value: str, expected: str, rule: str) -> None:
        self._add(file, column, value, expected, "warning", rule)

    def _add(
        self, file: str, column: str, value: str, expected: str, severity: Severity, rule: str
    ) -> None:
        self.problems.append(Problem(file, self.number, column, value, expected, severity, rule))

    @property
    def rejected(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


@dataclass
class ValidationReport:
    """What reading and checking one file found."""

    file: str
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_rows(
        cls,
        file: str,
        frame: pd.DataFrame,
        rows: list[RowCheck],
        *,
        file_problems: list[Problem] | None = None,
    ) -> ValidationReport:
        """The report of checked rows: every problem (those about the whole file first), and the rejected rows' cells with reasons."""
        rejected = [i for i, r in enumerate(rows) if r.rejected]
        rejects = (
            frame[[c for c in frame.columns if not str(c).startswith("__")]].iloc[rejected].copy()
        )
        rejects.insert(0, "source_row", [rows[i].number for i in rejected], allow_duplicates=True)
        rejects["reasons"] = [
            " | ".join(
                f"{p.column}: {p.rule} ({p.value!r})"
                for p in rows[i].problems
                if p.severity == "error"
            )
            for i in rejected
        ]
        problems = [*(file_problems or []), *(p for r in rows for p in r.problems)]
        return cls(
            file, rows_read=len(rows), problems=problems, rejects=rejects.reset_index(drop=True)
        )

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
        return write_csv(Path(path), self.rejects)

    def write_problems(self, path: str | os.PathLike[str]) -> Path:
        """Write every problem as CSV."""
        return write_csv(Path(path), self.to_frame())
