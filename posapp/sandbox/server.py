"""`SandboxServer`: one platform's sandbox on a loopback port, in a background thread.

    with SandboxServer(tmp_path, fresh=True) as server:
        code = server.store.new_pairing_code(shop_id)
        requests.post(server.url + "/v1/pairing", json=...)

Several instances (different platform ids and data dirs) run side by side: two town platforms.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import uvicorn

from posapp.core.clock import Clock
from posapp.sandbox.app import create_app
from posapp.sandbox.faults import FaultPlan, TransportH11Protocol
from posapp.sandbox.store import SandboxStore

DEFAULT_PLATFORM_NAME = "Piattaforma di Comunità (sandbox)"


class SandboxServer:
    """The sandbox app served by uvicorn; `.url`, `.store` and `.faults` once started."""

    def __init__(
        self,
        data_dir: Path | str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        fresh: bool = False,
        faults: bool = False,
        clock: Clock | None = None,
        platform_id: str = "puglia-demo",
        platform_name: str = DEFAULT_PLATFORM_NAME,
        void_window_minutes: float = 15,
        max_offline_age_hours: float = 72,
        pairing_failures_per_minute: int = 10,
        seed_demo: bool = True,
    ) -> None:
        self.store = SandboxStore(
            data_dir,
            clock=clock,
            platform_id=platform_id,
            platform_name=platform_name,
            void_window=timedelta(minutes=void_window_minutes),
            max_offline_age=timedelta(hours=max_offline_age_hours),
            pairing_failures_per_minute=pairing_failures_per_minute,
            fresh=fresh,
        )
        if seed_demo and not self.store.shops():
            from posapp.sandbox.demo import seed_demo as seed

            seed(self.store)
        self.faults = FaultPlan(enabled=faults)
        self.app = create_app(self.store, faults=self.faults)
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return f"http://{self.host}:{self.port}"

    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            http=TransportH11Protocol,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
            timeout_keep_alive=5,
        )

    def start(self, timeout: float = 10.0) -> SandboxServer:
        """Serve in a daemon thread; returns once the socket is listening."""
        if self._server is not None:
            return self
        self._server = uvicorn.Server(self._config())
        self._thread = threading.Thread(target=self._server.run, name="sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server = None
                raise RuntimeError(f"the sandbox could not listen on {self.host}:{self.port}")
            time.sleep(0.01)
        sockets = self._server.servers[0].sockets
        self.port = sockets[0].getsockname()[1]
        return self

    def wait(self) -> None:
        """Block until the server thread ends (the `posapp-sandbox` command; Ctrl+C ends it)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (hanging requests are released) and close the database."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self.faults.release()
        server.should_exit = True
        thread.join(timeout)
        self._server = self._thread = None
        self.store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
