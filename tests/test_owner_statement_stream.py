"""The period statement streams: 100,000 ledger rows (more than a month of a busy shop) written to
CSV row by row from keyset pages within a few MB of traced Python memory, and to PDF page by page
with a peak that does not grow with the rows; each file is read back complete, every row once and
in order. (The statement held in memory grew with every row: a month's was tens of MB.)

The till is a real one paired with the sandbox on loopback, its ledger a real SQLite file (schema,
indexes and search triggers as posapp makes them) filled by one INSERT ... SELECT with known rows
from 1 January 2026, one every 36 s (winter time: Rome is UTC+1 throughout); the line is forced
down, so the statement is the ledger's alone.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import tracemalloc
from datetime import UTC, date, datetime, timedelta

import pytest

from posapp.core import reports_csv
from posapp.core.clock import ManualClock
from posapp.core.reports_owner import OwnerBook
from posapp.core.service import PosService
from posapp.core.store import transaction
from tests.test_sync_support import make_till, start_sandbox

ROWS = 100_000
STEP_S = 36
START = datetime(2026, 1, 1, 7, 0, tzinfo=UTC)  # 08:00 in Rome
FIRST, LAST = date(2026, 1, 1), date(2026, 3, 25)  # the last row: 11 February 23:59 (Rome)
CSV_PEAK_MB = 6
FILL = """
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :rows - 1),
t(i, ts) AS (SELECT i, datetime('2026-01-01 07:00:00', '+' || (i * :step) || ' seconds') FROM n)
INSERT INTO ledger (redemption_id, account_id, voucher_code, voucher_id, amount_cents, currency,
  till_id, occurred_at, offline, state, local_day, local_hour, operator, receipt_number, voided_at)
SELECT printf('00000000-0000-4000-8000-%012d', i), :account, printf('STMT-%07d', i), i,
  500 + (i % 7) * 250, 'EUR', :till, replace(ts, ' ', 'T') || '.000Z', 0,
  CASE WHEN i % 50 = 0 THEN 'conflict' ELSE 'accepted' END,
  date(ts, '+1 hour'), CAST(strftime('%H', ts, '+1 hour') AS INTEGER),
  CASE i % 2 WHEN 0 THEN 'Anna' ELSE 'Bruno' END,
  CASE WHEN i % 3 = 0 THEN printf('R-%06d', i) END,
  CASE WHEN i % 100 = 1 THEN replace(ts, ' ', 'T') || '.000Z' END
FROM t
"""


def _amount(i: int) -> int:
    return 500 + (i % 7) * 250


def _counted(rows: range) -> tuple[int, int]:
    kept = [i for i in rows if i % 50 != 0 and i % 100 != 1]  # not conflicts, not voided
    return len(kept), sum(_amount(i) for i in kept)


def _code(i: int) -> str:
    return f"STMT-{i:07d}"


def _rows_until(last: date) -> range:
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC) - timedelta(hours=1)
    return range(min(ROWS, -(-int((end - START).total_seconds()) // STEP_S)))


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("statement")
    clock = ManualClock(datetime(2026, 4, 2, 9, 0, tzinfo=UTC))
    server = start_sandbox(folder / "sandbox", clock)
    shop_id = server.store.create_shop("Bar Centrale", "Calimera")
    rig = make_till(server, shop_id, folder / "till.sqlite3", clock, till_name="Cassa 1")
    names = {"rows": ROWS, "step": STEP_S, "account": rig.till.account_id,
             "till": rig.till.account.till_id}  # fmt: skip

    def fill(conn) -> None:
        with transaction(conn):
            conn.execute(FILL, names)

    rig.store.call(fill)
    rig.offline()
    service = PosService(rig.store, [rig.till], clock=clock)
    yield OwnerBook(service, clock)
    service.close()
    rig.close()
    server.stop()


def _traced(work) -> tuple[object, float]:
    """work()'s result and the peak of traced memory above where it started, in MB."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = work()
        return result, (tracemalloc.get_traced_memory()[1] - base) / 1e6
    finally:
        tracemalloc.stop()


def test_a_csv_statement_of_100k_rows_streams_and_reads_back_complete(book, tmp_path):
    target = tmp_path / "statement.csv"
    doc = book.statement(FIRST, LAST, "it")
    path, peak = _traced(lambda: reports_csv.write(doc, target))
    assert peak < CSV_PEAK_MB, f"peak {peak:.1f} MB"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    facts = {r[0]: r[1] for r in rows[1:5]}
    count, cents = _counted(range(ROWS))
    assert (facts["Operazioni conteggiate"], facts["Totale"]) == (
        str(count),
        reports_csv.money_text(cents),
    )
    header = rows.index(["Data", "Ora", "Buono", "Importo", "Stato", "Cassa", "Operatore",
                         "Scontrino", "Liquidazione"])  # fmt: skip
    lines = rows[header + 1 : header + 1 + ROWS]
    assert rows[header + 1 + ROWS :] == [[], [rows[-1][0]]]  # then only the note
    assert [r[2] for r in lines] == [_code(i) for i in range(ROWS)]  # each once, in order
    assert all(len(r) == 9 for r in lines)
    assert sum(int(r[3].replace(",", "")) for r in lines) == sum(map(_amount, range(ROWS)))
    assert [r[4] for r in lines[:3]] == ["in conflitto", "annullato", "accettato"]
    assert lines[0] == ["01/01/2026", "08:00", _code(0), "5,00", "in conflitto", "Cassa 1",
                        "Anna", "R-000000", ""]  # fmt: skip
    assert lines[-1][:2] == ["11/02/2026", "23:59"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_a_pdf_statement_streams_page_by_page(book, tmp_path, qapp):
    from posapp.qt.owner import pdf

    book.page_rows = 400  # both documents span several pages of ledger rows
    peaks, pages = {}, {}
    for last in (date(2026, 1, 1), date(2026, 1, 3)):  # 1,567 rows, then 3 times as many
        target = tmp_path / f"statement-{last}.pdf"
        doc = book.statement(FIRST, last, "it")
        _, peaks[last] = _traced(lambda doc=doc, target=target: pdf.write_pdf(doc, target, "it"))
        text = subprocess.run(
            ["pdftotext", "-layout", str(target), "-"], capture_output=True, check=True
        ).stdout.decode()
        expected = [_code(i) for i in _rows_until(last)]
        wanted = set(expected)
        found = [w for line in text.splitlines() for w in line.split() if w in wanted]
        assert found == expected  # every row, once, in order
        pages[last] = text.count("\f")
        assert f"Pagina {pages[last]}" in text
    small, large = peaks.values()
    assert pages[date(2026, 1, 3)] > 2.5 * pages[date(2026, 1, 1)] > 60
    assert large < small + 0.5, f"peak grew from {small:.1f} to {large:.1f} MB"
    book.page_rows = 2000
