"""Reference sandbox server of the posapp /v1 merchant API contract."""
