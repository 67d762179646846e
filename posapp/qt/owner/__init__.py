"""The owner's view (issue 9): today's figures, history, vouchers not yet spent, payouts,
conflicts and reports, in a window beside the counter."""

from posapp.qt.owner.window import OwnerWindow

__all__ = ["OwnerWindow"]
