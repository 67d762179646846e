"""One typed settings object with defaults, stored as JSON in the platform's app-data folder.

No secret ever lives here: the till token is in the OS keyring (see credentials.py).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "posapp"


def data_dir() -> Path:
    """The app-data folder (database, settings); POSAPP_DATA_DIR overrides it (tests, portable)."""
    override = os.environ.get("POSAPP_DATA_DIR")
    if override:
        path = Path(override)
    else:
        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class ScannerSettings:
    camera_index: int = 0
    # the camera's name as the OS gives it (chosen in the settings); matched first, index second
    camera_name: str = ""
    width: int = 1280
    height: int = 720
    # chosen for reading, not display: 15 fps confirms hand-held vouchers as 30 does (+33 ms) for
    # a third less decoding and half the frame grabbing (bench/decode.py, docs/SCANNING.md)
    fps: int = 15
    # decoding strategy spec for posapp.scan.strategy.make_strategy ("auto" = measured default)
    strategy: str = "auto"
    # a code counts once read in this many of the last confirm_frames + 1 decoded frames
    confirm_frames: int = 2
    # the same code is not acted on again within this many seconds
    cooldown_s: float = 4.0
    # keyboard-wedge scanners: max gap between keystrokes of one scan, and the minimum length
    keyburst_max_gap_ms: int = 35
    keyburst_min_length: int = 6


@dataclass
class OfflineCaps:
    """Bounds on what the till accepts without the platform's confirmation (owner-set)."""

    max_hours_since_sync: float = 24.0
    max_value_per_redemption_cents: int = 10_000
    max_pending_count: int = 200
    max_pending_value_cents: int = 200_000


@dataclass
class ConnectivitySettings:
    window: int = 5
    failures_to_go_offline: int = 2
    slow_request_s: float = 4.0
    probe_interval_s: float = 15.0


@dataclass
class BackupSettings:
    """Rolling backups of the ledger (store/backup.py): how long they are kept, how often."""

    keep_days: float = 7.0
    keep_min: int = 3
    min_interval_minutes: float = 15.0


@dataclass
class Settings:
    # "" until the shop chooses: the system's language then (posapp.i18n.chosen_or_system)
    language: str = ""
    sound: bool = True
    till_name: str = "Cassa 1"
    # offer a printed customer slip after a redemption (needs a printer; off by default)
    print_slip: bool = False
    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    offline: OfflineCaps = field(default_factory=OfflineCaps)
    connectivity: ConnectivitySettings = field(default_factory=ConnectivitySettings)
    backup: BackupSettings = field(default_factory=BackupSettings)

    # -- persistence -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Load settings; a missing or unreadable file gives the defaults (never a crash)."""
        path = path or default_path()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        return _from_dict(cls, raw) if isinstance(raw, dict) else cls()

    def save(self, path: Path | None = None) -> None:
        """Write atomically (temp file + rename) so a crash never leaves half a file."""
        path = path or default_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(asdict(self), indent=2, sort_keys=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def default_path() -> Path:
    return data_dir() / "settings.json"


def _from_dict(cls: type, raw: dict[str, Any]) -> Any:
    """Build a dataclass from a dict, keeping defaults for missing or mistyped values."""
    obj = cls()
    for f in fields(cls):
        if f.name not in raw:
            continue
        current = getattr(obj, f.name)
        value = raw[f.name]
        if is_dataclass(current):
            if isinstance(value, dict):
                setattr(obj, f.name, _from_dict(type(current), value))
        elif isinstance(current, bool):
            if isinstance(value, bool):
                setattr(obj, f.name, value)
        elif isinstance(current, int | float) and isinstance(value, int | float):
            if not isinstance(value, bool):
                setattr(obj, f.name, type(current)(value))
        elif isinstance(value, type(current)):
            setattr(obj, f.name, value)
    return obj
