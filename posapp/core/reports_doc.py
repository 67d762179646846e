"""The end-of-day report ("chiusura giornaliera") and the period statement as data: a title, a few
facts and tables. One document, two renderers: CSV in reports_csv.py (Italian spreadsheet
conventions), PDF in posapp/qt/owner/pdf.py (QPdfWriter), so the two can never disagree.

A table's rows may be `Rows`: read from the ledger page by page each time a renderer walks them,
so a statement of a busy shop's year is streamed to the file, never held whole in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from posapp.core.clock import parse_utc
from posapp.core.reports import DayReport, NamedTotal
from posapp.core.store.history import HistoryRow
from posapp.core.store.ledger import LOCAL_TZ
from posapp.i18n import N_, tr


@dataclass(frozen=True)
class Money:
    """A money cell: integer cents, formatted by each renderer its own way."""

    cents: int


Cell = str | int | Money


class Rows:
    """Rows made afresh by `source` each time they are iterated (each renderer reads them once)."""

    def __init__(self, source: Callable[[], Iterator[tuple[Cell, ...]]]) -> None:
        self._source = source

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        return iter(self._source())


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...] | Rows
    empty: str = ""  # what to print when there are no rows


@dataclass(frozen=True)
class ReportDoc:
    title: str
    facts: tuple[tuple[str, Cell], ...]  # label, value
    tables: tuple[Table, ...] = field(default=())
    note: str = ""
    landscape: bool = False  # on paper: wide tables (the statement's nine columns)


STATE_WORDS = {
    "pending": N_("waiting to sync"),
    "accepted": N_("accepted"),
    "conflict": N_("conflict"),
    "refused": N_("refused"),
    "voided": N_("voided"),
}


def local_dt(utc_text: str) -> datetime:
    return parse_utc(utc_text).astimezone(LOCAL_TZ)


def day_text(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _named(rows: Iterable[NamedTotal], nobody: str) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (r.key or nobody, r.total.count, Money(r.total.cents), Money(r.pending.cents)) for r in rows
    )


def _rows(rows: Iterable[HistoryRow], tills: dict, lang: str) -> tuple[tuple[Cell, ...], ...]:
    out = []
    for r in rows:
        when = local_dt(r.occurred_at)
        out.append(
            (
                when.strftime("%H:%M"),
                r.voucher_code,
                Money(r.amount_cents),
                till_label(tills, r, lang),
                r.operator or "",
                r.receipt_number or "",
            )
        )
    return tuple(out)


def end_of_day(
    report: DayReport,
    voids: list[HistoryRow],
    conflicts: list[HistoryRow],
    pending: list[HistoryRow],
    tills: dict,
    shop_name: str,
    lang: str,
) -> ReportDoc:
    """The chiusura giornaliera of one day, in `lang`."""
    scope = (
        tr("All tills of the shop (platform figures plus this till's unsynced sales)", lang)
        if report.shop_wide
        else tr("THIS TILL ONLY: the platform could not be reached, other tills are missing", lang)
    )
    facts: tuple[tuple[str, Cell], ...] = (
        (tr("Shop", lang), shop_name),
        (tr("Day", lang), day_text(report.day)),
        (tr("Figures", lang), scope),
        (tr("Redemptions", lang), report.total.count),
        (tr("Total", lang), Money(report.total.cents)),
        (tr("This till online", lang), Money(report.here_online.cents)),
        (tr("This till offline", lang), Money(report.here_offline.cents)),
        (tr("Waiting to sync", lang), Money(report.pending.cents)),
        (tr("Awaiting confirmation from the platform", lang), Money(report.awaiting.cents)),
        (tr("Voided", lang), Money(report.voided.cents)),
        (tr("Conflicts", lang), report.conflicts.count),
    )
    hour_rows = tuple(
        (f"{h:02d}:00", total.count, Money(total.cents))
        for h, total in enumerate(report.by_hour)
        if total.count
    )
    named = (
        tr("Name", lang),
        tr("Redemptions", lang),
        tr("Total", lang),
        tr("Of which waiting to sync", lang),
    )
    lines = (
        tr("Time", lang),
        tr("Voucher", lang),
        tr("Amount", lang),
        tr("Till", lang),
        tr("Operator", lang),
        tr("Receipt", lang),
    )
    nobody = tr("(not recorded)", lang)
    tables = (
        Table(
            tr("By hour", lang),
            (tr("Hour", lang), tr("Redemptions", lang), tr("Total", lang)),
            hour_rows,
            tr("None", lang),
        ),
        Table(tr("By till", lang), named, _named(report.by_till, nobody), tr("None", lang)),
        Table(tr("By operator", lang), named, _named(report.by_operator, nobody), tr("None", lang)),
        Table(tr("Voids", lang), lines, _rows(voids, tills, lang), tr("None", lang)),
        Table(tr("Conflicts", lang), lines, _rows(conflicts, tills, lang), tr("None", lang)),
        Table(tr("Waiting to sync", lang), lines, _rows(pending, tills, lang), tr("None", lang)),
    )
    note = tr("Times are Italian local time (Europe/Rome).", lang)
    return ReportDoc(tr("End-of-day report", lang), facts, tables, note)


# why a platform's other tills are missing from a statement (reports_shop's reasons)
MISSING_WORDS = {
    "unreachable": N_(
        "Other tills of {shops}: not included, the platform could not be reached. "
        "Make the statement again when the till is online."
    ),
    "not_recognised": N_(
        "Other tills of {shops}: not included, the platform does not recognise this till. "
        "Pair it again (F10), then make the statement again."
    ),
}


def till_label(tills: dict, r: HistoryRow, lang: str) -> str:
    """The till's name by (account, till id); by account alone for this till's own rows made
    under an id it had before pairing again; else "Cassa 7"."""
    return (
        tills.get((r.account_id, r.till_id))
        or tills.get(r.account_id)
        or tr("Till {number}", lang, number=r.till_id)
    )


def statement_line(
    r: HistoryRow, tills: dict, payouts: dict[str, str], states: dict, lang: str
) -> tuple:
    """One redemption of the period statement: date, time, voucher, amount, state, till, operator,
    receipt number, payout (`states`: the state words in the statement's language)."""
    when = local_dt(r.occurred_at)  # f-strings: strftime was a third of a long statement's time
    return (
        f"{when.day:02d}/{when.month:02d}/{when.year}",
        f"{when.hour:02d}:{when.minute:02d}",
        r.voucher_code,
        Money(r.amount_cents),
        states.get(r.state, r.state),
        till_label(tills, r, lang),
        r.operator or "",
        r.receipt_number or "",
        payouts.get(r.redemption_id, ""),
    )


def statement(
    rows: Callable[[], Iterable[HistoryRow]],
    counted: tuple[int, int],
    first: date,
    last: date,
    tills: dict,
    payouts: dict[str, str],
    shop_name: str,
    lang: str,
    unreached: tuple[tuple[str, str], ...] = (),
) -> ReportDoc:
    """Every redemption of a period, for the accountant or the comune. `rows()` reads them afresh
    (oldest first) each time the document is rendered; `counted` is (count, cents) of those taken
    (pending or accepted, not voided); `payouts`: redemption id -> payout words, when known;
    `unreached`: (shop, why) of the platforms not read, whose other tills are missing."""
    headers = (
        tr("Date", lang),
        tr("Time", lang),
        tr("Voucher", lang),
        tr("Amount", lang),
        tr("State", lang),
        tr("Till", lang),
        tr("Operator", lang),
        tr("Receipt", lang),
        tr("Payout", lang),
    )
    facts: tuple[tuple[str, Cell], ...] = (
        (tr("Shop", lang), shop_name),
        (tr("Period", lang), f"{day_text(first)} - {day_text(last)}"),
        (tr("Redemptions counted", lang), counted[0]),
        (tr("Total", lang), Money(counted[1])),
    )
    for why, words in MISSING_WORDS.items():
        shops = [shop for shop, reason in unreached if reason == why]
        if shops:
            facts = (*facts, (tr("Warning", lang), tr(words, lang, shops=", ".join(shops))))
    note = tr("Voided, refused and conflict lines are listed but not counted in the total.", lang)
    note += " " + tr("Sales other tills have not yet sent to the platform are not included.", lang)
    states = {k: tr(v, lang) for k, v in STATE_WORDS.items()}
    lines = Rows(lambda: (statement_line(r, tills, payouts, states, lang) for r in rows()))
    table = Table(tr("Redemptions", lang), headers, lines, tr("None", lang))
    return ReportDoc(tr("Statement of redemptions", lang), facts, (table,), note, landscape=True)
