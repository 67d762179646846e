"""The end-of-day report ("chiusura giornaliera") and the period statement as data: a title, a few
facts and tables. One document, two renderers: CSV here (Italian spreadsheet conventions), PDF in
posapp/qt/owner/pdf.py (QPdfWriter), so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
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


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty: str = ""  # what to print when there are no rows


@dataclass(frozen=True)
class ReportDoc:
    title: str
    facts: tuple[tuple[str, Cell], ...]  # label, value
    tables: tuple[Table, ...] = field(default=())
    note: str = ""


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
                tills.get((r.account_id, r.till_id), str(r.till_id)),
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
    t = lambda msg, **kw: tr(msg, lang, **kw)  # noqa: E731 - short local alias
    scope = (
        t("All tills of the shop (platform figures plus this till's unsynced sales)")
        if report.shop_wide
        else t("THIS TILL ONLY: the platform could not be reached, other tills are missing")
    )
    facts: tuple[tuple[str, Cell], ...] = (
        (t("Shop"), shop_name),
        (t("Day"), day_text(report.day)),
        (t("Figures"), scope),
        (t("Redemptions"), report.total.count),
        (t("Total"), Money(report.total.cents)),
        (t("This till online"), Money(report.here_online.cents)),
        (t("This till offline"), Money(report.here_offline.cents)),
        (t("Waiting to sync"), Money(report.pending.cents)),
        (t("Voided"), Money(report.voided.cents)),
        (t("Conflicts"), report.conflicts.count),
    )
    hour_rows = tuple(
        (f"{h:02d}:00", total.count, Money(total.cents))
        for h, total in enumerate(report.by_hour)
        if total.count
    )
    named = (t("Name"), t("Redemptions"), t("Total"), t("Of which waiting to sync"))
    lines = (t("Time"), t("Voucher"), t("Amount"), t("Till"), t("Operator"), t("Receipt"))
    nobody = t("(not recorded)")
    tables = (
        Table(t("By hour"), (t("Hour"), t("Redemptions"), t("Total")), hour_rows, t("None")),
        Table(t("By till"), named, _named(report.by_till, nobody), t("None")),
        Table(t("By operator"), named, _named(report.by_operator, nobody), t("None")),
        Table(t("Voids"), lines, _rows(voids, tills, lang), t("None")),
        Table(t("Conflicts"), lines, _rows(conflicts, tills, lang), t("None")),
        Table(t("Waiting to sync"), lines, _rows(pending, tills, lang), t("None")),
    )
    note = t("Times are Italian local time (Europe/Rome).")
    return ReportDoc(t("End-of-day report"), facts, tables, note)


def statement(
    rows: Iterable[HistoryRow],
    first: date,
    last: date,
    tills: dict,
    payouts: dict[str, str],
    shop_name: str,
    lang: str,
) -> ReportDoc:
    """Every redemption of a period, for the accountant or the comune (`payouts`: redemption id
    -> payout words, when the platform tells them)."""
    t = lambda msg, **kw: tr(msg, lang, **kw)  # noqa: E731
    lines: list[tuple[Cell, ...]] = []
    count = total = 0
    for r in rows:
        when = local_dt(r.occurred_at)
        taken = r.state in ("pending", "accepted")
        if taken:
            count, total = count + 1, total + r.amount_cents
        lines.append(
            (
                when.strftime("%d/%m/%Y"),
                when.strftime("%H:%M"),
                r.voucher_code,
                Money(r.amount_cents),
                tr(STATE_WORDS.get(r.state, r.state), lang),
                tills.get((r.account_id, r.till_id), str(r.till_id)),
                r.operator or "",
                r.receipt_number or "",
                payouts.get(r.redemption_id, ""),
            )
        )
    headers = (
        t("Date"),
        t("Time"),
        t("Voucher"),
        t("Amount"),
        t("State"),
        t("Till"),
        t("Operator"),
        t("Receipt"),
        t("Payout"),
    )
    facts: tuple[tuple[str, Cell], ...] = (
        (t("Shop"), shop_name),
        (t("Period"), f"{day_text(first)} - {day_text(last)}"),
        (t("Redemptions counted"), count),
        (t("Total"), Money(total)),
    )
    note = t("Voided, refused and conflict lines are listed but not counted in the total.")
    table = Table(t("Redemptions"), headers, tuple(lines), t("None"))
    return ReportDoc(t("Statement of redemptions"), facts, (table,), note)
