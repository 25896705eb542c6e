"""Submit one order N times at once with the same Idempotency-Key; check it was paid once.

    python scripts/race_check.py --api http://127.0.0.1:8000 --payments http://127.0.0.1:8001

Against a running api (and payments): creates a user and a cart, then fires N simultaneous
`POST /orders`, each on its own connection. Passes when every answer names the same order in
the same state, exactly one answer is fresh (`Idempotent-Replayed: false`, 201 for a paid
order) and the others replays, the stored order agrees, and payments holds exactly one charge
for it. Exits 1 and says what differed otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

import httpx


async def race(api: str, n: int, card: str) -> tuple[list[httpx.Response], list[float], int]:
    limits = httpx.Limits(max_connections=n + 5, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=api, timeout=30, limits=limits) as client:
        email = f"race-{uuid.uuid4().hex[:10]}@example.com"
        user = (
            await client.post("/users", json={"email": email, "name": "Race"})
        ).raise_for_status()
        cart = (await client.post("/carts", json={"user_id": user.json()["id"]})).raise_for_status()
        cart_id = cart.json()["id"]
        for product_id, quantity in ((1, 2), (3, 1)):
            item = {"product_id": product_id, "quantity": quantity}
            (await client.post(f"/carts/{cart_id}/items", json=item)).raise_for_status()
        key = str(uuid.uuid4())
        start = asyncio.Event()

        async def submit(i: int) -> tuple[httpx.Response, float]:
            await start.wait()
            t0 = time.perf_counter()
            response = await client.post(
                "/orders",
                json={"cart_id": cart_id, "card_number": card},
                headers={"Idempotency-Key": key, "X-Request-ID": f"race-{i}"},
            )
            return response, time.perf_counter() - t0

        tasks = [asyncio.create_task(submit(i)) for i in range(n)]
        await asyncio.sleep(0.05)  # every task waiting on the event, then all go at once
        start.set()
        results = await asyncio.gather(*tasks)
    return [r for r, _ in results], [t for _, t in results], cart_id


def check(
    responses: list[httpx.Response], api: str, payments: str | None, since: datetime
) -> list[str]:
    problems: list[str] = []
    bodies = [r.json() for r in responses]
    orders = [b.get("order", b) for b in bodies]
    ids = Counter(o.get("id") for o in orders)
    states = Counter(o.get("status") for o in orders)
    codes = Counter(r.status_code for r in responses)
    fresh = [r for r in responses if r.headers.get("Idempotent-Replayed") == "false"]
    print(f"status codes: {dict(codes)}; order ids: {dict(ids)}; states: {dict(states)}")
    if len(ids) != 1 or None in ids:
        problems.append(f"expected every answer to name one order, found {dict(ids)}")
    if len(states) != 1:
        problems.append(f"expected one state in every answer, found {dict(states)}")
    if len(fresh) != 1:
        problems.append(f"expected exactly one fresh (not replayed) answer, found {len(fresh)}")
    if states.get("paid") == len(responses) and codes != Counter({201: 1, 200: len(responses) - 1}):
        problems.append(
            f"expected one 201 and {len(responses) - 1} x 200 for a paid order, found {dict(codes)}"
        )
    if problems or not ids:
        return problems
    order_id = next(iter(ids))
    stored = httpx.get(f"{api}/orders/{order_id}").json()
    if stored["status"] != orders[0]["status"] or stored["charge_id"] != orders[0]["charge_id"]:
        problems.append(f"expected the stored order to match the answers, found {stored}")
    if payments and stored["status"] == "paid":
        charges = httpx.get(f"{payments}/charges").json()["data"]
        # Charges made since the race began for this order (payments may outlive databases,
        # so an order id alone could match an older run's charge).
        mine = [
            c
            for c in charges
            if c["description"] == f"shop order {order_id}"
            and datetime.fromisoformat(c["created"]) >= since
        ]
        if len(mine) != 1:
            problems.append(f"expected exactly one charge for order {order_id}, found {len(mine)}")
    print(f"order {order_id}: {stored['status']}, charge {stored['charge_id']}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--api", required=True, help="the api's base URL")
    parser.add_argument("--payments", help="payments' base URL, to count the charges made")
    parser.add_argument("-n", type=int, default=20, help="simultaneous submissions (default 20)")
    parser.add_argument("--card", default="4242424242424242")
    args = parser.parse_args()
    t0, since = time.perf_counter(), datetime.now(UTC)
    responses, latencies, cart_id = asyncio.run(race(args.api.rstrip("/"), args.n, args.card))
    wall = time.perf_counter() - t0
    print(
        f"{args.n} submissions for cart {cart_id}: latency min {min(latencies) * 1000:.0f} ms, "
        f"median {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
        f"(whole check {wall:.2f} s)"
    )
    payments = args.payments.rstrip("/") if args.payments else None
    problems = check(responses, args.api.rstrip("/"), payments, since)
    for problem in problems:
        print("FAIL:", problem)
    print("FAIL" if problems else "OK: one order, one charge, one consistent answer")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
