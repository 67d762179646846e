"""One ApiClient per thread for one platform account, behind one object that looks like a client.

Why: a requests.Session is not safe to use from two threads at once, and the counter's policy and
the background sync do run at once. `ClientPool` gives each thread its own ApiClient (its own
Session) on first use; whatever is set on the pool (the token after a re-pairing, the observers)
reaches every client, those already made and those made later.
"""

from __future__ import annotations

import threading
from typing import Any

from posapp.core.api.client import ApiClient


class ClientPool:
    """Reads go to the calling thread's ApiClient; writes go to all of them."""

    def __init__(self, base_url: str, token: str | None = None, **kwargs: Any) -> None:
        probe = ApiClient(base_url, token, **kwargs)  # checks url and token once, up front
        object.__setattr__(self, "_kwargs", kwargs)
        object.__setattr__(self, "_local", threading.local())
        object.__setattr__(self, "_lock", threading.Lock())
        object.__setattr__(self, "_clients", [])
        object.__setattr__(self, "_shared", {"token": token})
        object.__setattr__(self, "base_url", probe.base_url)
        probe.close()

    def client(self) -> ApiClient:
        """This thread's client, made on first use with everything set on the pool so far."""
        existing = getattr(self._local, "client", None)
        if existing is not None:
            return existing
        gone: list[ApiClient] = []
        with self._lock:
            made = ApiClient(self.base_url, self._shared.get("token"), **self._kwargs)
            for name, value in self._shared.items():
                setattr(made, name, value)
            # a worker pool retires idle threads: their clients (and sockets) go with them
            alive = [(t, c) for t, c in self._clients if t.is_alive()]
            gone = [c for t, c in self._clients if not t.is_alive()]
            self._clients[:] = [*alive, (threading.current_thread(), made)]
        for client in gone:
            client.close()
        self._local.client = made
        return made

    @property
    def clients(self) -> list[ApiClient]:
        with self._lock:
            return [c for _, c in self._clients]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        with self._lock:
            self._shared[name] = value
            for _, made in self._clients:
                setattr(made, name, value)

    def __repr__(self) -> str:
        return f"ClientPool({self.base_url!r}, clients={len(self._clients)})"

    def close(self) -> None:
        with self._lock:
            clients, self._clients[:] = [c for _, c in self._clients], []
        for made in clients:
            made.close()

    def __enter__(self) -> ClientPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["ClientPool"]
