"""Today by hour as a bar chart, painted with QPainter.

Why QPainter and not QtCharts: 24 bars need about sixty lines here, while QtCharts (which Qt now
points away from, towards QtGraphs) brings a graphics-scene stack and start-up cost to a window
that must open at once from the counter, and its drawing is harder to check in tests. The chart
keeps its data (`bars()`), so a test checks exactly what is drawn.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from posapp.core.money import format_cents
from posapp.core.reports import Total
from posapp.i18n import _, current_language

BAR = QColor("#2e7d32")
PEAK = QColor("#1b5e20")
GRID = QColor("#c8c8c8")


class HourChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: tuple[Total, ...] = tuple(Total() for _h in range(24))
        self.setMinimumSize(QSize(480, 180))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(_("Redemptions by hour"))

    def set_data(self, by_hour: tuple[Total, ...]) -> None:
        self._bars = tuple(by_hour)
        top = max(range(24), key=lambda h: self._bars[h].cents)
        tips = [
            f"{h:02d}:00  {t.count}  {format_cents(t.cents, lang=current_language())}"
            for h, t in enumerate(self._bars)
            if t.count
        ]
        self.setToolTip("\n".join(tips) if tips else _("No redemptions on this day"))
        self._peak = top if self._bars[top].count else None
        self.update()

    def bars(self) -> tuple[Total, ...]:
        """What the chart shows: 24 totals, one per wall-clock hour of the shop's day."""
        return self._bars

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.width(), self.height()
        left, bottom, top_pad = 8.0, 22.0, 20.0
        plot_h = max(10.0, height - bottom - top_pad)
        slot = (width - 2 * left) / 24
        most = max((t.cents for t in self._bars), default=0)
        painter.setPen(QPen(GRID, 1))
        base_y = top_pad + plot_h
        painter.drawLine(int(left), int(base_y), int(width - left), int(base_y))
        metrics = painter.fontMetrics()
        every = 1 if slot > metrics.horizontalAdvance("00") * 1.8 else 2
        for hour, total in enumerate(self._bars):
            x = left + hour * slot
            if total.cents and most:
                bar_h = plot_h * total.cents / most
                rect = QRectF(x + slot * 0.15, base_y - bar_h, slot * 0.7, bar_h)
                painter.fillRect(rect, PEAK if hour == getattr(self, "_peak", None) else BAR)
            if hour % every == 0:
                painter.setPen(self.palette().color(self.foregroundRole()))
                label = f"{hour:02d}"
                lx = x + (slot - metrics.horizontalAdvance(label)) / 2
                painter.drawText(int(lx), int(height - 6), label)
        if most:
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(
                QRectF(left, 0, width - 2 * left, top_pad),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                _("highest hour: {amount}").format(
                    amount=format_cents(most, lang=current_language())
                ),
            )
        painter.end()
