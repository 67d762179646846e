"""The shop's other tills in a period statement: what the platform holds that this till does not.

An accountant asks for the shop's redemptions of a month, not one till's. This till's ledger has
its own (also those not yet synced); the platform has every till's (`GET /v1/redemptions` with
`scope=shop` and the period's days). A redemption the ledger knows is taken from the ledger (it has
the receipt number and the sync state), so nothing is listed twice. Each line is dated and kept or
left out at the time the platform counts it (its own for an online sale, never a till's PC clock),
checked here too: a platform that ignored the period would otherwise put its whole history in the
statement. A platform that cannot be read is named on the statement instead of silently leaving
its tills out.
"""

from __future__ import annotations

import logging
import time as time_module
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from posapp.core.api.errors import ApiError, RefusedError, UnauthorizedError
from posapp.core.api.paging import follow_pages
from posapp.core.clock import utc_iso
from posapp.core.rebuild import STATES
from posapp.core.store.history import HistoryRow
from posapp.core.store.ledger import LOCAL_TZ

log = logging.getLogger("posapp.owner")
UNREACHABLE, NOT_RECOGNISED = "unreachable", "not_recognised"
RETRY_PAUSES_S = (0.5, 1.5)  # two more tries of a page after a transient failure


@dataclass(frozen=True)
class OtherTills:
    rows: tuple[HistoryRow, ...]  # oldest first
    unreached: tuple[tuple[str, str], ...]  # (shop name, UNREACHABLE | NOT_RECOGNISED)
    counted: tuple[int, int]  # (count, cents) of the rows that took money (accepted)
    names: dict[tuple[str, int], str]  # (account id, till id) -> the till's name


def read_other_tills(
    tills: Iterable, first: date, last: date, known: Callable[[list[str]], set[str]]
) -> OtherTills:
    """The period's redemptions each platform holds that this till's ledger does not (`known`
    returns which of the given ids the ledger has)."""
    start = datetime.combine(first, time(0), LOCAL_TZ)
    end = datetime.combine(last + timedelta(days=1), time(0), LOCAL_TZ)
    rows: list[HistoryRow] = []
    names: dict[tuple[str, int], str] = {}
    unreached: list[tuple[str, str]] = []
    for till in tills:
        shop = till.account.shop_name
        if not till.monitor.online:
            unreached.append((shop, UNREACHABLE))
            continue

        def fetch(cursor: str | None, limit: int, client=till.client):
            return _patiently(lambda: client.redemptions(cursor, limit, "shop", first, last))

        try:
            found = [
                r for page in follow_pages(fetch, None, 500) for r in _unknown(page.items, known)
            ]
        except (UnauthorizedError, RefusedError) as exc:  # the till is online, not let in
            log.info("shop redemptions of %s refused: %s", till.account_id, exc.code)
            unreached.append((shop, NOT_RECOGNISED))
            continue
        except ApiError as exc:
            log.info("shop redemptions of %s not read: %s", till.account_id, exc.code)
            unreached.append((shop, UNREACHABLE))
            continue
        kept = [r for r in found if start <= counted_at(r) < end]
        if len(kept) < len(found):
            log.warning(
                "%s: %d redemptions outside %s..%s left out (the platform did not filter them)",
                till.account_id, len(found) - len(kept), first, last,
            )  # fmt: skip
        for r in kept:
            rows.append(_row(till.account_id, r))
            label = (r.till_name or "").strip()
            if label:
                names[(till.account_id, r.till_id)] = label
    rows.sort(key=lambda r: (r.occurred_at, r.redemption_id))
    taken = [r for r in rows if r.state == "accepted"]
    return OtherTills(
        tuple(rows), tuple(unreached), (len(taken), sum(r.amount_cents for r in taken)), names
    )


def _patiently(call: Callable[[], Any]) -> Any:
    """One page, asked again after a dropped line or a busy platform (its Retry-After when it
    gives one, at most 5 s): a long period is many pages, and one hiccup should not leave a
    platform's tills out of the statement."""
    for pause in RETRY_PAUSES_S:
        try:
            return call()
        except ApiError as exc:
            if not exc.transient:
                raise
            hint = getattr(exc, "retry_after", None)
            time_module.sleep(min(5.0, hint) if hint is not None else pause)
    return call()


def counted_at(r) -> datetime:
    """When the platform counts a redemption: its effective time when it says it, else its own
    receipt time for an online sale and the claimed time of an offline one (as rebuild does)."""
    if r.effective_at is not None:
        return r.effective_at
    return r.occurred_at if r.offline else r.recorded_at


def _unknown(items: tuple, known: Callable[[list[str]], set[str]]) -> list:
    mine = known([r.redemption_id for r in items])
    return [r for r in items if r.redemption_id not in mine]


def _row(account_id: str, r) -> HistoryRow:
    state = "voided" if r.voided_at is not None else STATES.get(r.status, "conflict")
    return HistoryRow(
        rowid=0,
        redemption_id=r.redemption_id,
        account_id=account_id,
        occurred_at=utc_iso(counted_at(r)),
        voucher_code=r.voucher_code,
        amount_cents=r.amount_cents,
        currency=r.currency,
        till_id=r.till_id,
        operator=r.operator,
        receipt_number=None,  # kept by the till that sold it, never sent to the platform
        offline=r.offline,
        state=state,
        queued=False,
        reason_code=r.reason_code,
        voided_at=utc_iso(r.voided_at) if r.voided_at is not None else None,
    )
