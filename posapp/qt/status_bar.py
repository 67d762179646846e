"""The counter's status line, always visible: online or offline, how many redemptions wait to be
sent and how old the oldest is, the last good sync, and the states that need someone (pair the
till again, check the PC's clock, conflicts to look at).

Takes its PosBridge in __init__: it repaints on `stateChanged` and once a second (the ages move
even when nothing happens). Reading `bridge.state` is an in-memory read, never I/O.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from posapp.i18n import N_, _, ngettext, tr
from posapp.qt.style import font

CLOCK_WORDS = {
    "pc_clock_ahead": N_("The PC's clock is ahead: check the date and time"),
    "pc_clock_behind": N_("The PC's clock is behind: check the date and time"),
}


def duration_words(seconds: float) -> str:
    """A clock difference as a person says it: "45 minutes", "1 hour 30 minutes", "2 days 3
    hours". Never rounded to the next unit: 90 minutes is not "2 hours"."""
    minutes = max(1, round(abs(seconds) / 60))
    if minutes < 60:
        return _minutes(minutes)
    if minutes < 48 * 60:
        hours, minutes = divmod(minutes, 60)
        if not minutes:
            return _hours(hours)
        return _("{hours} {minutes}").format(hours=_hours(hours), minutes=_minutes(minutes))
    days, hours = divmod(round(minutes / 60), 24)
    if not hours:
        return _days(days)
    return _("{days} {hours}").format(days=_days(days), hours=_hours(hours))


def _minutes(n: int) -> str:
    return ngettext("{n} minute", "{n} minutes", n).format(n=n)


def _hours(n: int) -> str:
    return ngettext("{n} hour", "{n} hours", n).format(n=n)


def _days(n: int) -> str:
    return ngettext("{n} day", "{n} days", n).format(n=n)


def clock_words(warning: str | None, offset_s: float | None) -> str | None:
    """The PC's clock far from the platform's, in words: how far, and that sales are safe."""
    if not warning:
        return None
    if offset_s is None:
        return tr(CLOCK_WORDS.get(warning, N_("Check the PC's date and time")))
    duration = duration_words(offset_s)
    if warning == "pc_clock_ahead":
        text = _("The PC's clock is {duration} ahead: sales use the platform's time")
    elif warning == "pc_clock_behind":
        text = _("The PC's clock is {duration} behind: sales use the platform's time")
    else:
        return tr(N_("Check the PC's date and time"))
    return text.format(duration=duration)


def age_words(seconds: float) -> str:
    """Short ages for a status line: "<1 min", "12 min", "3 h", "2 days"."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return _("<1 min")
    if minutes < 120:
        return _("{n} min").format(n=minutes)
    hours = minutes // 60
    if hours < 48:
        return _("{n} h").format(n=hours)
    days = hours // 24
    return ngettext("{n} day", "{n} days", days).format(n=days)


class CounterStatusBar(QWidget):
    def __init__(self, bridge: Any, parent: QWidget | None = None, now=None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self._now = now or self._trusted_now
        self.line = QLabel()
        self.line.setObjectName("line")
        self.line.setFont(font(self, 14, bold=True))
        self.queue = QLabel()
        self.queue.setObjectName("queue")
        self.sync = QLabel()
        self.sync.setObjectName("sync")
        self.who = QLabel()  # the operator at the till, when operators are configured
        self.who.setObjectName("who")
        self.alert = QLabel()
        self.alert.setObjectName("alert")
        self.alert.setStyleSheet(
            "color: #000; background: #ffa000; padding: 4px 8px; font-weight: bold;"
        )
        self.alert.setWordWrap(True)  # a line of its own, above the figures: never cut off
        for label in (self.who, self.queue, self.sync, self.alert):
            label.setFont(font(self, 13))
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout()
        row.addWidget(self.line)
        row.addWidget(self.who, 1)
        row.addWidget(self.queue, 2)
        row.addWidget(self.sync, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(2)
        layout.addWidget(self.alert)
        layout.addLayout(row)
        self.state: Any = None
        bridge.stateChanged.connect(self.show_state)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def _trusted_now(self) -> datetime:
        """The service's trusted time (the platform's clock carried forward, an in-memory read):
        the ages stay right when the PC's clock is wrong, as the sync times are the platform's."""
        clock = getattr(getattr(self.bridge, "service", None), "clock", None)
        return clock.now() if clock is not None else datetime.now(UTC)

    @Slot()
    def refresh(self) -> None:
        self.show_state(self.bridge.state)

    def retranslate(self) -> None:
        self.refresh()

    @Slot(object)
    def show_state(self, state: Any) -> None:
        self.state = state
        if getattr(state, "needs_pairing", False):  # online or not, it takes no voucher
            self.line.setText("● " + _("Not paired"))
            self.line.setStyleSheet("color: #ffffff; background: #b71c1c; padding: 4px 10px;")
        elif state.online:
            self.line.setText("● " + _("Online"))
            self.line.setStyleSheet("color: #ffffff; background: #1b5e20; padding: 4px 10px;")
        else:
            self.line.setText("● " + _("Offline"))
            self.line.setStyleSheet("color: #000000; background: #ffa000; padding: 4px 10px;")
        now = self._now()
        if state.pending_count:
            age = state.oldest_pending_age_s(now)
            text = ngettext("{n} to send", "{n} to send", state.pending_count).format(
                n=state.pending_count
            )
            if age is not None:
                text += " · " + _("oldest {age}").format(age=age_words(age))
            self.queue.setText(text)
        else:
            self.queue.setText(_("Nothing to send"))
        if state.last_good_sync is None:
            self.sync.setText(_("Never synced"))
        else:
            shown = state.last_good_sync.astimezone().strftime("%H:%M")
            ago = age_words(max(0.0, (now - state.last_good_sync).total_seconds()))
            self.sync.setText(_("Synced {time} ({ago} ago)").format(time=shown, ago=ago))
        alerts = []
        operator = getattr(self.bridge, "operator", None)
        self.who.setText(_("Operator: {name}").format(name=operator.name) if operator else "")
        self.who.setVisible(operator is not None)
        if operator is None and getattr(self.bridge, "operator_required", False):
            alerts.append(_("Nobody at the till: F6 and your PIN"))
        if getattr(state, "needs_pairing", False):
            alerts.append(_("Pair this till again (F10)"))
        clock = clock_words(
            getattr(state, "clock_warning", None), getattr(state, "clock_offset_s", None)
        )
        if clock:
            alerts.append(clock)
        if state.open_conflicts:
            alerts.append(
                ngettext(
                    "{n} redemption to check (F9)",
                    "{n} redemptions to check (F9)",
                    state.open_conflicts,
                ).format(n=state.open_conflicts)
            )
        self.alert.setText(" · ".join(alerts))
        self.alert.setVisible(bool(alerts))
