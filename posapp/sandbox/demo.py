"""The demo data set (shops of Puglia, vouchers in every state) and its printable QR sheet.

The sheet (`index.html` next to the PNGs) lists each demo voucher with its plain code, value,
balance and state, a QR of the plain code and a QR of the signed `PV:` code, plus the pairing QR.
The pairing QR holds `posapp-pair:` followed by JSON `{"api": "<API URL>", "code": "<code>"}`.
"""

from __future__ import annotations

import html
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import segno

from posapp.sandbox.store import SandboxStore
from posapp.sandbox.vouchers import voucher_status

PAIRING_PREFIX = "posapp-pair:"
QR_SCALE = 8

SHOPS = [
    ("Panificio Rizzo", "Calimera"),
    ("Macelleria De Santis", "Galatina"),
    ("Libreria Palmieri", "Martano"),
]
# (shop index, face cents, balance cents or None, partial allowed, days to expiry, state to make)
VOUCHERS = [
    (0, 500, None, False, 180, None),
    (0, 1000, None, False, 180, None),
    (0, 2000, None, True, 180, None),
    (0, 5000, 3250, True, 180, None),
    (0, 1000, 0, False, 180, None),
    (0, 2000, None, False, -1, None),
    (0, 1000, None, False, 180, "cancel"),
    (0, 5000, None, True, 180, "revoke"),
    (1, 1000, None, False, 180, None),
    (1, 2000, None, True, 90, None),
    (2, 5000, None, True, 365, None),
]


def pairing_payload(api_url: str, code: str) -> str:
    """What the pairing QR holds; the counter app's pairing wizard reads it."""
    return PAIRING_PREFIX + json.dumps({"api": api_url, "code": code}, separators=(",", ":"))


def seed_demo(store: SandboxStore) -> None:
    """Shops and vouchers in every state (valid, partly used, used, expired, cancelled, revoked)."""
    now = store.clock.now()
    shop_ids = [store.create_shop(name, town) for name, town in SHOPS]
    for shop, face, balance, partial, days, action in VOUCHERS:
        row = store.create_voucher(
            shop_ids[shop],
            face,
            balance_cents=balance,
            partial_allowed=partial,
            expires_at=now + timedelta(days=days),
        )
        if action == "cancel":
            store.cancel_voucher(row["voucher_id"])
        elif action == "revoke":
            store.revoke_voucher(row["voucher_id"], "reported stolen / segnalato rubato")


def demo_vouchers(store: SandboxStore) -> list[dict[str, Any]]:
    """Every voucher with its state as its own shop sees it, and its signed code."""
    conn = store.db.connection()
    revoked = {r[0] for r in conn.execute("SELECT voucher_id FROM revocations")}
    rows = conn.execute(
        "SELECT v.*, s.name AS shop_name, s.town FROM vouchers v"
        " JOIN shops s ON s.shop_id = v.shop_id ORDER BY v.shop_id, v.created_at, v.voucher_id"
    ).fetchall()
    now = store.clock.now()
    result = []
    for row in rows:
        state = voucher_status(row, row["shop_id"], now)
        if row["voucher_id"] in revoked:
            state += " (revoked)"
        result.append(
            {
                **dict(row),
                "state": state,
                "signed_code": store.sign_voucher(row["voucher_id"]),
            }
        )
    return result


def _euro(cents: int) -> str:
    return f"€ {cents // 100},{cents % 100:02d}"


def write_sheet(store: SandboxStore, qr_dir: Path, api_url: str, pairing_code: str) -> Path:
    """PNG QR codes (segno, scale 8) and an HTML sheet to print or open on a phone."""
    qr_dir.mkdir(parents=True, exist_ok=True)
    pair_png = "pairing.png"
    segno.make_qr(pairing_payload(api_url, pairing_code), error="m").save(
        qr_dir / pair_png, scale=QR_SCALE
    )
    rows = []
    for voucher in demo_vouchers(store):
        stem = voucher["code"]
        plain_png, signed_png = f"{stem}.png", f"{stem}-signed.png"
        segno.make_qr(voucher["code"], error="m").save(qr_dir / plain_png, scale=QR_SCALE)
        segno.make_qr(voucher["signed_code"], error="m", boost_error=False).save(
            qr_dir / signed_png, scale=QR_SCALE
        )
        rows.append(
            "<tr>"
            f"<td><b>{html.escape(voucher['code'])}</b><br>{html.escape(voucher['shop_name'])},"
            f" {html.escape(voucher['town'])}</td>"
            f"<td>{_euro(voucher['face_value_cents'])}<br>saldo {_euro(voucher['balance_cents'])}"
            f"{'<br>parziale / partial' if voucher['partial_allowed'] else ''}</td>"
            f"<td>{html.escape(voucher['state'])}<br>scade {voucher['expires_at'][:10]}</td>"
            f'<td><img src="{plain_png}" alt="plain"></td>'
            f'<td><img src="{signed_png}" alt="signed"></td>'
            "</tr>"
        )
    page = f"""<!doctype html>
<html lang="it"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>posapp sandbox: buoni demo</title>
<style>body{{font-family:sans-serif}} td{{border-top:1px solid #ccc;padding:6px;vertical-align:top}}
img{{width:180px;image-rendering:pixelated}}</style></head><body>
<h1>Buoni demo / demo vouchers — {html.escape(store.platform_name)}</h1>
<h2>Abbinamento cassa / till pairing</h2>
<p>API: <code>{html.escape(api_url)}</code> — codice / code: <b>{html.escape(pairing_code)}</b></p>
<p><img src="{pair_png}" alt="pairing"></p>
<p>QR: <code>{PAIRING_PREFIX}{{"api": URL, "code": CODE}}</code></p>
<table><tr><th>Codice / code</th><th>Valore / value</th><th>Stato / state</th>
<th>QR</th><th>QR firmato / signed</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    index = qr_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
