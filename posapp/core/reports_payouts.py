"""Payouts: the platform pays the shop for redeemed vouchers in periodic payouts. Each of this
till's redemptions is then redeemed -> in payout N (scheduled) -> paid; what is not in any payout
yet is still unpaid.

The platform side (contract, sandbox, client) is the platform engineer's: `GET /v1/shop/payouts`
as a change feed (`client.iter_payouts()`, pages of `Payout` with `number`, `period_start`,
`period_end`, `state` "scheduled" | "paid", `paid_on`, `bank_reference`, `amount_cents`,
`redemption_ids` and `lines`). A redemption voided after its payout closed stays in that payout
and comes back as an adjustment (a negative line) in the next one: the owner reads both. Read
duck-typed, so a client without payouts means "not reported", never a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from posapp.core.api.errors import ApiError
from posapp.core.store.ledger import LOCAL_TZ as ROME
from posapp.i18n import N_, tr

log = logging.getLogger("posapp.owner")

NOT_IN_PAYOUT = N_("redeemed, not yet in a payout")
SCHEDULED = N_("in payout {number}, to be paid")
PAID = N_("paid with payout {number} on {day}")
TAKEN_BACK = N_("voided: taken back in payout {number}")


@dataclass(frozen=True)
class PayoutLine:
    account_id: str
    number: int
    period_start: date | None
    period_end: date | None
    state: str  # "scheduled" | "paid"
    paid_on: date | None
    bank_reference: str
    amount_cents: int
    redemption_ids: tuple[str, ...]
    adjusted_ids: tuple[str, ...] = ()  # voided after their own payout closed: taken back here
    adjusted_cents: int = 0  # negative: what is taken back


@dataclass(frozen=True)
class Payouts:
    reported: bool  # False: no platform of this till reports payouts (yet), or none answered
    lines: tuple[PayoutLine, ...]
    unpaid_cents: int  # accepted redemptions of this till in no paid payout
    unpaid_count: int


def _day(value: object, end: bool = False) -> date | None:
    """The shop's day of `value`; a period `end` at local midnight closes the day before."""
    if value is None:
        return None
    if isinstance(value, datetime):  # the shop's day, not UTC's
        local = value.astimezone(ROME) if value.tzinfo else value
        if end and local.time() == time(0, 0):
            return local.date() - timedelta(days=1)
        return local.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def read_payouts(tills: Iterable) -> tuple[bool, list[PayoutLine]]:
    """Every payout each platform reports; (reported?, lines)."""
    reported, lines = False, []
    for till in tills:
        if not till.monitor.online:
            continue
        try:
            items = _fetch(till.client)
        except ApiError as exc:
            log.info("payouts of %s not read: %s", till.account_id, exc.code)
            continue
        if items is None:
            continue
        reported = True
        latest = {int(p.number): p for p in items}  # a change feed: the last news of each wins
        for p in latest.values():
            adjusted = [x for x in getattr(p, "lines", ()) or () if x.kind == "adjustment"]
            lines.append(
                PayoutLine(
                    till.account_id,
                    int(p.number),
                    _day(getattr(p, "period_start", None)),
                    _day(getattr(p, "period_end", None), end=True),
                    str(p.state),
                    _day(getattr(p, "paid_on", None)),
                    str(getattr(p, "bank_reference", "") or ""),
                    int(p.amount_cents),
                    tuple(getattr(p, "redemption_ids", ()) or ()),
                    tuple(x.redemption_id for x in adjusted),
                    sum(int(x.amount_cents) for x in adjusted),
                )
            )
    return reported, sorted(lines, key=lambda p: (p.account_id, p.number))


def _fetch(client: object) -> list | None:
    """Every payout the client reports, following pages; None when it reports none at all."""
    pages = getattr(client, "iter_payouts", None)
    if pages is not None:
        return [p for page in pages() for p in page.items]
    method = getattr(client, "payouts", None)
    if method is None:
        return None
    found = method()
    return list(getattr(found, "items", found))


def words_by_redemption(lines: Iterable[PayoutLine], lang: str | None = None) -> dict[str, str]:
    """redemption id -> "in payout 3, to be paid" / "paid with payout 2 on 05/11/2026", and for
    one voided after its payout closed "...; voided: taken back in payout 4"."""
    words: dict[str, str] = {}
    taken_back: dict[str, str] = {}
    for p in lines:
        if p.state == "paid" and p.paid_on is not None:
            text = tr(PAID, lang, number=p.number, day=p.paid_on.strftime("%d/%m/%Y"))
        else:
            text = tr(SCHEDULED, lang, number=p.number)
        for rid in p.redemption_ids:
            words[rid] = text
        back = tr(TAKEN_BACK, lang, number=p.number)
        for rid in p.adjusted_ids:
            taken_back[rid] = back
    for rid, back in taken_back.items():
        words[rid] = f"{words[rid]}; {back}" if rid in words else back
    return words


def paid_cents(conn, account_id: str, ids: Iterable[str]) -> tuple[int, int]:
    """(count, cents) of this till's accepted, not voided redemptions among `ids`."""
    ids = list(ids)
    count = cents = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = (
            "SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM ledger WHERE account_id = ? "
            "AND state = 'accepted' AND voided_at IS NULL AND redemption_id IN "
        )
        row = conn.execute(sql + "(" + marks + ")", (account_id, *chunk)).fetchone()
        count, cents = count + row[0], cents + row[1]
    return count, cents


def accepted_cents(conn) -> dict[str, tuple[int, int]]:
    """account -> (count, cents) of accepted, not voided redemptions in this till's ledger."""
    rows = conn.execute(
        "SELECT account_id, COUNT(*), COALESCE(SUM(amount_cents), 0) FROM ledger "
        "INDEXED BY ledger_state_time WHERE state = 'accepted' AND voided_at IS NULL "
        "GROUP BY account_id"
    )
    return {a: (c, v) for a, c, v in rows}
