"""Payout states on this till's real ledger: redeemed -> in payout N -> paid, and what is unpaid.

The platform side of payouts (contract, sandbox, client) is the platform engineer's and had not
landed when this was written: the till's real ApiClient is given a `payouts()` answering the
shape the owner's view reads (see posapp/core/reports_payouts.py), with real redemption ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from posapp.core.api.errors import OfflineError
from posapp.core.reports_payouts import words_by_redemption
from posapp.qt.owner.history_panel import HistoryPanel
from posapp.qt.owner.runner import Runner
from tests.owner_support import build_shop


@dataclass(frozen=True)
class PayoutStub:
    number: int
    period_start: date
    period_end: date
    state: str
    paid_on: date | None
    bank_reference: str
    amount_cents: int
    redemption_ids: tuple[str, ...]


def _answer(monkeypatch, shop, payouts: list) -> None:
    """The till's client answers these payouts, whichever of its methods the view calls."""
    page = type("Page", (), {"items": tuple(payouts)})
    client = shop.here.till.client
    monkeypatch.setattr(client, "payouts", lambda *_a, **_k: page, raising=False)
    monkeypatch.setattr(client, "iter_payouts", lambda *_a, **_k: iter([page]), raising=False)


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    shop = build_shop(tmp_path_factory.mktemp("owner_payouts"))
    yield shop
    shop.close()


def test_without_payouts_from_the_platform_everything_accepted_is_unpaid(shop):
    report = shop.book.payouts()
    assert report.lines == ()  # the sandbox reports payouts now (none closed yet)
    # accepted, not voided here: a 10,00, b 20,00, n 4,00 (p pending, e voided, x conflict)
    assert (report.unpaid_count, report.unpaid_cents) == (3, 3400)


def test_paid_and_scheduled_payouts_leave_the_rest_unpaid(shop, monkeypatch):
    ids = shop.ids
    closed = PayoutStub(
        1, date(2026, 10, 19), date(2026, 10, 25), "paid", date(2026, 10, 30), "CRO 1234", 3000,
        (ids["a"], ids["b"]),
    )  # fmt: skip
    open_ = PayoutStub(
        2, date(2026, 10, 26), date(2026, 11, 1), "scheduled", None, "", 400, (ids["n"],)
    )
    _answer(monkeypatch, shop, [open_, closed])
    report = shop.book.payouts()
    assert report.reported and [p.number for p in report.lines] == [1, 2]
    assert (report.unpaid_count, report.unpaid_cents) == (1, 400)  # n: scheduled, not yet paid
    words = words_by_redemption(report.lines, "en")
    assert words[ids["a"]] == "paid with payout 1 on 30/10/2026"
    assert words[ids["n"]] == "in payout 2, to be paid"
    doc = shop.book.statement(date(2026, 10, 25), date(2026, 10, 26), "en")
    payout_col = {row[2]: row[8] for row in doc.tables[0].rows}
    assert payout_col[shop.vouchers["b"]["code"]] == "paid with payout 1 on 30/10/2026"
    assert payout_col[shop.vouchers["p"]["code"]] == ""  # pending: in no payout


def test_a_platform_that_fails_is_not_reported_never_raised(shop, monkeypatch):
    def down(*_args, **_kwargs):
        raise OfflineError("offline", "no route")

    for name in ("payouts", "iter_payouts"):
        monkeypatch.setattr(shop.here.till.client, name, down, raising=False)
    report = shop.book.payouts()
    assert not report.reported and report.unpaid_cents == 3400


def test_the_history_table_shows_each_redemptions_payout(shop, monkeypatch, qtbot):
    paid = PayoutStub(
        1, date(2026, 10, 19), date(2026, 10, 25), "paid", date(2026, 10, 30), "CRO 1234", 1000,
        (shop.ids["a"],),
    )  # fmt: skip
    _answer(monkeypatch, shop, [paid])
    panel = HistoryPanel(shop.book, Runner())
    qtbot.addWidget(panel)
    panel.load()
    model = panel.model

    def payout_of(rid):
        rows = [i for i, r in enumerate(model.rows) if r.redemption_id == rid]
        return model.data(model.index(rows[0], 8)) if rows else None

    qtbot.waitUntil(lambda: bool(payout_of(shop.ids["a"])), timeout=10_000)
    assert "30/10/2026" in payout_of(shop.ids["a"]) and payout_of(shop.ids["b"]) == ""
