"""The counter window on the real sandbox: look up, confirm with Enter, partial, refusals, undo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from tests.support.counter_rig import counter, rig  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("qapp")


def scan(counter, qtbot, text):  # noqa: F811
    counter.flow.on_code(text, "camera")
    qtbot.waitUntil(lambda: counter.flow.phase not in ("looking_up",), timeout=10_000)


def wait_verdict(counter, qtbot):  # noqa: F811
    qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=10_000)
    return counter.flow.verdict


def test_enter_confirms_the_default_amount_and_the_platform_records_it(rig, counter, qtbot):  # noqa: F811
    voucher = rig.voucher(500)
    scan(counter, qtbot, voucher["code"])
    assert counter.flow.phase == "confirm"
    panel = counter.window.voucher
    assert counter.window.pages.currentWidget() is panel
    assert panel.rows["code"][1].text() == voucher["code"]
    assert "5,00" in panel.rows["value"][1].text() or "5.00" in panel.rows["value"][1].text()
    qtbot.keyClick(counter.window, Qt.Key.Key_Return)
    verdict = wait_verdict(counter, qtbot)
    assert verdict.tone == "ok", verdict
    assert counter.window.verdict.tone == "ok"
    rows = rig.redemptions()
    assert [(r["voucher_id"], r["amount_cents"]) for r in rows] == [(voucher["voucher_id"], 500)]


def test_a_partial_amount_typed_in_the_amount_field(rig, counter, qtbot):  # noqa: F811
    voucher = rig.voucher(2000, partial_allowed=True)
    scan(counter, qtbot, voucher["code"])
    qtbot.keyClick(counter.window, Qt.Key.Key_F3)
    field = counter.window.voucher.amount
    field.setText("7,50")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert wait_verdict(counter, qtbot).tone == "ok"
    assert [r["amount_cents"] for r in rig.redemptions()] == [750]
    assert "12,50" in counter.flow.verdict.detail or "12.50" in counter.flow.verdict.detail


def test_a_bad_amount_changes_nothing(rig, counter, qtbot):  # noqa: F811
    voucher = rig.voucher(2000, partial_allowed=True)
    scan(counter, qtbot, voucher["code"])
    field = counter.window.voucher.amount
    field.setText("abc")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert counter.window.voucher.error.text()
    assert counter.flow.phase == "confirm"
    assert rig.redemptions() == []


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda r: r.voucher(1000, balance_cents=0)["code"], "used"),
        (
            lambda r: r.voucher(1000, expires_at=datetime.now(UTC) - timedelta(days=1))["code"],
            "expired",
        ),
        (lambda r: r.voucher(1000, cancelled=True)["code"], "cancel"),
        (lambda r: "ciao", "not a voucher"),
        (lambda r: "ABCD-EFGH-12X", "typed correctly"),
    ],
)
def test_each_refusal_is_red_with_plain_words(rig, counter, qtbot, make, words):  # noqa: F811  # noqa: F811
    from posapp.i18n import set_language

    set_language("en")
    try:
        scan(counter, qtbot, make(rig))
        verdict = wait_verdict(counter, qtbot)
    finally:
        set_language("it")
    assert verdict.tone == "refused", verdict
    assert words in verdict.detail.lower()
    assert "HTTP" not in verdict.detail and "Error" not in verdict.detail
    assert rig.redemptions() == []


def test_undo_asks_first_then_voids_on_the_platform(rig, counter, qtbot):  # noqa: F811
    voucher = rig.voucher(500)
    scan(counter, qtbot, voucher["code"])
    qtbot.keyClick(counter.window, Qt.Key.Key_Return)
    assert wait_verdict(counter, qtbot).tone == "ok"
    qtbot.keyClick(counter.window, Qt.Key.Key_F4)
    assert counter.flow.phase == "undo_confirm"
    assert rig.redemptions()[0]["voided_at"] is None
    qtbot.keyClick(counter.window, Qt.Key.Key_Return)
    verdict = wait_verdict(counter, qtbot)
    assert verdict.tone == "info", verdict
    assert rig.redemptions()[0]["voided_at"] is not None


def test_esc_drops_a_summary_and_its_late_answer(rig, counter, qtbot):  # noqa: F811
    voucher = rig.voucher(500)
    scan(counter, qtbot, voucher["code"])
    qtbot.keyClick(counter.window, Qt.Key.Key_Escape)
    assert counter.flow.phase == "scanning"
    qtbot.keyClick(counter.window, Qt.Key.Key_Return)  # nothing to confirm any more
    assert counter.flow.phase == "scanning"
    assert rig.redemptions() == []
