"""Where every row of the people file went: the accounting identity of a plan, per pathway.

Each person of the allocation has a pathway (the assignments' ``pathway``
column; ``"centre"`` for everyone when there is none): ``centre`` and
``uk-centre`` travel by coach to a centre, ``uk`` leaves for the UK from
the camp, ``medical`` travels by medical transfer, ``refusal`` refused the
solution offered, ``""`` is unplaced. The identity::

    people in = carried by coach to centres + UK direct + medical transfers
                + refused + not carried + unplaced + rows set aside

holds as a whole and for each pathway (its people = those of its people
carried, not carried, on their own way or unplaced).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

DEFAULT_PATHWAY = "centre"
"""The pathway of everyone when the assignments have no ``pathway`` column."""
COACH_PATHWAYS = ("centre", "uk-centre")
"""Pathways that travel by coach to a centre."""
OWN_WAY = {"uk": "UK direct", "medical": "medical transfers", "refusal": "refused"}
"""Pathways that take no coach, and how the accounting names them."""
NOT_ALLOCATED = "(not in the allocation)"
"""The pathway of someone on a coach or in the not-carried list who is not in the allocation."""


def pathway_of(people: pd.DataFrame) -> pd.Series:
    """Each person's pathway (text), ``"centre"`` when the frame has no ``pathway`` column."""
    if "pathway" not in people.columns:
        return pd.Series(DEFAULT_PATHWAY, index=people.index, dtype=object)
    return people["pathway"].fillna("").astype(str).str.strip()


@dataclass(frozen=True)
class PathwayCount:
    """People of one pathway and where they went."""

    people: int = 0
    """Rows of the allocation on this pathway."""
    carried: int = 0
    not_carried: int = 0
    own_way: int = 0
    """UK direct, medical transfers or refused: no coach by design."""
    unplaced: int = 0

    @property
    def balance(self) -> int:
        """People minus everyone accounted for: 0 when the pathway's identity holds."""
        return self.people - (self.carried + self.not_carried + self.own_way + self.unplaced)

    def __str__(self) -> str:
        parts = [
            f"{n:,} {what}"
            for n, what in (
                (self.carried, "carried"),
                (self.not_carried, "not carried"),
                (self.own_way, "on their own way"),
                (self.unplaced, "unplaced"),
            )
            if n
        ]
        text = f"{self.people:,} = {' + '.join(parts) or '0'}"
        return text + (f" ({self.balance:+,})" if self.balance else "")


def pathway_counts(
    people: pd.DataFrame, carried: Iterable[str], not_carried: Iterable[str]
) -> dict[str, PathwayCount]:
    """The count of each pathway.

    Parameters
    ----------
    people
        The allocation indexed by person id: ``centre_id`` and optionally ``pathway``.
    carried, not_carried
        Person ids on the plan's coaches (once per seat) and in its not-carried list.
    """
    pathway = pathway_of(people)
    placed = people["centre_id"].astype(str) != ""
    own = pathway.isin(list(OWN_WAY))
    seats = Counter(pathway.get(p, NOT_ALLOCATED) for p in carried)
    left = Counter(pathway.get(p, NOT_ALLOCATED) for p in not_carried)
    out = {}
    for name in sorted({*pathway, *seats, *left}):
        mine = pathway == name
        out[name] = PathwayCount(
            people=int(mine.sum()),
            carried=seats[name],
            not_carried=left[name],
            own_way=int((mine & own).sum()),
            unplaced=int((mine & ~own & ~placed).sum()),
        )
    return out


@dataclass
class Accounting:
    """Where every row of the people file went.

    ``people_in = carried + uk_direct + medical + refused + not_carried +
    unplaced + rejected`` must hold, per pathway too (``pathways``), and
    every person left behind must have a reason.

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
    uk_direct: int = 0
    medical: int = 0
    refused: int = 0
    pathways: dict[str, PathwayCount] = field(default_factory=dict)

    @property
    def balance(self) -> int:
        """People in minus everyone accounted for: 0 when the identity holds."""
        return self.people_in - (
            self.carried
            + self.uk_direct
            + self.medical
            + self.refused
            + sum(self.not_carried.values())
            + sum(self.unplaced.values())
            + self.rejected
        )

    @property
    def ok(self) -> bool:
        """True when the identity holds as a whole and per pathway, nobody is lost and every reason is given."""
        return (
            self.balance == 0
            and not self.lost
            and "" not in self.not_carried
            and "" not in self.unplaced
            and all(c.balance == 0 for c in self.pathways.values())
        )

    @property
    def _only_centres(self) -> bool:
        return not (self.uk_direct or self.medical or self.refused) and set(self.pathways) <= {
            DEFAULT_PATHWAY
        }

    def __str__(self) -> str:
        own = (
            ""
            if self._only_centres
            else f" by coach to centres + {self.uk_direct:,} UK direct + {self.medical:,} medical transfers + "
            f"{self.refused:,} refused"
        )
        text = (
            f"{self.people_in:,} people in = {self.carried:,} carried{own} + "
            f"{sum(self.not_carried.values()):,} not carried + "
            f"{sum(self.unplaced.values()):,} unplaced + {self.rejected:,} rows set aside"
        )
        if self.balance:
            text += f"; {abs(self.balance):,} {'missing' if self.balance > 0 else 'counted twice'}"
        if not self._only_centres:
            text += "; by pathway: " + "; ".join(
                f"{name or '(none)'} {count}" for name, count in self.pathways.items()
            )
        return text

    def lines(self) -> list[str]:
        """The identity, then one line per reason and per pathway (for the command line)."""
        out = [f"accounting: {self}"]
        out += [
            f"  not carried {n:,}: {reason or '(no reason given)'}"
            for reason, n in sorted(self.not_carried.items())
        ]
        out += [
            f"  unplaced {n:,}: {reason or '(no reason given)'}"
            for reason, n in sorted(self.unplaced.items())
        ]
        out += [
            f"  pathway {name or '(none)'} does not add up: {count}"
            for name, count in self.pathways.items()
            if count.balance
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
            "uk_direct": self.uk_direct,
            "medical_transfers": self.medical,
            "refused": self.refused,
            "not_carried": sum(self.not_carried.values()),
            "unplaced": sum(self.unplaced.values()),
            "rejected_rows": self.rejected,
            "balance": self.balance,
            "ok": self.ok,
            "not_carried_by_reason": dict(sorted(self.not_carried.items())),
            "unplaced_by_reason": dict(sorted(self.unplaced.items())),
            "lost": self.lost,
            "pathways": {
                name: {**asdict(count), "balance": count.balance}
                for name, count in self.pathways.items()
            },
        }
