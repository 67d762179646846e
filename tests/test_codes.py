"""Voucher codes by example: plain, URL and signed codes, every rejection reason, the QR symbol."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import segno
import zxingcpp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol
from pyzbar.pyzbar import decode as zbar_decode

from posapp.core import base45
from posapp.core.codes import (
    CROCKFORD,
    MAX_VOUCHER_ID,
    Rejection,
    RejectReason,
    VoucherRef,
    canonical_plain,
    encode_plain,
    parse_code,
    sign_code,
)
from posapp.core.keys import DEFAULT_NOT_BEFORE, KeySet, SigningKey, generate_signing_key

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
EXPIRES = datetime(2027, 6, 30, 22, 0, tzinfo=UTC)


def make_key(seed: int = 1, kid: str = "0a1b2c3d", not_before=None, not_after=None):
    """A deterministic key pair: (private raw bytes, SigningKey)."""
    private = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    key = SigningKey(
        kid=kid,
        public_key=public,
        not_before=not_before or datetime(2026, 1, 1, tzinfo=UTC),
        not_after=not_after,
    )
    return bytes([seed]) * 32, key


PRIVATE, KEY = make_key()
KEYS = KeySet([KEY])


def signed(voucher_id=123_456_789, shop_id=42, value_cents=2500, expires_at=EXPIRES, **kw):
    return sign_code(
        kw.get("private", PRIVATE),
        kw.get("kid", KEY.kid),
        voucher_id,
        shop_id,
        value_cents,
        expires_at,
    )


def reencode(blob: bytes) -> str:
    return "PV:" + base45.encode(blob)


def luhn_mod_n_reference(symbols: str) -> str:
    """Luhn mod N check character from the textbook description, independent of codes.py."""
    n = len(CROCKFORD)
    factor, total = 2, 0
    for ch in reversed(symbols):
        addend = factor * CROCKFORD.index(ch)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return CROCKFORD[(n - total % n) % n]


# --- plain codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("voucher_id", [0, 1, 31, 32, 123_456_789, 2**40 + 7, MAX_VOUCHER_ID])
def test_plain_round_trip_and_independent_check(voucher_id):
    code = encode_plain(voucher_id)
    assert len(code) == 13 and code[4] == code[9] == "-"
    body = code.replace("-", "")
    assert body[10] == luhn_mod_n_reference(body[:10])
    assert sum(CROCKFORD.index(c) * 32**i for i, c in enumerate(reversed(body[:10]))) == voucher_id
    ref = parse_code(code)
    assert ref == VoucherRef(kind="plain", code=code, voucher_id=voucher_id)


def test_plain_known_value():
    assert encode_plain(0) == "0000-0000-000"
    assert encode_plain(123_456_789) == "0000-3NQK-8N1"
    assert encode_plain(MAX_VOUCHER_ID) == "ZZZZ-ZZZZ-ZZA"


@pytest.mark.parametrize("bad", [-1, MAX_VOUCHER_ID + 1])
def test_encode_plain_refuses_out_of_range(bad):
    with pytest.raises(ValueError, match="range"):
        encode_plain(bad)


def test_encode_plain_refuses_non_int():
    with pytest.raises(TypeError):
        encode_plain(True)


@pytest.mark.parametrize(
    "typed",
    [
        "0000-3nqk-8n1",
        "00003NQK8N1",
        "  OOOO 3NQK 8N1 ",
        "oooo-3nqk-8n1",
        "0000-3NQK-8NI",
        "0000-3NQK-8Nl",
    ],
)
def test_canonical_plain_forgives_case_spaces_and_look_alikes(typed):
    assert canonical_plain(typed) == "0000-3NQK-8N1"
    assert parse_code(typed).code == "0000-3NQK-8N1"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "0000-3NQK-8N",
        "0000-3NQK-8N12",
        "0000-3NQK-8NU",
        "0000-3NQK-8Nı",
        "０000-3NQK-8N1",
        "x" * 600,
    ],
)
def test_canonical_plain_none_for_non_codes(typed):
    assert canonical_plain(typed) is None


def test_every_single_substitution_is_caught():
    for voucher_id in (0, 123_456_789, MAX_VOUCHER_ID):
        body = encode_plain(voucher_id).replace("-", "")
        for position in range(len(body)):
            for symbol in CROCKFORD:
                if symbol == body[position]:
                    continue
                typo = body[:position] + symbol + body[position + 1 :]
                result = parse_code(typo)
                assert result == Rejection(RejectReason.BAD_CHECK, result.detail), typo


# --- URL codes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://buoni.example.it/v/0000-3NQK-8N1",
        "https://buoni.example.it/v/0000-3NQK-8N1/",
        "HTTPS://Buoni.Example.IT:8443/v/00003nqk8n1",
        "https://buoni.example.it/redeem?code=0000-3NQK-8N1&lang=it",
        "https://buoni.example.it/r?c=0000%203NQK%208N1",
        "http://buoni.example.it/0000%2D3NQK%2D8N1",
        "https://buoni.example.it/ZZZZ-ZZZZ-ZZA?code=0000-3NQK-8N1",
    ],
)
def test_url_codes(url):
    ref = parse_code(url)
    assert ref == VoucherRef(
        kind="url", code="0000-3NQK-8N1", voucher_id=123_456_789, host="buoni.example.it"
    )


def test_url_keeps_no_raw_input():
    ref = parse_code("https://buoni.example.it/v/0000-3NQK-8N1?session=SEGRETO123")
    assert isinstance(ref, VoucherRef)
    assert "SEGRETO" not in repr(ref)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://buoni.example.it/v/0000-3NQK-8N2", RejectReason.BAD_CHECK),
        ("https://buoni.example.it/", RejectReason.UNKNOWN_FORMAT),
        ("https://buoni.example.it/v/ciao", RejectReason.UNKNOWN_FORMAT),
        ("https:///0000-3NQK-8N1", RejectReason.UNKNOWN_FORMAT),
        ("http://[::1/0000-3NQK-8N1", RejectReason.UNKNOWN_FORMAT),
        ("ftp://buoni.example.it/0000-3NQK-8N1", RejectReason.UNKNOWN_FORMAT),
        ("https://buoni.example.it/?code=ciao", RejectReason.UNKNOWN_FORMAT),
    ],
)
def test_bad_urls(url, reason):
    assert parse_code(url).reason is reason


# --- signed codes --------------------------------------------------------------------------------


def test_signed_round_trip():
    code = signed()
    assert code.startswith("PV:") and len(code) == 137
    ref = parse_code(code, KEYS.get, NOW)
    assert ref == VoucherRef(
        kind="signed",
        code="0000-3NQK-8N1",
        voucher_id=123_456_789,
        kid=KEY.kid,
        shop_id=42,
        value_cents=2500,
        expires_at=EXPIRES,
        currency="EUR",
        verified=True,
    )


def test_signed_code_survives_scanner_noise_and_caps_lock():
    code = signed()
    assert parse_code("\t" + code + "\r\n", KEYS.get, NOW).verified
    assert parse_code(code.lower(), KEYS.get, NOW).verified
    assert parse_code(code.encode("ascii"), KEYS.get, NOW).verified


def test_signed_expiry_boundary():
    code = signed(expires_at=NOW)
    assert parse_code(code, KEYS.get, NOW).verified
    late = parse_code(code, KEYS.get, NOW + timedelta(seconds=1))
    assert late.reason is RejectReason.EXPIRED


def test_key_validity_window_is_half_open():
    private, key = make_key(2, "deadbeef", not_before=NOW, not_after=NOW + timedelta(days=30))
    code = signed(private=private, kid=key.kid)
    keys = KeySet([key]).get
    assert parse_code(code, keys, NOW - timedelta(seconds=1)).reason is RejectReason.KEY_NOT_VALID
    assert parse_code(code, keys, NOW).verified
    assert parse_code(code, keys, NOW + timedelta(days=30, seconds=-1)).verified
    at_end = parse_code(code, keys, NOW + timedelta(days=30))
    assert at_end.reason is RejectReason.KEY_NOT_VALID


def test_signature_by_another_key_with_same_kid_is_refused():
    impostor, _ = make_key(9, KEY.kid)
    forged = signed(private=impostor, value_cents=999_999)
    assert parse_code(forged, KEYS.get, NOW).reason is RejectReason.BAD_SIGNATURE


def test_tampered_value_is_refused():
    blob = bytearray(base45.decode(signed()[3:]))
    struct.pack_into(">I", blob, 17, 999_999)  # value_cents sits at offset 1+4+8+4
    assert parse_code(reencode(bytes(blob)), KEYS.get, NOW).reason is RejectReason.BAD_SIGNATURE


def _unsupported_version() -> str:
    blob = bytearray(base45.decode(signed()[3:]))
    blob[0] = 2
    return reencode(bytes(blob))


# One concrete input per reason: together they prove every RejectReason is reachable.
REASON_EXAMPLES = {
    RejectReason.EMPTY: lambda: " \r\n\t",
    RejectReason.TOO_LONG: lambda: "0" * 513,
    RejectReason.CONTROL_CHARACTERS: lambda: "0000-3NQK\x00-8N1",
    RejectReason.UNKNOWN_FORMAT: lambda: "8001234567890",
    RejectReason.BAD_CHECK: lambda: "0000-3NQK-8N2",
    RejectReason.BAD_ENCODING: lambda: b"\xff\xfe0000-3NQK-8N1",
    RejectReason.BAD_LENGTH: lambda: reencode(base45.decode(signed()[3:])[:-2]),
    RejectReason.UNSUPPORTED_VERSION: _unsupported_version,
    RejectReason.UNKNOWN_KEY: lambda: signed(private=make_key(3)[0], kid="ffffffff"),
    RejectReason.KEY_NOT_VALID: lambda: signed(private=make_key(4)[0], kid="00000004"),
    RejectReason.BAD_SIGNATURE: lambda: reencode(base45.decode(signed()[3:])[:-1] + b"\x00"),
    RejectReason.EXPIRED: lambda: signed(expires_at=NOW - timedelta(days=1)),
}


def test_examples_cover_every_reason():
    assert set(REASON_EXAMPLES) == set(RejectReason)


@pytest.mark.parametrize("reason", list(RejectReason))
def test_every_reason_is_reachable(reason):
    _, retired = make_key(
        4,
        "00000004",
        not_before=datetime(2025, 1, 1, tzinfo=UTC),
        not_after=datetime(2026, 1, 1, tzinfo=UTC),
    )
    keys = KeySet([KEY, retired])
    result = parse_code(REASON_EXAMPLES[reason](), keys.get, NOW)
    assert isinstance(result, Rejection)
    assert result.reason is reason
    assert result.detail and len(result.detail) <= 120


def test_no_keys_means_unknown_key():
    assert parse_code(signed(), None, NOW).reason is RejectReason.UNKNOWN_KEY
    assert parse_code(signed(), KeySet().get, NOW).reason is RejectReason.UNKNOWN_KEY


def test_lookup_returning_a_key_with_another_kid_is_unknown_key():
    other = make_key(5, "11111111")[1]
    assert parse_code(signed(), lambda kid: other, NOW).reason is RejectReason.UNKNOWN_KEY


def test_non_text_input_is_a_rejection():
    assert parse_code(None).reason is RejectReason.UNKNOWN_FORMAT  # type: ignore[arg-type]
    assert parse_code(12345).reason is RejectReason.UNKNOWN_FORMAT  # type: ignore[arg-type]


def test_naive_now_is_taken_as_utc():
    assert parse_code(signed(), KEYS.get, NOW.replace(tzinfo=None)).verified


# --- the QR symbol -------------------------------------------------------------------------------


def test_signed_code_fits_qr_version_6_m_and_real_decoders_read_it():
    code = signed(voucher_id=MAX_VOUCHER_ID, shop_id=2**32 - 1, value_cents=2**32 - 1)
    qr = segno.make_qr(code, error="m", boost_error=False)
    assert qr.version <= 6
    assert qr.mode == "alphanumeric"
    assert qr.error == "M"
    png = io.BytesIO()
    qr.save(png, kind="png", scale=8, border=4)
    png.seek(0)
    image = Image.open(png).convert("L")
    gray = np.asarray(image)
    zx = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in zx] == [code]
    zb = zbar_decode(image, symbols=[ZBarSymbol.QRCODE])
    assert [r.data.decode("ascii") for r in zb] == [code]
    assert parse_code(zx[0].text, KEYS.get, NOW).voucher_id == MAX_VOUCHER_ID


# --- hygiene -------------------------------------------------------------------------------------


def test_modules_import_no_qt():
    script = (
        "import sys\n"
        "import posapp.core.codes, posapp.core.keys, posapp.core.base45\n"
        "import posapp.core.money, posapp.core.messages\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'shiboken'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_parse_code_writes_nothing(tmp_path, monkeypatch):
    """Pure: no file, database, socket or process is touched while parsing, whatever the outcome."""
    events: list[tuple] = []
    watching = [False]
    watched = {
        "open",
        "os.remove",
        "os.rename",
        "os.mkdir",
        "sqlite3.connect",
        "socket.connect",
        "subprocess.Popen",
        "os.system",
        "shutil.copyfile",
        "os.truncate",
    }

    def hook(event, args):
        if watching[0] and event in watched:
            events.append((event, args))

    sys.addaudithook(hook)  # cannot be removed: it records only while `watching` is set
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    inputs = [example() for example in REASON_EXAMPLES.values()]
    inputs += [signed(), encode_plain(7), "https://buoni.example.it/v/" + encode_plain(7)]
    buffer = bytearray(signed().encode())
    keys = KeySet([KEY])
    watching[0] = True
    try:
        results = [parse_code(item, keys.get, NOW) for item in [*inputs, buffer]]
    finally:
        watching[0] = False
    assert events == []
    assert list(workdir.iterdir()) == []
    assert buffer == bytearray(signed().encode())
    assert list(keys) == [KEY.kid]
    assert sum(isinstance(r, VoucherRef) for r in results) == 4
    # the watch itself works: a write while watching is seen
    watching[0] = True
    try:
        (workdir / "probe.txt").write_text("x")
    finally:
        watching[0] = False
    assert [event for event, _ in events] == ["open"]


# --- signing keys --------------------------------------------------------------------------------


def test_generated_keys_sign_codes_that_verify():
    private, key = generate_signing_key()
    assert len(private) == 32 and len(key.public_key) == 32
    assert re.fullmatch(r"[0-9a-f]{8}", key.kid)
    assert key.not_before == DEFAULT_NOT_BEFORE and key.not_after is None
    assert generate_signing_key()[1].kid != key.kid
    code = sign_code(private, key.kid, 1, 2, 3, EXPIRES)
    assert parse_code(code, KeySet([key]), NOW).verified  # a KeySet is itself a lookup
    assert key.verify(b"message", Ed25519PrivateKey.from_private_bytes(private).sign(b"message"))


@pytest.mark.parametrize(
    ("message", "signature"),
    [(b"x", b""), (b"x", b"\x00" * 64), (b"x", b"\x00" * 65), ("x", b"\x00" * 64), (b"x", None)],
)
def test_verify_never_raises(message, signature):
    assert KEY.verify(message, signature) is False


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kid": "0A1B2C3D"},
        {"kid": "0a1b2c"},
        {"public_key": b"\x00" * 31},
        {"not_before": datetime(2026, 1, 1)},
        {"not_after": datetime(2025, 1, 1, tzinfo=UTC)},
    ],
)
def test_signing_key_refuses_malformed_fields(kwargs):
    fields = {"kid": KEY.kid, "public_key": KEY.public_key, "not_before": KEY.not_before}
    with pytest.raises(ValueError):
        SigningKey(**{**fields, **kwargs})


def test_key_set_api_round_trip():
    _, bounded = make_key(6, "66666666", not_before=NOW, not_after=NOW + timedelta(days=1))
    keys = KeySet([KEY, bounded])
    wire = keys.to_api()
    assert wire[1] == {
        "kid": "66666666",
        "algorithm": "Ed25519",
        "public_key": wire[1]["public_key"],
        "not_before": "2026-11-26T09:00:00.000Z",
        "not_after": "2026-11-27T09:00:00.000Z",
    }
    assert "=" not in wire[1]["public_key"]
    again = KeySet.from_api(wire)
    assert dict(again) == dict(keys) and len(again) == 2 and again.get("nope") is None


def test_key_set_skips_other_algorithms_and_refuses_malformed_entries():
    entry = KeySet([KEY]).to_api()[0]
    assert list(KeySet.from_api([{**entry, "algorithm": "ML-DSA-44", "kid": "zz"}, entry])) == [
        KEY.kid
    ]
    for broken in (
        {**entry, "public_key": "not base64!"},
        {**entry, "public_key": entry["public_key"][:-4]},
        {**entry, "not_before": "yesterday"},
        {**entry, "not_before": None},
        {**entry, "not_before": "0001-01-01T00:00:00+01:00"},  # overflows once in UTC
        {**entry, "not_after": "9999-12-31T23:59:59-23:59"},
        {k: v for k, v in entry.items() if k != "kid"},
        "just text",
    ):
        with pytest.raises(ValueError):
            KeySet.from_api([broken])
    with pytest.raises(ValueError):
        KeySet.from_api(None)  # type: ignore[arg-type]
