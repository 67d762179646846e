"""Property tests: parse_code never raises; no corrupted signed code passes as the original."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from posapp.core import base45
from posapp.core.codes import (
    CROCKFORD,
    MAX_INPUT_CHARS,
    MAX_VOUCHER_ID,
    Rejection,
    RejectReason,
    VoucherRef,
    encode_plain,
    parse_code,
    sign_code,
)
from posapp.core.keys import KeySet, SigningKey

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
PRIVATE = bytes(range(32))
KEY = SigningKey(
    kid="c0ffee01",
    public_key=Ed25519PrivateKey.from_private_bytes(PRIVATE)
    .public_key()
    .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
    not_before=datetime(2026, 1, 1, tzinfo=UTC),
)
KEYS = KeySet([KEY])
ORIGINAL = sign_code(PRIVATE, KEY.kid, 987_654_321, 7, 5000, datetime(2027, 1, 1, tzinfo=UTC))
ORIGINAL_REF = parse_code(ORIGINAL, KEYS.get, NOW)
ORIGINAL_BLOB = base45.decode(ORIGINAL[3:])

voucher_ids = st.integers(min_value=0, max_value=MAX_VOUCHER_ID)
u32 = st.integers(min_value=0, max_value=2**32 - 1)
instants = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
control_chars = st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\u200b", "\ufeff", "\x1d", "\t"])


def _check_result(result, text) -> None:
    assert isinstance(result, VoucherRef | Rejection)
    if isinstance(result, Rejection):
        assert isinstance(result.reason, RejectReason)
        raw = text if isinstance(text, str) else ""
        for i in range(max(0, len(raw) - 40)):
            assert raw[i : i + 41] not in result.detail


def test_fixture_code_is_valid():
    assert isinstance(ORIGINAL_REF, VoucherRef) and ORIGINAL_REF.verified


@given(st.text(max_size=700))
def test_any_text_gives_ref_or_rejection(text):
    _check_result(parse_code(text, KEYS.get, NOW), text)


@given(st.binary(max_size=700))
def test_any_bytes_give_ref_or_rejection(raw):
    _check_result(parse_code(raw, KEYS.get, NOW), raw)


@given(st.text(alphabet="PV:" + base45.ALPHABET + "pv", max_size=200))
def test_signed_looking_text_gives_ref_or_rejection(text):
    _check_result(parse_code(text, KEYS.get, NOW), text)


@given(st.integers(min_value=1, max_value=10), control_chars)
def test_control_character_inside_a_code_is_refused(position, char):
    code = encode_plain(123_456)
    text = code[:position] + char + code[position:]
    assert parse_code(text).reason is RejectReason.CONTROL_CHARACTERS


@given(st.text(min_size=MAX_INPUT_CHARS + 1, max_size=3 * MAX_INPUT_CHARS))
def test_over_long_input_is_too_long(text):
    assume(len(text.strip()) > MAX_INPUT_CHARS)
    assert parse_code(text).reason is RejectReason.TOO_LONG


def test_every_single_bit_flip_in_a_signed_code_is_caught():
    """Exhaustive over all 712 bits: version, key id, record fields and signature."""
    for bit in range(len(ORIGINAL_BLOB) * 8):
        blob = bytearray(ORIGINAL_BLOB)
        blob[bit // 8] ^= 1 << (bit % 8)
        result = parse_code("PV:" + base45.encode(bytes(blob)), KEYS.get, NOW)
        assert result != ORIGINAL_REF
        assert isinstance(result, Rejection), bit
        if bit < 8:
            assert result.reason is RejectReason.UNSUPPORTED_VERSION
        elif bit < 40:
            assert result.reason is RejectReason.UNKNOWN_KEY
        else:
            assert result.reason is RejectReason.BAD_SIGNATURE


@given(st.lists(st.integers(0, len(ORIGINAL_BLOB) * 8 - 1), min_size=2, max_size=8, unique=True))
def test_multi_bit_flips_never_verify(bits):
    blob = bytearray(ORIGINAL_BLOB)
    for bit in bits:
        blob[bit // 8] ^= 1 << (bit % 8)
    result = parse_code("PV:" + base45.encode(bytes(blob)), KEYS.get, NOW)
    assert isinstance(result, Rejection)


@given(st.lists(st.tuples(st.integers(0, 136), st.sampled_from(base45.ALPHABET)), min_size=1))
def test_character_corruption_never_verifies_as_another_voucher(edits):
    chars = list(ORIGINAL)
    for position, symbol in edits:
        chars[max(position, 3)] = symbol
    text = "".join(chars)
    assume(text != ORIGINAL)
    result = parse_code(text, KEYS.get, NOW)
    _check_result(result, text)
    if isinstance(result, VoucherRef):
        # Only possible when the edits decode to the very same bytes (a whitespace edit stripped).
        assert result == ORIGINAL_REF


@given(st.binary(min_size=4, max_size=4).map(bytes.hex))
def test_unknown_key_ids(kid):
    assume(kid != KEY.kid)
    code = sign_code(PRIVATE, kid, 1, 1, 100, datetime(2030, 1, 1, tzinfo=UTC))
    assert parse_code(code, KEYS.get, NOW).reason is RejectReason.UNKNOWN_KEY


@given(voucher_ids, u32, u32, instants, instants)
def test_signed_round_trip_and_expiry(voucher_id, shop_id, value_cents, expires_at, now):
    code = sign_code(PRIVATE, KEY.kid, voucher_id, shop_id, value_cents, expires_at)
    assert len(code) == 137
    result = parse_code(code, KEYS.get, now)
    if now < KEY.not_before:
        assert result.reason is RejectReason.KEY_NOT_VALID
    elif expires_at < now:
        assert result.reason is RejectReason.EXPIRED
    else:
        assert result.verified and result.kind == "signed"
        assert (result.voucher_id, result.shop_id, result.value_cents) == (
            voucher_id,
            shop_id,
            value_cents,
        )
        assert result.expires_at == expires_at and result.code == encode_plain(voucher_id)


@given(instants, st.integers(1, 10**9), instants)
def test_key_validity_window(not_before, span_seconds, now):
    key = SigningKey(
        kid=KEY.kid,
        public_key=KEY.public_key,
        not_before=not_before,
        not_after=not_before + timedelta(seconds=span_seconds),
    )
    code = sign_code(PRIVATE, KEY.kid, 5, 5, 5, datetime(2105, 1, 1, tzinfo=UTC))
    result = parse_code(code, KeySet([key]).get, now)
    if not_before <= now < key.not_after:
        assert result.verified
    else:
        assert result.reason is RejectReason.KEY_NOT_VALID


@given(voucher_ids, st.sampled_from(["", " ", "-", "  "]), st.booleans())
def test_plain_round_trip_with_typing_noise(voucher_id, separator, lower):
    code = encode_plain(voucher_id).replace("-", separator)
    if lower:
        code = code.lower()
    result = parse_code(f" {code}\r\n")
    assert result == VoucherRef(kind="plain", code=encode_plain(voucher_id), voucher_id=voucher_id)


@given(voucher_ids, st.integers(0, 10), st.integers(1, 31))
def test_any_single_substitution_is_caught(voucher_id, position, shift):
    body = encode_plain(voucher_id).replace("-", "")
    wrong = CROCKFORD[(CROCKFORD.index(body[position]) + shift) % 32]
    typo = body[:position] + wrong + body[position + 1 :]
    assert parse_code(typo).reason is RejectReason.BAD_CHECK


@settings(max_examples=50)
@given(
    voucher_ids,
    st.sampled_from(["code", "c"]),
    st.from_regex(r"[a-z0-9]{1,12}\.[a-z]{2,3}", fullmatch=True),
)
def test_url_round_trip(voucher_id, param, host):
    url = f"https://{host.upper()}/any/path?{param}={encode_plain(voucher_id)}"
    result = parse_code(url)
    assert result == VoucherRef(
        kind="url", code=encode_plain(voucher_id), voucher_id=voucher_id, host=host
    )
