"""Where every row of the people file went: the accounting identity of a plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Accounting:
    """Where every row of the people file went.

    ``people_in = carried + not_carried + unplaced + rejected`` must hold,
    and every person left behind must have a reason.

    Examples
    --------
    >>> a = Accounting(
    ...     people_in=5,
    ...     rejected=1,
    ...     carried=3,
    ...     not_carried={},
    ...     unplaced={"no places left for group 'men'": 1},
    ... )
    >>> a.ok, a.balance
    (True, 0)
    >>> print(a)
    5 people in = 3 carried + 0 not carried + 1 unplaced + 1 rows set aside
    """

    people_in: int
    rejected: int
    carried: int
    not_carried: dict[str, int]
    unplaced: dict[str, int]
    lost: list[str] = field(
        default_factory=list
    )  # placed people neither carried nor listed as not carried
    source: str = "people file"

    @property
    def balance(self) -> int:
        """People in minus everyone accounted for: 0 when the identity holds."""
        return self.people_in - (
            self.carried
            + sum(self.not_carried.values())
            + sum(self.unplaced.values())
            + self.rejected
        )

    @property
    def ok(self) -> bool:
        """True when the identity holds, nobody is lost and every reason is given."""
        return (
            self.balance == 0
            and not self.lost
            and "" not in self.not_carried
            and "" not in self.unplaced
        )

    def __str__(self) -> str:
        text = (
            f"{self.people_in:,} people in = {self.carried:,} carried + {sum(self.not_carried.values()):,} not carried + "
            f"{sum(self.unplaced.values()):,} unplaced + {self.rejected:,} rows set aside"
        )
        if self.balance:
            text += f"; {abs(self.balance):,} {'missing' if self.balance > 0 else 'counted twice'}"
        return text

    def lines(self) -> list[str]:
        """The identity, then one line per reason (for the command line)."""
        out = [f"accounting: {self}"]
        out += [
            f"  not carried {n:,}: {reason or '(no reason given)'}"
            for reason, n in sorted(self.not_carried.items())
        ]
        out += [
            f"  unplaced {n:,}: {reason or '(no reason given)'}"
            for reason, n in sorted(self.unplaced.items())
        ]
        if self.lost:
            out.append(
                f"  lost {len(self.lost):,}: placed but on no coach and not listed as not carried ({', '.join(self.lost[:10])})"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for ``plan.json``."""
        return {
            "people_in": self.people_in,
            "source": self.source,
            "carried": self.carried,
            "not_carried": sum(self.not_carried.values()),
            "unplaced": sum(self.unplaced.values()),
            "rejected_rows": self.rejected,
            "balance": self.balance,
            "ok": self.ok,
            "not_carried_by_reason": dict(sorted(self.not_carried.items())),
            "unplaced_by_reason": dict(sorted(self.unplaced.items())),
            "lost": self.lost,
        }
