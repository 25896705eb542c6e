// The user's scenario as a Jest suite: create a user, open a cart, add items, submit the
// order (../node/checkout.js); then what crossed `api -> payments`, read through seamline's
// control API.
"use strict";
const { CARD_DECLINED, CARD_OK, cartWithTwoMugs, header, order } = require("../node/checkout");

describe("checkout", () => {
  test("charges the cart total once and stores the paid order", async () => {
    const { user, cart } = await cartWithTwoMugs();
    const requestId = `jest-${crypto.randomUUID()}`;

    const placed = await order(cart.id, CARD_OK, requestId);

    expect(placed.status).toBe(201);
    expect([placed.json.status, placed.json.total_cents]).toEqual(["paid", 3998]);
    const charges = await seamline.seam("api", "payments").calls({ method: "POST", path: "/charges" });
    expect(charges).toHaveLength(1);
    const sent = JSON.parse(charges[0].request.body.text);
    expect([sent.amount, sent.currency, sent.card_number]).toEqual([3998, "USD", CARD_OK]);
    expect(header(charges[0], "X-Request-ID")).toBe(requestId);
    expect(charges[0].response.status).toBe(201);
    expect(await seamline.violations()).toEqual([]);
    const stored = await seamline.db.one("orders", { id: placed.json.id });
    expect([stored.user_id, stored.status, stored.charge_id]).toEqual([user.id, "paid", placed.json.charge_id]);
  });

  test("a declined card fails the order with 402 after one charge attempt", async () => {
    const { cart } = await cartWithTwoMugs();

    const declined = await order(cart.id, CARD_DECLINED, `jest-${crypto.randomUUID()}`);

    expect(declined.status).toBe(402);
    const charges = await seamline.seam("api", "payments").calls({ method: "POST", path: "/charges" });
    expect(charges.map((charge) => charge.response.status)).toEqual([402]);
  });
});
