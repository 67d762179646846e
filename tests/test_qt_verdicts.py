"""Red means the voucher is refused; a platform in trouble (busy, a fault, too much at once) or
anything the shopkeeper can retry or fix is orange. Every code of the contract's error enum is
placed on one side here, so a new code needs a decision; and a real 413 from the sandbox reaches
the counter window as an orange verdict."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from posapp.core.policy import Refused
from posapp.qt.counter_app import build_counter
from posapp.qt.verdicts import ATTENTION, REFUSED, verdict_for, void_verdict
from posapp.sandbox.limits import BodyLimitMiddleware
from tests.support.counter_rig import open_rig
from tests.test_messages_contract import contract_codes

# the voucher (or the redemption asked of it) is refused: scanning it again gives the same answer
VOUCHER_REFUSED = {
    "currency_mismatch",
    "insufficient_balance",
    "not_voidable",
    "other_shop",
    "partial_not_allowed",
    "unknown_voucher",
    "void_window_expired",
    "voucher_cancelled",
    "voucher_expired",
    "voucher_used",
}
# the platform or the line in trouble, or the till/shopkeeper has something to do or retry
NOT_THE_VOUCHER = {
    "http_error",
    "idempotency_key_mismatch",
    "idempotency_key_missing",
    "idempotency_key_reused",
    "internal_error",
    "invalid_amount",
    "invalid_cursor",
    "invalid_request",
    "method_not_allowed",
    "not_found",
    "offline_time_out_of_bounds",
    "pairing_code_expired",
    "pairing_code_invalid",
    "pairing_code_locked",
    "pairing_code_used",
    "payload_too_large",
    "request_in_flight",
    "service_unavailable",
    "too_many_requests",
    "unauthorized",
    "unknown_redemption",
}


def test_every_contract_code_is_placed_on_one_side():
    assert VOUCHER_REFUSED.isdisjoint(NOT_THE_VOUCHER)
    assert set(contract_codes()) == VOUCHER_REFUSED | NOT_THE_VOUCHER


@pytest.mark.parametrize("code", sorted(NOT_THE_VOUCHER))
def test_server_trouble_and_retry_codes_are_orange(code):
    refused = Refused(f"refused.{code}")
    for verdict in (verdict_for(refused), void_verdict(refused)):
        assert (verdict.tone, verdict.sound) == (ATTENTION, "attention"), (code, verdict)


@pytest.mark.parametrize("code", sorted(VOUCHER_REFUSED))
def test_a_voucher_truly_refused_is_red(code):
    refused = Refused(f"refused.{code}", {"balance_cents": 100})
    assert (verdict_for(refused).tone, verdict_for(refused).sound) == (REFUSED, "refused")
    assert void_verdict(refused).tone == REFUSED


@pytest.mark.parametrize(
    "reason",
    [
        "offline.not_proven",
        "offline.over_value_cap",
        "offline.over_pending_count",
        "offline.over_pending_value",
        "offline.stale_sync",
        "offline.no_account",
        "reject.empty",
        "reject.unsupported_version",
        "reject.unknown_key",
        "store.disk_full",
        "api.timeout",
        "needs_pairing",
        "something.new",
    ],
)
def test_what_the_till_or_the_line_needs_is_orange(reason):
    assert verdict_for(Refused(reason)).tone == ATTENTION


@pytest.mark.parametrize(
    "reason",
    [
        "reject.unknown_format",
        "reject.bad_check",
        "reject.bad_signature",
        "reject.expired",
        "offline.already_redeemed_here",
        "offline.revoked",
    ],
)
def test_a_code_refused_by_the_till_itself_is_red(reason):
    assert verdict_for(Refused(reason)).tone == REFUSED


def test_a_platform_refusing_a_too_large_request_is_orange_on_the_counter(tmp_path, qtbot, qapp):
    """The sandbox's own body limit set below a redemption's size: every POST /v1/redemptions
    answers 413 payload_too_large (lookups have no body and pass). Nothing is redeemed."""
    with open_rig(tmp_path, wrap_app=lambda app: BodyLimitMiddleware(app, limit=150)) as rig:
        voucher = rig.voucher(500)
        counter = build_counter(rig.service, rig.settings, None, verdict_s=30)
        qtbot.addWidget(counter.window)
        counter.window.show()
        try:
            counter.flow.on_code(voucher["code"], "usb")
            qtbot.waitUntil(lambda: counter.flow.phase == "confirm", timeout=10_000)
            qtbot.keyClick(counter.window, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: counter.flow.phase == "verdict", timeout=10_000)
            verdict = counter.flow.verdict
            assert verdict.tone == ATTENTION, verdict
            assert counter.window.verdict.tone == ATTENTION
            assert "413" not in verdict.detail and "payload" not in verdict.detail
            assert rig.redemptions() == []
        finally:
            counter.bridge.close()
