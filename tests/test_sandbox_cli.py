"""`posapp-sandbox` as a process: demo data, printed pairing code, QR sheet, Ctrl+C to stop."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

import cv2
import requests

from posapp.core.codes import VoucherRef, parse_code
from posapp.core.keys import KeySet
from posapp.sandbox.demo import PAIRING_PREFIX
from posapp.scan.decoders import make_decoder


def _start(tmp_path, *extra):
    data = str(tmp_path / "data")
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "posapp.sandbox.cli", "--port", "0", "--fresh", "--data-dir", data),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("demo vouchers sheet:"):
            return process, "".join(lines)
    process.kill()
    raise AssertionError("no start-up banner: " + "".join(lines) + process.stderr.read())


def _decode(path):
    gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    assert gray is not None, path
    found = make_decoder("zxing").decode(gray)
    assert len(found) == 1, path
    return found[0].text


def test_cli_serves_demo_and_writes_qr_sheet(tmp_path):
    process, banner = _start(tmp_path, "--max-offline-age-hours", "24")
    try:
        url = re.search(r"on (http://127\.0\.0\.1:\d+)", banner).group(1)
        health = requests.get(url + "/v1/health", timeout=10).json()
        assert (health["max_offline_age_hours"], health["void_window_minutes"]) == (24.0, 15.0)
        code = re.search(r"pairing code for Panificio Rizzo: (\S+)", banner).group(1)
        qr_dir = tmp_path / "data" / "qr"
        payload = _decode(qr_dir / "pairing.png")
        assert payload.startswith(PAIRING_PREFIX)
        assert json.loads(payload[len(PAIRING_PREFIX) :]) == {"api": url, "code": code}
        paired = requests.post(
            url + "/v1/pairing", json={"pairing_code": code, "till_name": "Cassa"}, timeout=10
        )
        assert paired.status_code == 201, paired.text
        token = paired.json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        vouchers = requests.get(url + "/v1/shop/vouchers", headers=auth, timeout=10).json()
        states = {v["status"] for v in vouchers["items"]}
        assert {"valid", "partly_used", "used", "expired", "cancelled"} <= states
        assert {v["face_value_cents"] for v in vouchers["items"]} >= {500, 1000, 2000, 5000}
        revoked = requests.get(url + "/v1/revocations", headers=auth, timeout=10).json()
        assert len(revoked["items"]) == 1
        keys = KeySet.from_api(
            requests.get(url + "/v1/keys", headers=auth, timeout=10).json()["keys"]
        )
        sheet = (qr_dir / "index.html").read_text(encoding="utf-8")
        first = vouchers["items"][0]["code"]
        assert first in sheet and "Panificio Rizzo" in sheet
        assert _decode(qr_dir / f"{first}.png") == first
        signed = parse_code(_decode(qr_dir / f"{first}-signed.png"), keys.get)
        assert isinstance(signed, VoucherRef) and signed.verified and signed.code == first
        assert requests.get(url + "/openapi.json", timeout=10).json()["info"]["version"] == "1.0.0"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        finally:
            process.kill()
    assert process.returncode == 0, process.stderr.read()


def test_cli_start_failures_are_one_clear_line(tmp_path, capsys):
    """A damaged database, a bad port or another platform's data: a message, no traceback."""
    from posapp.sandbox.cli import main

    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "sandbox.sqlite3").write_bytes(b"this is not an SQLite file" * 100)
    assert main(["--port", "0", "--data-dir", str(damaged)]) == 2
    err = capsys.readouterr().err
    assert "--fresh" in err and "Traceback" not in err and len(err.splitlines()) == 1
    for port in ("99999", "-1"):
        try:
            main(["--port", port, "--data-dir", str(tmp_path / "p")])
        except SystemExit as exc:  # argparse: usage line and a message
            assert exc.code == 2
        err = capsys.readouterr().err
        assert "port" in err and "Traceback" not in err
    first = tmp_path / "first"
    from posapp.sandbox.store import SandboxStore

    SandboxStore(first, platform_id="salento").close()
    assert main(["--port", "0", "--data-dir", str(first)]) == 2
    assert "--fresh" in capsys.readouterr().err


def test_cli_max_offline_age_is_documented_and_checked(capsys):
    from posapp.sandbox.cli import build_parser, main

    assert build_parser().parse_args([]).max_offline_age_hours == 72.0
    assert (
        build_parser().parse_args(["--max-offline-age-hours", "1.5"]).max_offline_age_hours == 1.5
    )
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    assert "--max-offline-age-hours" in capsys.readouterr().out
    for bad in ("0", "-3", "nan", "tre", "9000"):
        try:
            main(["--max-offline-age-hours", bad, "--port", "0"])
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(f"{bad} was taken")
        err = capsys.readouterr().err
        assert "hours" in err and "Traceback" not in err
