"""The local database: vouchers, keys, revocations, ledger, outbox, conflicts, sync state."""

from posapp.core.store.db import Store, StoreError, StoreThread, default_path, transaction

__all__ = ["Store", "StoreError", "StoreThread", "default_path", "transaction"]
