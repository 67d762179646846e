"""The owner's figures on a real shop (tests/owner_support.py): Europe/Rome days across the night
clocks go back, totals merged from the platform's summary and this till's unsynced sale, by hour,
till and operator, offline fallback, history filters and search, conflicts, outstanding vouchers."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from posapp.core.reports import Total, build_day
from posapp.core.store import daybook
from posapp.core.store.history import HistoryFilter
from tests.owner_support import build_shop

DST = date(2026, 10, 25)


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    shop = build_shop(tmp_path_factory.mktemp("owner"))
    yield shop
    shop.close()


def _named(rows):
    return {r.key: (r.total.count, r.total.cents, r.pending.cents) for r in rows}


def test_the_dst_day_shop_wide_with_this_tills_unsynced_sale(shop):
    day = shop.book.day(DST)
    assert day.shop_wide and day.unreachable == ()
    # platform: a 10,00 + b 20,00 (Cassa 1), c 5,00 + x 30,00 + d 7,50 (Cassa 2); + p 12,00 pending
    assert day.total == Total(6, 8450)
    assert day.pending == Total(1, 1200)
    assert day.here_online == Total(2, 3000) and day.here_offline == Total(1, 1200)
    assert day.voided == Total(1, 300) and day.conflicts == Total(1, 3000)
    hours = {h: (t.count, t.cents) for h, t in enumerate(day.by_hour) if t.count}
    # 02 holds both 02:30 (CEST, Cassa 1) and 02:30 (CET, Cassa 2); 09:00 CET is x at Cassa 2
    assert hours == {0: (1, 1000), 2: (2, 2500), 9: (1, 3000), 10: (1, 750), 11: (1, 1200)}
    assert len(day.by_hour) == 24 and day.peak_hour == 9
    assert _named(day.by_till) == {
        "Cassa 1": (3, 4200, 1200),
        "Cassa 2": (3, 4250, 0),
    }


def test_operators_shop_wide_from_the_platform_plus_this_tills_pending(shop):
    day = shop.book.day(DST)
    assert day.operators_shop_wide
    # platform: Anna a 10,00 + c 5,00 + x 30,00; Bruno b 20,00 + d 7,50; + p 12,00 pending here
    assert _named(day.by_operator) == {"Anna": (3, 4500, 0), "Bruno": (3, 3950, 1200)}


def test_a_platform_without_operators_leaves_the_operator_table_to_this_till(shop):
    real = shop.here.till.client.summary(DST)
    older = SimpleNamespace(  # what an older platform answers: no by_operator at all
        count=real.count, total_cents=real.total_cents, by_hour=real.by_hour,
        by_till=real.by_till, by_operator=(),
    )  # fmt: skip
    cells = shop.here.store.call(daybook.day_cells, DST)
    day = build_day(DST, cells, {shop.here.till.account_id: older}, shop.book.till_names())
    assert day.shop_wide and not day.operators_shop_wide and day.total == Total(6, 8450)
    # this till only: Anna a 10,00; Bruno b 20,00 + p 12,00
    assert _named(day.by_operator) == {"Anna": (1, 1000, 0), "Bruno": (2, 3200, 1200)}


def test_days_are_rome_days_not_utc_days(shop):
    before = shop.book.day(date(2026, 10, 24))
    after = shop.book.day(date(2026, 10, 26))
    assert before.total == Total(0, 0)  # 22:30Z on the 24th was 00:30 on the 25th in Rome
    assert after.total == Total(1, 400) and after.by_hour[0] == Total(1, 400)


def test_offline_the_figures_are_this_tills_and_say_so(shop):
    monitor = shop.here.till.monitor
    monitor.force_offline()
    try:
        day = shop.book.day(DST)
    finally:
        monitor.synced()
    assert not day.shop_wide and day.unreachable == (shop.here.till.account_id,)
    assert day.total == Total(3, 4200)  # a, b and the pending p: Cassa 2 is missing
    assert _named(day.by_till) == {"Cassa 1": (3, 4200, 1200)}


def test_history_filters_and_keyset_pages(shop):
    book = shop.book
    everything = book.history(HistoryFilter())
    assert [r.redemption_id for r in everything] == [
        shop.ids[k] for k in ("n", "p", "e", "x_here", "b", "a")
    ]
    first = book.history(HistoryFilter(), limit=4)
    rest = book.history(HistoryFilter(), after=first[-1].key, limit=4)
    assert [r.redemption_id for r in first + rest] == [r.redemption_id for r in everything]
    on_day = book.history(HistoryFilter(day=DST))
    assert {r.redemption_id for r in on_day} == {
        shop.ids[k] for k in ("p", "e", "x_here", "b", "a")
    }
    states = {s: [r.redemption_id for r in book.history(HistoryFilter(state=s))] for s in
              ("pending", "accepted", "conflict", "voided")}  # fmt: skip
    assert states == {
        "pending": [shop.ids["p"]],
        "accepted": [shop.ids["n"], shop.ids["b"], shop.ids["a"]],
        "conflict": [shop.ids["x_here"]],
        "voided": [shop.ids["e"]],
    }
    bruno = book.history(HistoryFilter(operator="Bruno", day=DST))
    assert [r.redemption_id for r in bruno] == [shop.ids[k] for k in ("p", "x_here", "b")]
    assert book.operators() == ["Anna", "Bruno"]
    pending = book.history(HistoryFilter(state="pending"))[0]
    assert pending.queued and pending.offline and pending.operator == "Bruno"


def test_search_by_voucher_code_or_receipt_number(shop):
    book, code = shop.book, shop.vouchers["b"]["code"]
    assert [r.redemption_id for r in book.history(HistoryFilter(search=code))] == [shop.ids["b"]]
    tail = code.split("-")[1]  # the middle group, typed in lower case
    found = book.history(HistoryFilter(search=tail.lower()))
    assert shop.ids["b"] in [r.redemption_id for r in found]
    assert shop.service.set_receipt(shop.ids["a"], "0042-0017")
    hits = book.history(HistoryFilter(search="0042-0017"))
    assert [(r.redemption_id, r.receipt_number) for r in hits] == [(shop.ids["a"], "0042-0017")]
    assert book.history(HistoryFilter(search="0042", day=date(2026, 10, 26))) == []
    assert book.history(HistoryFilter(search=" -- ")) == []  # nothing searchable: no rows, no error


def test_outstanding_vouchers_by_value_and_expiry_with_a_warning(shop):
    out = shop.book.outstanding()
    groups = {(g.face_value_cents, g.expires_on): (g.count, g.owed_cents) for g in out.groups}
    # the list cached at the first sync: every voucher; spent ones (a, b, e, n, x as used) are
    # not owed; p is pending here (its 12,00 is already taken); d had 15,00, 7,50 taken at Cassa 2
    assert groups[(2500, date(2026, 11, 10))] == (2, 5000)
    assert groups[(5000, date(2027, 6, 30))] == (1, 5000)
    assert (1200, date(2027, 6, 30)) not in groups  # p: all of it taken here, waiting to sync
    assert [(g.face_value_cents, g.expires_on) for g in out.expiring] == [
        (2500, date(2026, 11, 10))
    ]
    assert out.owed_cents == sum(v for _, v in groups.values())


def test_conflicts_in_plain_words_and_acknowledged_but_kept(shop):
    views = shop.book.conflicts()
    assert len(views) == 1
    view = views[0]
    assert view.conflict.redemption_id == shop.ids["x_here"] and view.operator == "Bruno"
    assert view.conflict.reason_code in ("voucher_used", "insufficient_balance")
    assert "will not pay" in view.meaning or "non pagherà" in view.meaning
    assert shop.book.acknowledge(view.conflict.id)
    assert not shop.book.acknowledge(view.conflict.id)  # twice: nothing more happens
    assert shop.book.conflicts(include_acknowledged=False) == []
    kept = shop.book.conflicts()
    assert len(kept) == 1 and kept[0].acknowledged
    still = shop.book.history(HistoryFilter(state="conflict"))
    assert [r.redemption_id for r in still] == [shop.ids["x_here"]]
