"""Operators and receipts against the real till (PosService on SQLite, sandbox on loopback): the
operator's name reaches the ledger row, a cashier may not undo another's redemption, the receipt
number typed in its dialog is kept, and the re-pair wizard brings a revoked till back with its
queue sent once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from posapp.core.operators import OperatorBook, may_void
from posapp.core.policy import AcceptedOffline, AcceptedOnline
from posapp.core.store import ledger
from posapp.i18n import set_language
from posapp.qt.pairing import PairingWizard
from posapp.qt.receipt_dialog import ReceiptDialog
from tests.support.staff import maria_and_luca
from tests.support.trust import trust_rig


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("it")


@pytest.fixture
def rig(tmp_path):
    with trust_rig(tmp_path) as rig:
        yield rig


@pytest.fixture
def book(_isolated_data_dir) -> OperatorBook:
    return maria_and_luca()


def _row(rig, redemption_id):
    return rig.service.store.call(ledger.get, redemption_id)


def test_operator_on_the_row_cashier_void_rule_and_receipt(qtbot, rig, book):
    maria, luca = book.by_name("Maria"), book.by_name("Luca")
    service = rig.service
    assert service.sync_now()[rig.account.account_id].ok
    by_maria = service.submit(rig.voucher(1000)["code"], confirmed=True, operator=maria.name)
    by_luca = service.submit(rig.voucher(500)["code"], confirmed=True, operator=luca.name)
    assert isinstance(by_maria, AcceptedOnline) and isinstance(by_luca, AcceptedOnline)
    row_maria, row_luca = _row(rig, by_maria.redemption_id), _row(rig, by_luca.redemption_id)
    assert (row_maria.operator, row_luca.operator) == ("Maria", "Luca")
    assert not may_void(luca, row_maria.operator) and may_void(luca, row_luca.operator)
    assert may_void(maria, row_luca.operator)

    dialog = ReceiptDialog(by_luca.redemption_id)
    qtbot.addWidget(dialog)
    dialog.receiptEntered.connect(service.set_receipt)
    qtbot.keyClicks(dialog.field, "0012-0034")
    with qtbot.waitSignal(dialog.receiptEntered):
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert _row(rig, by_luca.redemption_id).receipt_number == "0012-0034"
    assert _row(rig, by_maria.redemption_id).receipt_number is None


def test_repair_wizard_on_the_real_service(qtbot, rig, book):
    service, acct = rig.service, rig.account.account_id
    voucher = rig.voucher(700)
    assert service.sync_now()[acct].ok  # the voucher is now known offline
    rig.offline()
    queued = [service.submit(voucher["code"], confirmed=True, operator="Luca")]
    assert isinstance(queued[0], AcceptedOffline)
    rig.server.store.revoke_till(rig.account.till_id)
    service.tills[acct].monitor.synced()
    assert service.sync_now()[acct].needs_pairing and service.state.needs_pairing

    account = rig.directory.get(acct)
    wizard = PairingWizard(rig.directory, book, repair=service.repair, account=account)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: wizard.pair_button.isEnabled())
    qtbot.keyClicks(wizard.code, "ZZZZ-ZZZZ")
    qtbot.mouseClick(wizard.pair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pair_button.isEnabled(), timeout=15_000)
    assert "does not know this pairing code" in wizard.connect_message.text()
    assert service.state.needs_pairing
    wizard.code.setText(rig.server.store.new_pairing_code(rig.shop_id))
    got: list[tuple] = []
    wizard.paired.connect(lambda *args: got.append(args))
    qtbot.mouseClick(wizard.pair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(got) or wizard.pair_button.isEnabled(), timeout=30_000)
    assert got, wizard.connect_message.text()  # the words on screen if pairing failed
    assert got[0][0].account_id == acct and got[0][1] is None
    assert not service.state.needs_pairing
    assert service.sync_now()[acct].ok
    on_platform = rig.server.store.list_redemptions()
    assert [r["redemption_id"] for r in on_platform] == [queued[0].redemption_id]
    assert _row(rig, queued[0].redemption_id).operator == "Luca"  # kept through the outage
