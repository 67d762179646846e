"""The owner's day: totals, by hour, by till and by operator, Qt-free.

Across the shop's tills the platform's `/v1/shop/summary` is the truth for what it has accepted;
this till adds what it took and has not told the platform yet (pending, not voided). Without the
platform (offline, or it failed) the day is this till's own ledger, and the report says so
(`shop_wide=False`): the owner must never read one till's figures as the shop's.

A pending redemption that was sent and never answered (its answer lost) may already be counted by
the platform. Such a one is added to the platform's figures only when the platform says it does not
hold it; one the platform holds is its figures' already; one it could not be asked about is shown
apart, "awaiting confirmation", and left out of the total: never counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from posapp.core.store.daybook import DayCell

TAKEN = ("pending", "accepted")  # money taken: what the totals count


@dataclass(frozen=True)
class Total:
    count: int = 0
    cents: int = 0

    def __add__(self, other: Total) -> Total:
        return Total(self.count + other.count, self.cents + other.cents)


@dataclass(frozen=True)
class NamedTotal:
    key: str  # till name or operator name ("" when the counter did not say who)
    total: Total
    pending: Total = Total()  # of which still waiting to reach the platform


@dataclass(frozen=True)
class DayReport:
    day: date
    shop_wide: bool  # True: the platform's figures for every till + this till's pending
    total: Total
    by_hour: tuple[Total, ...]  # 24 entries, wall-clock hours of Europe/Rome
    by_till: tuple[NamedTotal, ...]
    by_operator: tuple[NamedTotal, ...]
    operators_shop_wide: bool  # the platform told per-operator figures for every till
    here_online: Total  # this till: taken online (pending or accepted, not voided)
    here_offline: Total  # this till: taken offline
    pending: Total  # this till: not yet accepted by the platform
    voided: Total  # this till's voids of the day
    conflicts: Total  # this till's redemptions the platform refused after an offline sale
    unreachable: tuple[str, ...] = field(default=())  # accounts whose platform did not answer
    awaiting: Total = Total()  # sent, answer lost, platform not asked: not in the shop's total

    @property
    def peak_hour(self) -> int | None:
        best = max(range(24), key=lambda h: self.by_hour[h].cents)
        return best if self.by_hour[best].count else None


@dataclass(frozen=True)
class Unconfirmed:
    """One pending redemption sent and never answered, and what the platform says of it now."""

    cell: DayCell  # its one-row cell (count 1)
    on_platform: bool | None  # True: recorded there; False: not there; None: could not ask


def _key(c: DayCell) -> tuple:
    return (c.account_id, c.hour, c.till_id, c.operator, c.offline, c.state)


def _minus(cells: Iterable[DayCell], gone: Iterable[DayCell]) -> list[DayCell]:
    """`cells` without the one-row cells `gone` (each taken from the cell it belongs to)."""
    left: dict[tuple, tuple[int, int]] = {}
    for c, sign in [(c, 1) for c in cells] + [(g, -1) for g in gone]:
        n, v = left.get(_key(c), (0, 0))
        left[_key(c)] = (n + sign * c.count, v + sign * c.cents)
    return [DayCell(*k, n, v) for k, (n, v) in left.items() if n > 0]


def _sum(cells: Iterable[DayCell]) -> Total:
    total = Total()
    for c in cells:
        total = total + Total(c.count, c.cents)
    return total


def _group(cells: Iterable[DayCell], key) -> dict:
    groups: dict = {}
    for c in cells:
        groups[key(c)] = groups.get(key(c), Total()) + Total(c.count, c.cents)
    return groups


def build_day(
    day: date,
    cells: list[DayCell],
    summaries: dict[str, object | None],
    till_names: dict[tuple[str, int], str],
    unconfirmed: Sequence[Unconfirmed] = (),
) -> DayReport:
    """Merge this till's cells with each account's platform summary (None: it did not answer).

    `till_names[(account_id, till_id)]` names this till's own rows; a summary names every till.
    `unconfirmed`: the pending cells' redemptions that were sent and never answered, with the
    platform's word on each (they are among `cells` too).
    """
    taken = [c for c in cells if c.state in TAKEN]
    pending = [c for c in cells if c.state == "pending"]
    unreachable = tuple(a for a, s in summaries.items() if s is None)
    shop_wide = bool(summaries) and not unreachable
    added, awaiting = pending, Total()
    if shop_wide:  # what the platform does not count yet: never sent, or sent and not there
        added = _minus(pending, [u.cell for u in unconfirmed if u.on_platform is not False])
        awaiting = _sum(u.cell for u in unconfirmed if u.on_platform is None)
    # money: either the platform's figures plus what it does not hold, or our own ledger alone
    base = added if shop_wide else taken
    hours = _group(base, lambda c: c.hour)
    tills = _group(base, lambda c: till_names.get((c.account_id, c.till_id), str(c.till_id)))
    operators = _group(base, lambda c: c.operator or "")
    waiting = added if shop_wide else pending
    pending_tills = _group(waiting, lambda c: till_names.get((c.account_id, c.till_id), ""))
    pending_ops = _group(waiting, lambda c: c.operator or "")
    total = _sum(base)
    operators_shop_wide = shop_wide
    if shop_wide:
        for summary in summaries.values():
            total = total + Total(summary.count, summary.total_cents)
            for h in summary.by_hour:
                hours[h.hour] = hours.get(h.hour, Total()) + Total(h.count, h.total_cents)
            for t in summary.by_till:
                tills[t.till_name] = tills.get(t.till_name, Total()) + Total(t.count, t.total_cents)
            by_op = getattr(summary, "by_operator", None)
            # a platform that does not tell operators (an older one answers none at all): the
            # operator table is this till's own; one that tells them lists every sale ("" for
            # none), so its counts add up to the day's
            if by_op is None or sum(o.count for o in by_op) != summary.count:
                operators_shop_wide = False
                continue
            for o in by_op:
                name = o.operator or ""
                operators[name] = operators.get(name, Total()) + Total(o.count, o.total_cents)
        if not operators_shop_wide:
            operators = _group(taken, lambda c: c.operator or "")
            pending_ops = _group(pending, lambda c: c.operator or "")
    return DayReport(
        day=day,
        shop_wide=shop_wide,
        total=total,
        by_hour=tuple(hours.get(h, Total()) for h in range(24)),
        by_till=_named(tills, pending_tills),
        by_operator=_named(operators, pending_ops),
        operators_shop_wide=operators_shop_wide,
        here_online=_sum(c for c in taken if not c.offline),
        here_offline=_sum(c for c in taken if c.offline),
        pending=_sum(pending),
        voided=_sum(c for c in cells if c.state == "voided"),
        conflicts=_sum(c for c in cells if c.state == "conflict"),
        unreachable=unreachable,
        awaiting=awaiting,
    )


def _named(totals: dict[str, Total], pending: dict[str, Total]) -> tuple[NamedTotal, ...]:
    rows = [NamedTotal(k, v, pending.get(k, Total())) for k, v in totals.items() if v.count]
    return tuple(sorted(rows, key=lambda r: (-r.total.cents, r.key)))
