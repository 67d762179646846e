"""`OwnerBook`: everything the owner's view asks, over a PosService, Qt-free.

Every method may touch the database or the network: call it off the GUI thread (the counter's
`PosBridge.run`). Network calls are skipped at once while a platform is known offline, so the view
never waits on a dead line; the figures then say they are this till's only.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from posapp.core import reports_doc, reports_payouts, reports_shop
from posapp.core.api.errors import ApiError, RefusedError
from posapp.core.clock import Clock, SystemClock, parse_utc
from posapp.core.reports import DayReport, Unconfirmed, build_day
from posapp.core.reports_conflicts import ConflictView, meaning
from posapp.core.reports_doc import ReportDoc
from posapp.core.reports_payouts import Payouts
from posapp.core.store import daybook, history, ledger, outbox
from posapp.core.store.daybook import OutstandingGroup
from posapp.core.store.history import HistoryFilter, HistoryRow, PageKey
from posapp.i18n import tr

log = logging.getLogger("posapp.owner")
LOCAL_TZ = ledger.LOCAL_TZ
MAX_LOOKUPS = 10  # unanswered redemptions asked about per day shown; the rest stay "awaiting"


@dataclass(frozen=True)
class Outstanding:
    groups: tuple[OutstandingGroup, ...]
    count: int
    owed_cents: int
    expiring: tuple[OutstandingGroup, ...]  # expiring within the warning window (or expired)
    warn_days: int


class OwnerBook:
    def __init__(self, service, clock: Clock | None = None, warn_days: int = 30) -> None:
        self.service = service
        self.store = service.store
        self.clock = clock or getattr(service, "clock", None) or SystemClock()
        self.warn_days = warn_days
        self.page_rows = 2000  # rows of a period read from the ledger at a time (memory: ~2 MB)

    # -- days ----------------------------------------------------------------------------------
    def today(self) -> date:
        return self.clock.now().astimezone(LOCAL_TZ).date()

    def till_names(self) -> dict[tuple[str, int], str]:
        return {
            (t.account_id, t.account.till_id): t.account.till_name
            for t in self.service.tills.values()
        }

    def _summaries(self, day: date) -> dict[str, object | None]:
        found: dict[str, object | None] = {}
        for account_id, till in self.service.tills.items():
            if not till.monitor.online:
                found[account_id] = None
                continue
            try:
                found[account_id] = till.client.summary(day)
            except ApiError as exc:
                log.info("summary of %s for %s failed: %s", account_id, day, exc.code)
                found[account_id] = None
        return found

    def day(self, day: date) -> DayReport:
        """The day's figures, shop-wide when every platform answered."""
        cells = self.store.call(daybook.day_cells, day)
        summaries = self._summaries(day)
        unconfirmed: list[Unconfirmed] = []
        answered = bool(summaries) and all(s is not None for s in summaries.values())
        if answered and any(c.state == "pending" for c in cells):
            sent = self.store.call(daybook.sent_pending, day)
            unconfirmed = [
                Unconfirmed(cell, self._on_platform(rid, cell.account_id, i < MAX_LOOKUPS))
                for i, (rid, cell) in enumerate(sent)
            ]
        return build_day(day, cells, summaries, self.till_names(), unconfirmed)

    def _on_platform(self, redemption_id: str, account_id: str, ask: bool) -> bool | None:
        """Does the platform hold this redemption (sent, answer lost)? None: not known now."""
        till = self.service.tills.get(account_id)
        if not ask or till is None or not till.monitor.online:
            return None
        try:
            till.client.get_redemption(redemption_id)
        except RefusedError as exc:
            return False if exc.status == 404 else None
        except ApiError as exc:
            log.info("redemption %s not checked: %s", redemption_id, exc.code)
            return None
        return True

    # -- history -------------------------------------------------------------------------------
    def history(
        self, flt: HistoryFilter, after: PageKey | None = None, limit: int = 200
    ) -> list[HistoryRow]:
        return self.store.call(history.page, flt, after, limit)

    def operators(self) -> list[str]:
        return self.store.call(history.operators)

    def period(self, first: date, last: date, page: int | None = None) -> Iterator[HistoryRow]:
        """Every redemption from `first` to `last`, oldest first, read in pages."""
        after: PageKey | None = None
        page = page or self.page_rows
        while True:
            rows = self.store.call(daybook.period_page, first, last, after, page)
            yield from rows
            if len(rows) < page:
                return
            after = rows[-1].key

    # -- outstanding vouchers -----------------------------------------------------------------
    def outstanding(self) -> Outstanding:
        shops = {t.account_id: t.account.shop_id for t in self.service.tills.values()}
        groups = tuple(self.store.call(daybook.outstanding, shops))
        horizon = self.today() + timedelta(days=self.warn_days)
        expiring = tuple(g for g in groups if g.expires_on is not None and g.expires_on <= horizon)
        return Outstanding(
            groups,
            sum(g.count for g in groups),
            sum(g.owed_cents for g in groups),
            expiring,
            self.warn_days,
        )

    # -- conflicts -----------------------------------------------------------------------------
    def conflicts(self, include_acknowledged: bool = True) -> list[ConflictView]:
        def read(conn) -> list[ConflictView]:
            views = []
            for c in outbox.conflicts(conn, include_acknowledged=include_acknowledged):
                row = ledger.get(conn, c.redemption_id)
                views.append(
                    ConflictView(
                        c,
                        meaning(c.reason_code),
                        row.occurred_at if row else None,
                        row.operator if row else None,
                    )
                )
            return views

        return self.store.call(read)

    def acknowledge(self, conflict_id: int) -> bool:
        return self.service.acknowledge(conflict_id)

    def local_time(self, utc_text: str) -> datetime:
        return parse_utc(utc_text).astimezone(LOCAL_TZ)

    # -- documents -----------------------------------------------------------------------------
    def shop_name(self) -> str:
        names = sorted({t.account.shop_name for t in self.service.tills.values()})
        return ", ".join(names)

    def _all(self, flt: HistoryFilter) -> list[HistoryRow]:
        rows: list[HistoryRow] = []
        after: PageKey | None = None
        while True:
            page = self.store.call(history.page, flt, after, 500)
            rows.extend(page)
            if len(page) < 500:
                return sorted(rows, key=lambda r: (r.occurred_at, r.rowid))
            after = page[-1].key

    def end_of_day(self, day: date, lang: str) -> ReportDoc:
        """The chiusura giornaliera of `day` as a document (CSV and PDF render it)."""
        report = self.day(day)
        voids = self._all(HistoryFilter(day=day, state="voided"))
        conflicts = self._all(HistoryFilter(day=day, state="conflict"))
        pending = self._all(HistoryFilter(day=day, state="pending"))
        return reports_doc.end_of_day(
            report, voids, conflicts, pending, self.till_names(), self.shop_name(), lang
        )

    def statement(self, first: date, last: date, lang: str) -> ReportDoc:
        """Every redemption of a period by every till of the shop, for the accountant (payout
        column when known). This till's rows are read from the ledger in pages while the
        document is written, never all at once; the other tills' come from each platform
        (`reports_shop`), and a platform that did not answer is named on the statement."""
        payouts = self.payout_words(lang)
        mine = self.store.call(daybook.period_totals, first, last)
        others = reports_shop.read_other_tills(
            self.service.tills.values(), first, last,
            lambda ids: self.store.call(ledger.known_ids, ids),
        )  # fmt: skip
        counted = (mine[0] + others.counted[0], mine[1] + others.counted[1])
        tills: dict = {**self.till_names(), **others.names}
        for account_id, till in self.service.tills.items():  # this till under an older id
            tills[account_id] = till.account.till_name
        for r in others.rows:  # another till the platform did not name: never this till's name
            key = (r.account_id, r.till_id)
            tills.setdefault(key, tr("Other till no. {number}", lang, number=r.till_id))

        def rows() -> Iterator[HistoryRow]:
            return heapq.merge(self.period(first, last), others.rows, key=lambda r: r.occurred_at)

        return reports_doc.statement(
            rows, counted, first, last, tills, payouts, self.shop_name(), lang,
            unreached=others.unreached,
        )  # fmt: skip

    # -- payouts -------------------------------------------------------------------------------
    def payouts(self) -> Payouts:
        """The platform's payouts and what of this till's accepted redemptions is still unpaid."""
        reported, lines = reports_payouts.read_payouts(self.service.tills.values())
        totals = self.store.call(reports_payouts.accepted_cents)
        count = sum(c for c, _v in totals.values())
        cents = sum(v for _c, v in totals.values())
        for account_id in totals:
            paid = [rid for p in lines if p.account_id == account_id and p.state == "paid"
                    for rid in p.redemption_ids]  # fmt: skip
            done_count, done_cents = self.store.call(reports_payouts.paid_cents, account_id, paid)
            count, cents = count - done_count, cents - done_cents
        return Payouts(reported, tuple(lines), cents, count)

    def payout_words(self, lang: str) -> dict[str, str]:
        """redemption id -> "in payout 3, to be paid" (empty until a platform reports payouts)."""
        _reported, lines = reports_payouts.read_payouts(self.service.tills.values())
        return reports_payouts.words_by_redemption(lines, lang)
