"""The F-keys whose screens other parts of the app provide, wired into the counter when present.

F9 the owner's view (posapp/qt/owner), behind the owner's PIN once operators exist; F6 the operator
switch, F10 the settings (or, when the platform refused this till's token, pairing it again).
Each import is tried when the key is pressed, so a missing part costs nothing at start-up and the
counter still runs without it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from posapp.i18n import _
from posapp.qt.verdicts import INFO, Verdict

log = logging.getLogger("posapp.qt.extras")


class CounterExtras:
    def __init__(self, service: Any, settings: Any) -> None:
        self.service, self.settings = service, settings
        self.counter: Any = None  # set once the counter exists
        self._owner: Any = None

    def actions(self) -> dict[str, Callable[[], None]]:
        return {"F9": self.owner_view}

    def attach(self, counter: Any) -> None:
        self.counter = counter

    def _book(self) -> Any:
        try:
            from posapp.core.operators import OperatorBook
        except ImportError:
            return None
        return OperatorBook()

    def _owner_allowed(self) -> bool:
        """The owner's PIN first, when operators exist and the PIN dialog is installed."""
        book = self._book()
        if book is None or book.is_empty():
            return True
        try:
            from posapp.qt.pin_dialog import ask_pin
        except ImportError:
            return True
        return ask_pin(self.counter.window, book, require_role="owner") is not None

    def owner_view(self) -> None:
        from posapp.qt.owner import OwnerWindow

        if not self._owner_allowed():
            return
        if self._owner is None:
            self._owner = OwnerWindow(self.counter.bridge)
        self._owner.show()
        self._owner.raise_()
        self._owner.activateWindow()

    def say(self, headline: str, detail: str = "") -> None:
        self.counter.flow.notify(Verdict(INFO, headline, detail or _("Carry on scanning.")))
