"""Parallel requests over real HTTP: a voucher is never overdrawn, an id applies once, a pairing
code pairs one till."""

from __future__ import annotations

# ruff: noqa: F811 - pytest fixtures are imported from tests.support.sandbox
import random
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.support.sandbox import Till, clock, pair, sandbox, shop, till  # noqa: F401

PARALLEL = 60
FACE = 10_000


def test_parallel_partial_redeems_never_overdraw(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, FACE, partial_allowed=True)
    second = pair(sandbox, shop, "Cassa 2")
    rng = random.Random(7)
    jobs = []
    for i in range(PARALLEL):
        who = till if i % 2 else second
        jobs.append((who, who.body(voucher["code"], rng.randint(100, 700))))

    # Each worker thread gets its own Session (requests.Session is not thread-safe).
    def run(job):
        who, body = job
        mine = Till(who.url, who.token, who.till_id, who.shop_id)
        return body, mine.redeem(body)

    with ThreadPoolExecutor(max_workers=24) as pool:
        outcomes = list(pool.map(run, jobs))

    accepted = [(b, r.json()) for b, r in outcomes if r.status_code == 201]
    refused = [r.json()["error"]["code"] for _, r in outcomes if r.status_code != 201]
    assert set(refused) <= {"insufficient_balance", "voucher_used"}, refused
    assert accepted and refused, "the amounts were chosen so the voucher runs out"
    final = sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"]
    assert final >= 0
    assert sum(b["amount_cents"] for b, _ in accepted) == FACE - final
    # every balance_after is distinct and consistent with some serial order of the accepted ones
    afters = sorted((r["balance_after_cents"] for _, r in accepted), reverse=True)
    assert len(set(afters)) == len(afters) and afters[-1] == final
    stored = sandbox.store.list_redemptions(voucher_id=voucher["voucher_id"])
    stored_accepted = [r["redemption_id"] for r in stored if r["status"] == "accepted"]
    assert sorted(stored_accepted) == sorted(b["redemption_id"] for b, _ in accepted)
    assert len(stored) == PARALLEL  # refusals are kept too, each once


def test_parallel_requests_with_one_id_apply_once(sandbox, shop, till):
    voucher = sandbox.store.create_voucher(shop, 5000, partial_allowed=True)
    body = till.body(voucher["code"], 700)

    def run(_):
        mine = Till(till.url, till.token, till.till_id, till.shop_id)
        return mine.redeem(body)

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(run, range(20)))
    statuses = sorted(r.status_code for r in replies)
    assert set(statuses) <= {201, 409}, statuses
    fresh = [r for r in replies if r.status_code == 201 and "Idempotent-Replayed" not in r.headers]
    assert len(fresh) == 1
    assert all(
        r.json()["error"]["code"] == "request_in_flight" for r in replies if r.status_code == 409
    )
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 4300
    assert len(sandbox.store.list_redemptions()) == 1


def test_a_pairing_code_pairs_one_till_even_in_parallel(sandbox, shop):
    code = sandbox.store.new_pairing_code(shop)

    def run(i):
        return requests.post(
            sandbox.url + "/v1/pairing",
            json={"pairing_code": code, "till_name": f"Cassa {i}"},
            timeout=10,
        ).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(pool.map(run, range(10)))
    assert statuses == [201] + [422] * 9


def test_one_id_through_both_endpoints_in_parallel_applies_once(sandbox, shop, till):
    """The single and the batch endpoint share one in-flight guard and one stored outcome."""
    voucher = sandbox.store.create_voucher(shop, 5000, partial_allowed=True)
    body = till.body(voucher["code"], 900, offline=True)

    def run(i):
        mine = Till(till.url, till.token, till.till_id, till.shop_id)
        if i % 2:
            return "single", mine.redeem(body)
        return "batch", mine.post("/v1/redemptions/batch", json={"items": [body]})

    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(run, range(16)))
    outcomes = set()
    for kind, reply in replies:
        if kind == "single":
            outcomes.add((kind, reply.status_code))
        else:
            result = reply.json()["results"][0]
            outcomes.add((kind, result["outcome"], (result["error"] or {}).get("code")))
    assert outcomes <= {
        ("single", 201),
        ("single", 409),
        ("batch", "accepted", None),
        ("batch", "rejected", "request_in_flight"),
    }, outcomes
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 4100
    assert len(sandbox.store.list_redemptions()) == 1


def test_parallel_voids_restore_the_balance_once(sandbox, shop, till, clock):
    voucher = sandbox.store.create_voucher(shop, 5000, partial_allowed=True)
    body = till.body(voucher["code"], 1500, occurred_at=clock.now())
    assert till.redeem(body).status_code == 201
    void = {"reason": "errore", "voided_at": body["occurred_at"]}

    def run(_):
        mine = Till(till.url, till.token, till.till_id, till.shop_id)
        return mine.post(f"/v1/redemptions/{body['redemption_id']}/void", json=void)

    with ThreadPoolExecutor(max_workers=12) as pool:
        replies = list(pool.map(run, range(12)))
    assert {r.status_code for r in replies} == {200}
    assert {r.json()["status"] for r in replies} == {"voided"}
    assert sandbox.store.get_voucher(voucher["voucher_id"])["balance_cents"] == 5000
