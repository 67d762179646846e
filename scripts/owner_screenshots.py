"""Screenshots of the owner's view and the first page of the end-of-day and statement PDFs, in
Italian, for the README.

Builds the test shop of tests/owner_support.py (real sandbox on loopback, two tills, the day
clocks go back, a payout paid and one scheduled by the sandbox's admin), opens OwnerWindow
offscreen on it and grabs each tab; the PDF pages are rendered with pdftoppm (poppler-utils).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/owner_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QDate, QEventLoop, QTimer  # noqa: E402 - after sys.path
from PySide6.QtWidgets import QApplication  # noqa: E402

from posapp.i18n import set_language  # noqa: E402
from posapp.qt.owner import OwnerWindow  # noqa: E402
from tests.owner_support import build_shop  # noqa: E402

DST = date(2026, 10, 25)
END_OF_DST_DAY = datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # 26 Oct 00:00 in Rome


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    set_language("it")
    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    work = Path(tempfile.mkdtemp(prefix="owner-shots-"))
    shop = build_shop(work)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        shop.service.set_receipt(shop.ids["a"], "0042-0017")
        shop.service.set_receipt(shop.ids["b"], "0042-0018")
        desk = shop.server.store.payouts  # the sandbox's admin: one payout paid, one scheduled
        (paid,) = desk.close_period(shop.here.shop_id, END_OF_DST_DAY)
        desk.mark_paid(paid, "CRO 0000123", datetime(2026, 10, 30, 9, 0, tzinfo=UTC))
        desk.close_period(shop.here.shop_id)
        win = OwnerWindow(shop.service, export_dir=work / "exports", clock=shop.clock)
        win.resize(1280, 780)
        win.show()
        settle()
        win.today.picker.setDate(QDate(DST.year, DST.month, DST.day))
        settle()
        win.grab().save(str(args.out / "owner-day.png"))
        for name, panel in (
            ("owner-history", win.history),
            ("owner-vouchers", win.outstanding),
            ("owner-payouts", win.payouts),
            ("owner-conflicts", win.conflicts),
            ("owner-reports", win.exports),
        ):
            win.tabs.setCurrentWidget(panel)
            settle()
            win.grab().save(str(args.out / f"{name}.png"))
        saved: list[Path] = []
        win.exports.saved.connect(saved.append)
        win.exports.day.setDate(QDate(DST.year, DST.month, DST.day))
        win.exports.export_day("pdf")
        for _ in range(50):
            if saved:
                break
            settle(100)
        win.exports.first.setDate(QDate(2026, 10, 24))
        win.exports.last.setDate(QDate(2026, 10, 26))
        win.exports.export_period("pdf")
        for _ in range(50):
            if len(saved) == 2:
                break
            settle(100)
        tool = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"
        page = ["-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile"]
        for pdf, name in zip(saved, ("owner-report-page1", "owner-statement-page1"), strict=True):
            target = str(args.out / name)
            subprocess.run([tool, *page, str(pdf), target], check=True)  # noqa: S603 - our files
        win.close()
        print("\n".join(str(p) for p in sorted(args.out.glob("owner-*.png"))))
    finally:
        shop.close()
        app.processEvents()


if __name__ == "__main__":
    main()
