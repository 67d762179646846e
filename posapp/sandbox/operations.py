"""What each /v1 operation means, for the contract document: the semantics a platform implements.

Kept apart from routes.py so the routes stay thin; `app.build_openapi` sets these as the operations'
descriptions by operationId (the route's function name), and fails loudly if one is missing.
"""

from __future__ import annotations

OPERATIONS: dict[str, str] = {
    "health": (
        "Liveness and identity of the platform; no token needed. The platform is the authority "
        "on time: `server_time` (also the `Server-Time` header of every answer, errors "
        "included) lets a till keep a trusted time. `max_offline_age_hours` and "
        "`void_window_minutes` are this platform's time rules. 503 `service_unavailable` (with "
        "Retry-After) when down."
    ),
    "pair": (
        "Exchange a one-time pairing code (made in the platform's back office; also shown as a QR "
        'holding `posapp-pair:{"api": ..., "code": ...}`) for a new till of that shop and its '
        "token; no token needed. The code is single-use and expires: 422 `pairing_code_invalid`, "
        "`pairing_code_used` or `pairing_code_expired`. Any case, spaces and dashes are accepted; "
        "O, I and L read as 0, 1 and 1. The token is returned only here; the platform keeps only "
        "a hash of it, and the till keeps it in the OS keyring."
    ),
    "whoami": (
        "The till this token belongs to. 401 `unauthorized` (with `WWW-Authenticate: Bearer`) on "
        "every operation when the token is missing, unknown, rolled or revoked: the till pairs "
        "again."
    ),
    "roll_token": (
        "Replace this till's token: the new one is returned once and the old one is refused "
        "(401) from the very next request. The till stores the new token before anything else."
    ),
    "revoke": (
        "End this till: its token is refused (401) from the very next request. Redemptions it "
        "recorded stay."
    ),
    "checkpoint": (
        "The till's drain checkpoint, its last contact made precise: `drained_through` says "
        "that everything the till recorded up to that time (its trusted time, taken before the "
        "snapshot of its queue that a sync then found fully answered, and never later than a sale "
        "it was still recording) has been uploaded. A till sends it after each sync that "
        "emptied its queue, and every few minutes while online. The platform keeps the latest "
        "(`max` of what it had and `min(drained_through, arrival)`: a till clock ahead cannot "
        "push it past the platform's own time; an older one changes nothing) and answers it. "
        "From then on an offline item of this till (POST /v1/redemptions, a batch item, an "
        "offline void) claimed earlier than `drained_through` minus the 5-minute skew is stored "
        "as a `conflict` (a void: refused) with reason `offline_time_out_of_bounds` and a "
        "message saying it predates the till's last confirmed upload: an honest till has no "
        "such item left. Replays of ids already stored answer their first result as always."
    ),
    "lookup": (
        "A voucher by its plain code (`XXXX-XXXX-XXX`: any case, spaces or dashes; O, I and L "
        "read as 0, 1 and 1). A signed code or a URL is parsed by the till first and looked up by "
        "the plain code it holds. `status` is as this till's shop sees it (`other_shop`: it "
        "belongs to another shop). 404 `unknown_voucher`."
    ),
    "redeem": (
        "Redeem an amount of a voucher for this till's shop.\n\n"
        "Idempotency: the till makes `redemption_id` (a UUID) once, records it before the first "
        "attempt, and sends it on every retry, also as the `Idempotency-Key` header (400 "
        "`idempotency_key_missing` without it, 400 `idempotency_key_mismatch` when it is not the "
        "body's id). The platform keeps every id forever. The same id with the same body is a "
        "replay: the first outcome comes back with the same status and `Idempotent-Replayed: "
        "true` (an accepted redemption voided since comes back with status `voided`), and nothing "
        "is applied again. The same id with another body is 422 `idempotency_key_reused`; while a "
        "request with this id is still being processed, another one is 409 `request_in_flight` "
        "(retry later with the same body). The body compared is the canonical request: the "
        "voucher code in its canonical spelling, `occurred_at` in UTC at millisecond precision "
        "(`Z` and `+00:00` are one instant), the other fields as sent. The same id and body sent "
        "through /v1/redemptions/batch are the same redemption.\n\n"
        "Money: the balance check and update are one atomic step, so parallel redeems of one "
        "voucher can never overdraw it. Refusals: 422 `voucher_used`, `insufficient_balance`, "
        "`partial_not_allowed` (the voucher must be used for its whole balance), "
        "`voucher_expired`, `voucher_cancelled`, `other_shop`, `currency_mismatch`, "
        "`invalid_amount`, or 404 `unknown_voucher`; a refusal is stored under the id (status "
        "`refused`) and replayed like a success.\n\n"
        "Time: the platform is the authority. An online redemption (`offline` false) happens "
        "when the platform records it (`recorded_at`); its `occurred_at` is informational. An "
        "`offline` one keeps its claimed `occurred_at` only within bounds the platform checks: "
        "not before the till's pairing nor the voucher's issuance, not older than the "
        "platform's maximum offline age (`max_offline_age_hours` of /v1/health) when it "
        "arrives, not earlier than 5 minutes before the drain checkpoint of the till that made "
        "it or of the till sending it (POST /v1/till/checkpoint: that till already said it had "
        "uploaded everything of that time), and at most 5 minutes ahead of the platform's "
        "clock; outside them it is "
        "stored as a `conflict` with reason `offline_time_out_of_bounds` (422), never applied "
        "and never dropped. Expiry is judged at that time, and the summary's day and hour are "
        "those of that time in Europe/Rome. `till_id` is the till "
        "that made it: the authenticated one, or another (also revoked) till of the same shop, "
        "so a till paired again still uploads what it did under its old id; else 422 "
        "`invalid_request`."
    ),
    "redeem_batch": (
        "Upload redemptions made offline, for sync: `{items: [RedeemRequest]}`, at most 500. "
        "Each item is judged alone, in order, with the rules and the idempotency of POST "
        "/v1/redemptions, and gets one result at the same position, whose `redemption_id` echoes "
        "the item's as sent:\n\n"
        "- `accepted`: applied, now or earlier (a replay);\n"
        "- `conflict`: an offline redemption is a fact that happened, so one the voucher can no "
        "longer cover (or refused for any other business reason) is stored as a Redemption with "
        "status `conflict` and its reason, the voucher untouched, never dropped; replayed as "
        "such;\n"
        "- `rejected`: not stored, with `error`: the item is malformed or names no till of this "
        "shop (`invalid_request`), its id was used with another body "
        "(`idempotency_key_reused`), or a request with its id is still in flight "
        "(`request_in_flight`: send it again later).\n\n"
        "The whole request is 422 `invalid_request` only when the body is not `{items: [...]}` "
        "with at most 500 items."
    ),
    "list_redemptions": (
        "The redemptions of this till (`scope=till`, the default) or of its whole shop "
        "(`scope=shop`), every status, in their current state, in the platform's sequence (the "
        "order it stored them, stable: a void changes a redemption's state, not its place). "
        "For a till that lost its database and rebuilds its history: start without a cursor, "
        "follow `next_cursor` while `has_more`. A till paired again has a new `till_id`; what it "
        "did under the old one is found with `scope=shop` and that `till_id`. Offline "
        "redemptions that never reached the platform cannot be listed. `first_day` and "
        "`last_day` (shop-local days, Europe/Rome, both included) keep the redemptions of a "
        "period, judged at the time the day summary counts them: how an owner's statement "
        "lists every till of the shop. 400 `invalid_cursor` for a cursor this server did not "
        "issue; 422 `invalid_request` when `last_day` is before `first_day`."
    ),
    "get_redemption": (
        "A redemption of this shop (made by any of its tills) by id, in its current state. 404 "
        "`unknown_redemption` for an id this shop does not know."
    ),
    "void": (
        "Void an accepted redemption of this shop (a mistake at the counter) with a reason: its "
        "amount goes back to the voucher's balance exactly once and its status becomes `voided`. "
        "An online void (`offline` false, the default) happens when the platform receives it "
        "(`voided_at` of the request is informational; the stored one is the platform's time). "
        "An offline void (`offline` true: decided while the line was down, queued) keeps its "
        "claimed `voided_at` only if it is not before the redemption's time (5 minutes of "
        "skew), not older than the maximum offline age, not earlier than 5 minutes before the "
        "sending till's drain checkpoint (POST /v1/till/checkpoint) and at most 5 minutes "
        "ahead of the platform's clock, else 422 `offline_time_out_of_bounds`. Either way the "
        "void must lie "
        "within the platform's void window (`void_window_minutes`) after the redemption's time "
        "(its `recorded_at` online, its bounded `occurred_at` offline), else 422 "
        "`void_window_expired`: the till shows it to the owner as a conflict. Voiding a voided "
        "redemption returns it unchanged. 422 `not_voidable` for a refused or conflict one; "
        "404 `unknown_redemption`."
    ),
    "shop_vouchers": (
        "Every voucher of this shop changed after `cursor` (issued, redeemed, voided, cancelled), "
        "oldest change first, for the till's offline cache. Start without a cursor; after "
        "applying a page keep its `next_cursor` and send it next time, also when `has_more` is "
        "false (it is where the next sync resumes). 400 `invalid_cursor` for a cursor this "
        "server did not issue: start again without one."
    ),
    "shop_payouts": (
        "The shop's payouts: what the platform pays it for redeemed vouchers, one per period and "
        "currency, `scheduled` when the period is closed and `paid` with `paid_at` and "
        "`bank_reference` once the transfer is made. `redemption_ids` are the redemptions it "
        "pays (each redemption also names its `payout_id`); `lines` add the adjustments: a "
        "redemption voided after its payout closed is taken back as a negative line in the next "
        "payout. Payouts changed after `cursor` (made or paid), oldest change first, with the "
        "cursor rules of /v1/shop/vouchers; 400 `invalid_cursor`."
    ),
    "revocations": (
        "Vouchers of this shop withdrawn by the platform, in the order they were revoked, with "
        "the same cursor rules as /v1/shop/vouchers. An offline till refuses a revoked voucher "
        "even when its signed code verifies."
    ),
    "keys": (
        "The platform's Ed25519 public keys, for checking signed voucher codes offline: `kid` is "
        "the 4-byte key id inside a code, `public_key` the raw 32 bytes in base64url. A "
        "rotated-out key stays listed until its `not_after`, so the codes it signed verify while "
        "they circulate; a till accepts a signed code only while its key lies within "
        "`not_before`..`not_after`."
    ),
    "summary": (
        "The shop's day across all its tills: accepted, not voided redemptions whose time (the "
        "platform's: `recorded_at` online, the bounded `occurred_at` offline) falls on `date` in "
        "Europe/Rome (default: today there). `totals` has one line per currency; `count`, "
        "`total_cents`, `by_till`, `by_hour` and `by_operator` are of `currency` (default EUR) "
        "only, so money of two currencies is never summed. Only tills, hours and operators with "
        "sales are listed (`operator` empty for redemptions without one). 422 "
        "`invalid_request` for a date outside 2000..2099."
    ),
}
