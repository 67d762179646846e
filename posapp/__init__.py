"""posapp: the shop's counter app for community vouchers (buoni)."""

__version__ = "0.1.0"
