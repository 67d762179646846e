"""CSV for an Italian spreadsheet: semicolons, comma decimals without grouping, BOM, CRLF, and
text with separators or quotes kept whole; written atomically."""

from __future__ import annotations

import csv

from posapp.core import reports_csv
from posapp.core.reports_doc import Money, ReportDoc, Table


def test_money_is_a_plain_italian_number():
    cases = {0: "0,00", 5: "0,05", 1234: "12,34", 123456789: "1234567,89", -250: "-2,50"}
    assert {c: reports_csv.money_text(c) for c in cases} == cases


def test_a_document_round_trips_through_a_spreadsheet_reader(tmp_path):
    doc = ReportDoc(
        "Chiusura giornaliera",
        (("Negozio", 'Bar "Centrale"; Calimera'), ("Totale", Money(123456))),
        (Table("Per operatore", ("Nome", "Totale"), (("Anna; cassa 1", Money(-5)),)),),
        "Orari: Europe/Rome",
    )
    path = reports_csv.write(doc, tmp_path / "chiusura.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == raw.count(b"\n")
    assert not (tmp_path / "chiusura.csv.part").exists()
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["Chiusura giornaliera"]
    assert rows[1] == ["Negozio", 'Bar "Centrale"; Calimera']
    assert rows[2] == ["Totale", "1234,56"]
    assert rows[4:7] == [["Per operatore"], ["Nome", "Totale"], ["Anna; cassa 1", "-0,05"]]
    assert rows[-1] == ["Orari: Europe/Rome"]
