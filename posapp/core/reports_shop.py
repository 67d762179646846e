"""The shop's other tills in a period statement: what the platform holds that this till does not.

An accountant asks for the shop's redemptions of a month, not one till's. This till's ledger has
its own (also those not yet synced); the platform has every till's (`GET /v1/redemptions` with
`scope=shop` and the period's days). A redemption the ledger knows is taken from the ledger (it has
the receipt number and the sync state), so nothing is listed twice; a platform that cannot be
reached is named on the statement instead of silently leaving its tills out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from posapp.core.api.errors import ApiError
from posapp.core.clock import utc_iso
from posapp.core.store.history import HistoryRow

log = logging.getLogger("posapp.owner")
STATES = {"accepted": "accepted", "refused": "refused", "conflict": "conflict", "voided": "voided"}


@dataclass(frozen=True)
class OtherTills:
    rows: tuple[HistoryRow, ...]  # oldest first
    unreached: tuple[str, ...]  # shop names of the platforms that did not answer
    counted: tuple[int, int]  # (count, cents) of the rows that took money (accepted)


def read_other_tills(
    tills: Iterable, first: date, last: date, known: Callable[[list[str]], set[str]]
) -> OtherTills:
    """The period's redemptions each platform holds that this till's ledger does not (`known`
    returns which of the given ids the ledger has)."""
    rows: list[HistoryRow] = []
    unreached: list[str] = []
    for till in tills:
        if not till.monitor.online:
            unreached.append(till.account.shop_name)
            continue
        try:
            found = [
                r
                for page in till.client.iter_redemptions(
                    scope="shop", first_day=first, last_day=last, limit=500
                )
                for r in _unknown(page.items, known)
            ]
        except ApiError as exc:
            log.info("shop redemptions of %s not read: %s", till.account_id, exc.code)
            unreached.append(till.account.shop_name)
            continue
        rows.extend(_row(till.account_id, r) for r in found)
    rows.sort(key=lambda r: (r.occurred_at, r.redemption_id))
    taken = [r for r in rows if r.state == "accepted"]
    return OtherTills(
        tuple(rows), tuple(unreached), (len(taken), sum(r.amount_cents for r in taken))
    )


def _unknown(items: list, known: Callable[[list[str]], set[str]]) -> list:
    mine = known([r.redemption_id for r in items])
    return [r for r in items if r.redemption_id not in mine]


def _row(account_id: str, r) -> HistoryRow:
    state = "voided" if r.voided_at is not None else STATES.get(r.status, "refused")
    return HistoryRow(
        rowid=0,
        redemption_id=r.redemption_id,
        account_id=account_id,
        occurred_at=utc_iso(r.occurred_at),
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
