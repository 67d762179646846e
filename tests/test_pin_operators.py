"""Owner PIN and operators: hashes only on disk, lockout after misses, roles and the last owner."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from posapp.core.operators import (
    CASHIER,
    OWNER,
    OperatorBook,
    OperatorBookDamaged,
    OperatorError,
    may_open_settings,
    may_void,
)
from posapp.core.pin import PinFormatError, PinLimiter, PinLocked, hash_pin, verify_pin


class FakeMonotonic:
    """A monotonic clock the test moves by hand (the limiter's only time source)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_hash_is_salted_slow_and_verifies() -> None:
    a, b = hash_pin("4821"), hash_pin("4821")
    assert a != b  # fresh salt each time
    assert a.startswith("scrypt$16384$8$1$")
    assert "4821" not in a
    assert verify_pin("4821", a) and verify_pin("4821", b)
    assert not verify_pin("4822", a)
    assert not verify_pin("482", a)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain",
        "scrypt$1$8$1$AA==$AA==",
        "scrypt$x$8$1$A$A",
        "bcrypt$16384$8$1$AA==$AA==",
        "scrypt$16384$8$1$!!$AA==",
    ],
)
def test_malformed_hash_never_matches(stored: str) -> None:
    assert verify_pin("1234", stored) is False


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", "١٢٣٤", " 1234"])
def test_pin_format_refused_without_echoing_it(pin: str) -> None:
    with pytest.raises(PinFormatError) as info:
        hash_pin(pin)
    assert pin.strip() == "" or pin not in str(info.value)


def test_limiter_locks_after_three_misses_and_doubles() -> None:
    clock = FakeMonotonic()
    limiter = PinLimiter(max_attempts=3, first_lockout_s=30, clock=clock)
    assert limiter.failed("a") == 0 and limiter.failed("a") == 0
    assert limiter.failed("a") == 30
    with pytest.raises(PinLocked) as info:
        limiter.check("a")
    assert info.value.retry_after_s == pytest.approx(30)
    limiter.check("b")  # another operator is not locked
    clock.now += 30.5
    limiter.check("a")
    for _ in range(2):
        limiter.failed("a")
    assert limiter.failed("a") == 60  # second lockout is longer
    clock.now += 61
    limiter.failed("a")
    limiter.succeeded("a")
    limiter.failed("a")
    limiter.failed("a")
    limiter.check("a")  # the right PIN cleared the count


def test_book_on_disk_holds_hashes_only(_isolated_data_dir: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    book = OperatorBook()
    owner = book.add("Maria", OWNER, "4821")
    cashier = book.add("Luca", CASHIER, "777999")
    text = (_isolated_data_dir / "operators.json").read_text(encoding="utf-8")
    assert "4821" not in text and "777999" not in text
    assert "4821" not in caplog.text and "777999" not in caplog.text
    assert "pin_hash" not in repr(owner) and owner.pin_hash not in repr(owner)
    again = OperatorBook()
    assert [o.name for o in again.operators()] == ["Maria", "Luca"]
    assert again.check_pin(owner.operator_id, "4821") == owner
    assert again.check_pin(cashier.operator_id, "4821") is None
    assert again.check_pin("nobody", "4821") is None


def test_wrong_pins_lock_the_operator(_isolated_data_dir: Path) -> None:
    clock = FakeMonotonic()
    book = OperatorBook(limiter=PinLimiter(clock=clock))
    owner = book.add("Maria", OWNER, "4821")
    for _ in range(3):
        assert book.check_pin(owner.operator_id, "0000") is None
    with pytest.raises(PinLocked):
        book.check_pin(owner.operator_id, "4821")  # even the right PIN waits
    clock.now += 31
    assert book.check_pin(owner.operator_id, "4821") == owner


def test_always_one_owner_and_unique_names(_isolated_data_dir: Path) -> None:
    book = OperatorBook()
    maria = book.add("Maria", OWNER, "4821")
    with pytest.raises(OperatorError) as info:
        book.remove(maria.operator_id)
    assert "owner" in str(info.value)
    with pytest.raises(OperatorError):
        book.set_role(maria.operator_id, CASHIER)
    with pytest.raises(OperatorError):
        book.add("  maria ", CASHIER, "1111")
    for bad in ("", "   ", "x" * 41, "Lu\nca", "Lu\x00ca"):
        with pytest.raises(OperatorError):
            book.add(bad, CASHIER, "1111")
    luca = book.add("Luca", CASHIER, "1111")
    book.set_role(luca.operator_id, OWNER)
    book.set_role(maria.operator_id, CASHIER)  # Luca is now an owner: allowed
    book.remove(maria.operator_id)
    renamed = book.rename(luca.operator_id, "Luca B.")
    assert renamed.name == "Luca B." and renamed.pin_hash == luca.pin_hash
    book.set_pin(luca.operator_id, "246810")
    assert book.check_pin(luca.operator_id, "246810") is not None
    assert [o.name for o in OperatorBook().operators()] == ["Luca B."]


def test_damaged_file_is_refused_not_replaced(_isolated_data_dir: Path) -> None:
    path = _isolated_data_dir / "operators.json"
    for content in ("{not json", json.dumps({"operators": [{"name": "x"}]}), "[]"):
        path.write_text(content, encoding="utf-8")
        with pytest.raises(OperatorBookDamaged):
            OperatorBook()
        assert path.read_text(encoding="utf-8") == content


def test_roles_rules(_isolated_data_dir: Path) -> None:
    book = OperatorBook()
    maria = book.add("Maria", OWNER, "4821")
    luca = book.add("Luca", CASHIER, "1111")
    assert may_open_settings(maria) and not may_open_settings(luca)
    assert not may_open_settings(None)
    assert may_void(maria, "Luca") and may_void(maria, None)
    assert may_void(luca, "Luca")
    assert not may_void(luca, "Maria") and not may_void(luca, None)
    assert not may_void(None, "Luca") and may_void(None, None)
