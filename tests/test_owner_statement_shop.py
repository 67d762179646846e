"""The period statement lists every till of the shop (tests/owner_support.py: this till, Cassa 1,
and another till of the same shop, Cassa 2, both on the real sandbox over loopback): the other
till's redemptions come from the platform (`GET /v1/redemptions?scope=shop` with the period's
days), this till's from its ledger (with its unsynced sale), each redemption once; with the
platform unreachable the statement is this till's and says which tills are missing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from posapp.core.api.errors import OfflineError, RefusedError, UnauthorizedError
from posapp.core.policy import AcceptedOnline
from tests.owner_support import build_shop

FIRST, LAST = date(2026, 10, 24), date(2026, 10, 26)


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    shop = build_shop(tmp_path_factory.mktemp("owner_statement_shop"))
    yield shop
    shop.close()


def _lines(doc):
    return [(row[2], row[4], row[5], row[3].cents) for row in doc.tables[0].rows]


def _facts(doc):
    return {label: value for label, value in doc.facts}


def test_every_till_of_the_shop_each_redemption_once(shop):
    doc = shop.book.statement(FIRST, LAST, "en")
    code = {k: v["code"] for k, v in shop.vouchers.items()}
    assert _lines(doc) == [
        (code["a"], "accepted", "Cassa 1", 1000),
        (code["b"], "accepted", "Cassa 1", 2000),
        (code["c"], "accepted", "Cassa 2", 500),
        (code["x"], "accepted", "Cassa 2", 3000),  # the other till's sale of x won
        (code["x"], "conflict", "Cassa 1", 3000),  # this till's offline one: from the ledger
        (code["d"], "accepted", "Cassa 2", 750),
        (code["e"], "voided", "Cassa 1", 300),
        (code["p"], "waiting to sync", "Cassa 1", 1200),  # never reached the platform
        (code["n"], "accepted", "Cassa 1", 400),
    ]
    facts = _facts(doc)
    assert facts["Redemptions counted"] == 7 and facts["Total"].cents == 8850
    assert "Warning" not in facts
    # rendered twice (CSV then PDF), the rows are read afresh and are the same
    assert _lines(doc) == _lines(doc)


def test_the_other_tills_period_is_the_platforms_rome_days(shop):
    # 25 October alone: a (22:30Z on the 24th) is already the 25th in Rome, n (23:30Z) the 26th
    doc = shop.book.statement(date(2026, 10, 25), date(2026, 10, 25), "en")
    code = {k: v["code"] for k, v in shop.vouchers.items()}
    assert [line[0] for line in _lines(doc)] == [
        code[k] for k in ("a", "b", "c", "x", "x", "d", "e", "p")
    ]
    assert _lines(shop.book.statement(date(2026, 10, 27), date(2026, 10, 30), "en")) == []


def test_the_platform_refuses_a_period_that_ends_before_it_starts(shop):
    with pytest.raises(RefusedError) as info:
        shop.here.till.client.redemptions(scope="shop", first_day=LAST, last_day=FIRST)
    assert info.value.status == 422 and info.value.code == "invalid_request"


def test_offline_the_statement_is_this_tills_and_says_which_tills_are_missing(shop):
    monitor = shop.here.till.monitor
    monitor.force_offline()
    try:
        doc = shop.book.statement(FIRST, LAST, "it")
    finally:
        monitor.synced()
    assert {line[2] for line in _lines(doc)} == {"Cassa 1"}
    facts = _facts(doc)
    assert facts["Operazioni conteggiate"] == 4 and facts["Totale"].cents == 4600
    assert "Bar Centrale" in facts["Attenzione"] and "non incluse" in facts["Attenzione"]


def test_a_platform_that_fails_mid_read_is_named_never_raised(shop, monkeypatch):
    client = shop.here.till.client
    real = client.redemptions

    def second_page_fails(cursor=None, limit=500, scope="till", first_day=None, last_day=None):
        if cursor is not None:
            raise OfflineError("offline", "the line dropped")
        return real(cursor, 2, scope, first_day, last_day)  # small pages: a second one is asked

    monkeypatch.setattr(client, "redemptions", second_page_fails)
    monkeypatch.setattr("posapp.core.reports_shop.RETRY_PAUSES_S", (0.01, 0.01))
    doc = shop.book.statement(FIRST, LAST, "en")
    assert {line[2] for line in _lines(doc)} == {"Cassa 1"}  # nothing half-read is listed
    assert "Bar Centrale" in _facts(doc)["Warning"] and "reached" in _facts(doc)["Warning"]


def test_a_page_the_line_dropped_once_is_asked_again(shop, monkeypatch):
    client = shop.here.till.client
    real = client.redemptions
    dropped: list[str] = []

    def second_page_drops_once(cursor=None, limit=500, scope="till", first_day=None, last_day=None):
        if cursor is not None and not dropped:
            dropped.append(cursor)
            raise OfflineError("offline", "the line dropped")
        return real(cursor, 2, scope, first_day, last_day)  # small pages: several are asked

    monkeypatch.setattr(client, "redemptions", second_page_drops_once)
    monkeypatch.setattr("posapp.core.reports_shop.RETRY_PAUSES_S", (0.01, 0.01))
    doc = shop.book.statement(FIRST, LAST, "en")
    assert dropped and "Warning" not in _facts(doc)
    assert [line[2] for line in _lines(doc)].count("Cassa 2") == 3  # c, x and d: none lost


def test_a_platform_that_no_longer_lets_the_till_in_is_named_as_such(shop, monkeypatch):
    client = shop.here.till.client

    def refused(*_args, **_kwargs):
        raise UnauthorizedError("unauthorized", "revoked", status=401)

    monkeypatch.setattr(client, "redemptions", refused)
    warning = _facts(shop.book.statement(FIRST, LAST, "it"))["Attenzione"]
    assert "non riconosce questa cassa" in warning and "non era raggiungibile" not in warning


def test_a_platform_that_ignores_the_period_adds_nothing_outside_it(shop, monkeypatch):
    # a platform built on the contract before first_day/last_day answers the whole history
    client = shop.here.till.client
    real = client.redemptions

    def unfiltered(cursor=None, limit=500, scope="till", first_day=None, last_day=None):
        return real(cursor, limit, scope)

    monkeypatch.setattr(client, "redemptions", unfiltered)
    assert _lines(shop.book.statement(date(2026, 10, 27), date(2026, 10, 30), "en")) == []
    code = {k: v["code"] for k, v in shop.vouchers.items()}
    doc = shop.book.statement(date(2026, 10, 25), date(2026, 10, 25), "en")
    assert [line[0] for line in _lines(doc) if line[2] == "Cassa 2"] == [
        code[k] for k in ("c", "x", "d")
    ]


def test_an_unnamed_other_till_is_never_shown_under_this_tills_name(shop, monkeypatch):
    # a platform that gives no till names; the other till's id may equal this till's number
    client = shop.here.till.client
    real = client.redemptions

    def unnamed(*args, **kwargs):
        page = real(*args, **kwargs)
        return replace(page, items=tuple(replace(r, till_name=None) for r in page.items))

    monkeypatch.setattr(client, "redemptions", unnamed)
    other_id = shop.other.till.account.till_id
    lines = _lines(shop.book.statement(FIRST, LAST, "it"))
    assert {line[2] for line in lines} == {"Cassa 1", f"Altra cassa n. {other_id}"}


def test_the_platform_keeps_another_tills_sales_on_their_rome_days(tmp_path):
    # the other till sells at 23:30 and 00:30 Rome time (22:30Z and 23:30Z): a UTC day would put
    # both on the 27th, the Rome days put one on each
    fresh = build_shop(tmp_path)
    try:
        late, after_midnight = fresh.here.voucher(600), fresh.here.voucher(700)
        for when, voucher in (
            ("2026-10-27T22:30:00", late),
            ("2026-10-27T23:30:00", after_midnight),
        ):
            fresh.clock.set(datetime.fromisoformat(when).replace(tzinfo=UTC))
            out = fresh.other.policy.submit(voucher["code"], None, confirmed=True, operator="Anna")
            assert isinstance(out, AcceptedOnline), out
        fresh.clock.set(datetime(2026, 10, 28, 9, 0, tzinfo=UTC))
        on_27 = _lines(fresh.book.statement(date(2026, 10, 27), date(2026, 10, 27), "en"))
        on_28 = _lines(fresh.book.statement(date(2026, 10, 28), date(2026, 10, 28), "en"))
        assert [line[0] for line in on_27] == [late["code"]]
        assert [line[0] for line in on_28] == [after_midnight["code"]]
        # and the platform itself filtered them (a client-side check alone would hide it)
        client = fresh.here.till.client
        page = client.redemptions(
            scope="shop", first_day=date(2026, 10, 28), last_day=date(2026, 10, 28)
        )
        assert [r.voucher_code for r in page.items] == [after_midnight["code"]]
    finally:
        fresh.close()
