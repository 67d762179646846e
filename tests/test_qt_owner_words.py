"""The owner's history says in words why a row went wrong (its tooltip), never the platform's code:
the shop of tests/owner_support.py on the real sandbox, its conflict row read through the model."""

from __future__ import annotations

from PySide6.QtCore import Qt

from posapp.core.messages import conflict_meaning
from posapp.core.store.history import HistoryFilter
from posapp.i18n import set_language
from posapp.qt.owner.history_model import HistoryModel
from posapp.qt.owner.runner import Runner
from tests.owner_support import build_shop


def test_history_tooltip_gives_the_meaning_not_the_code(tmp_path, qtbot):
    shop = build_shop(tmp_path)
    runner = Runner()
    try:
        model = HistoryModel(shop.book, runner, page=50)
        with qtbot.waitSignal(model.pageLoaded, timeout=10_000):
            model.set_filter(HistoryFilter())
        rows = {r.redemption_id: i for i, r in enumerate(model.rows)}
        conflict = model.rows[rows[shop.ids["x_here"]]]
        assert conflict.reason_code == "voucher_used"
        for lang, words in (("it", "non pagherà"), ("en", "will not pay")):
            set_language(lang)
            tip = model.data(model.index(rows[shop.ids["x_here"]], 1), Qt.ItemDataRole.ToolTipRole)
            assert tip == conflict_meaning("voucher_used", lang) and words in tip
            assert "voucher_used" not in tip
    finally:
        set_language("it")
        runner.close()
        shop.close()
