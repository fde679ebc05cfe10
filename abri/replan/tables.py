"""What changed between a plan and its next version: people (``changes.csv``), coaches, arrivals."""

from __future__ import annotations

import pandas as pd

from abri.planning.plan import Plan
from abri.planning.schedule import s_to_clock
from abri.replan.apply import Operation
from abri.replan.state import seats_of

CHANGES = ["person_id", "from", "to", "why"]
COACHES = ["coach", "change", "before", "after", "why"]


def _where(seat: tuple[str, str, str] | None, reason: str) -> str:
    return f"{seat[0]} on {seat[1]} at {seat[2]}" if seat else (reason or "nowhere")


def _arrivals_of(plan: Plan) -> dict[str, str]:
    return {p: s_to_clock(s.arrival_s) for t in plan.trips for s in t.stops for p in s.people}


def changes_table(
    old: Plan,
    new: Plan,
    why: dict[str, str],
    coach_why: dict[str, str],
    *,
    rerouted: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One row per person whose centre, coach or departure changed: from, to, and why (theirs, else their coach's).

    On a coach `rerouted` around a closed road (coach -> why), a person whose arrival
    moved has a row too, the arrivals in from and to.
    """
    before, after = seats_of(old), seats_of(new)
    rows = _rerouted_rows(old, new, rerouted or {})
    done = {r["person_id"] for r in rows}
    reasons = dict(
        zip(new.allocation.assignments["person_id"], new.allocation.assignments["reason"])
    )
    nc = dict(zip(new.not_carried["person_id"], new.not_carried["reason"]))
    for p in new.allocation.assignments["person_id"]:
        if before.get(p) == after.get(p) or p in done:
            continue
        rows.append(
            {
                "person_id": p,
                "from": _where(before.get(p), "not on a coach" if p in before or p in why else ""),
                "to": _where(after.get(p), str(nc.get(p) or reasons.get(p) or "")),
                "why": why.get(p) or coach_why.get(after.get(p, ("", "", ""))[1], "unexplained"),
            }
        )
    return pd.DataFrame(rows, columns=CHANGES)


def _rerouted_rows(old: Plan, new: Plan, rerouted: dict[str, str]) -> list[dict[str, str]]:
    """People who keep their seat on a coach re-routed around a closed road but arrive at another time."""
    before, after = seats_of(old), seats_of(new)
    came, comes = _arrivals_of(old), _arrivals_of(new)
    return [
        {
            "person_id": p,
            "from": f"{_where(seat, '')}, arriving {came[p]}",
            "to": f"{_where(seat, '')}, arriving {comes[p]}",
            "why": rerouted[seat[1]],
        }
        for p, seat in after.items()
        if seat[1] in rerouted and before.get(p) == seat and came.get(p, comes[p]) != comes[p]
    ]


def coaches_table(old: Plan, op: Operation) -> pd.DataFrame:
    """Coaches cancelled, added, re-timed or re-routed, with their departure before and after."""
    rows = []
    before = {t.coach: t for t in old.trips}
    for coach, trip in before.items():
        new = op.trips.get(coach)
        when = f"{trip.day} {s_to_clock(trip.departure_s)}"
        if new is None:
            rows.append(
                {
                    "coach": coach,
                    "change": "cancelled",
                    "before": when,
                    "after": "",
                    "why": op.cancelled.get(coach, ""),
                }
            )
            continue
        after = f"{new.day} {s_to_clock(new.departure_s)}"
        stops_before = [(s.centre_id, len(s.people)) for s in trip.stops]
        stops_after = [(s.centre_id, len(s.people)) for s in new.stops]
        if after != when or stops_before != stops_after or coach in op.rerouted:
            same = stops_before == stops_after and coach not in op.rerouted
            change = "re-timed" if same else "re-routed"
            rows.append(
                {
                    "coach": coach,
                    "change": change,
                    "before": when,
                    "after": after,
                    "why": op.retimed.get(coach, "its people changed"),
                }
            )
    for coach in sorted(set(op.trips) - set(before)):
        t = op.trips[coach]
        rows.append(
            {
                "coach": coach,
                "change": "added",
                "before": "",
                "after": f"{t.day} {s_to_clock(t.departure_s)}",
                "why": "people to carry that no free seat took",
            }
        )
    return pd.DataFrame(rows, columns=COACHES)


ARRIVALS = ["centre_id", "coach", "before", "after", "message"]


def _arrivals(plan: Plan) -> dict[tuple[str, str], tuple[int, str]]:
    return {
        (s.centre_id, t.coach): (len(s.people), f"{t.day} {s_to_clock(s.arrival_s)}")
        for t in plan.trips
        for s in t.stops
    }


def arrivals_table(old: Plan, new: Plan) -> pd.DataFrame:
    """For each centre, the arrivals that changed: "23, not 25, at 18:40 on coach C14"."""
    before, after = _arrivals(old), _arrivals(new)
    rows = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if a == b:
            continue
        centre, coach = key
        if a is None:
            message = f"no longer arriving on coach {coach} ({b[0] if b else 0} expected)"
        elif b is None:
            message = f"{a[0]} more, at {a[1][11:]} on coach {coach}"
        else:
            message = f"{a[0]}, not {b[0]}, at {a[1][11:]} on coach {coach}"
        where = lambda x: f"{x[0]} at {x[1]}" if x else ""  # noqa: E731
        rows.append(
            {
                "centre_id": centre,
                "coach": coach,
                "before": where(b),
                "after": where(a),
                "message": message,
            }
        )
    return pd.DataFrame(rows, columns=ARRIVALS)
