"""Rotating log files in the app-data folder, and the redaction filter on every handler."""

from __future__ import annotations

import logging

import pytest

from posapp import logs
from tests.support.qrframes import payload_text

TOKEN = "Tk_9f8e7d6c5b4a39281706f5e4d3c2b1a0-ZZ"


@pytest.fixture
def configured(_isolated_data_dir):
    path = logs.configure()
    yield path
    logs.unconfigure()


def signed_code() -> str:
    code = payload_text("signed", 3)
    assert code.startswith("PV:") and len(code) > 100
    return code


def read_all(path):
    return "".join(p.read_text(encoding="utf-8") for p in sorted(path.parent.glob("*.log*")))


def test_logs_go_to_the_app_data_folder(configured, _isolated_data_dir):
    logging.getLogger("posapp.test").info("till opened")
    assert configured == _isolated_data_dir / "logs" / "posapp.log"
    assert "INFO" in read_all(configured) and "till opened" in read_all(configured)


def test_tokens_headers_and_signed_codes_never_reach_the_file(configured):
    log = logging.getLogger("posapp.test")
    code = signed_code()
    logs.register_secret(TOKEN)
    log.warning("request headers %s", {"Authorization": f"Bearer {TOKEN}"})
    log.info("Authorization: Bearer %s", "abc.def-ghi")
    log.info("scanned %s at the counter", code)
    log.info("scanned %s with caps lock", code.lower())
    log.info('body {"token": "%s"}', "other-secret-value")
    try:
        raise ValueError(f"bad token {TOKEN}")
    except ValueError:
        log.exception("while pairing")
    text = read_all(configured)
    for secret in (TOKEN, "abc.def-ghi", code[3:20], code.lower()[3:20], "other-secret-value"):
        assert secret not in text
    assert "scanned PV:<redacted>" in text
    assert "while pairing" in text and "ValueError" in text  # redacted, not dropped


def test_plain_codes_and_ordinary_words_stay_readable():
    line = "voucher C6A9-GJC6-TE9 accepted offline; token stored in the keyring"
    assert logs.redact(line) == line


def test_files_rotate(monkeypatch, _isolated_data_dir):
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    path = logs.configure()
    try:
        for i in range(200):
            logging.getLogger("posapp.test").info("line %d of a busy day", i)
    finally:
        logs.unconfigure()
    rotated = sorted(p.name for p in path.parent.glob("posapp.log*"))
    assert rotated == ["posapp.log", *(f"posapp.log.{i}" for i in range(1, logs.BACKUP_COUNT + 1))]
    assert all(p.stat().st_size <= 2_200 for p in path.parent.glob("posapp.log*"))
