// The user's scenario as a Mocha suite: create a user, open a cart, add items, submit the
// order (../node/checkout.js); then what crossed `api -> payments`, read through seamline's
// control API with the global `seamline` of clients/js/mocha-setup.js.
"use strict";
const assert = require("node:assert/strict");
const { CARD_OK, cartWithTwoMugs, header, order } = require("../node/checkout");

const charges = () => seamline.seam("api", "payments").calls({ method: "POST", path: "/charges" });

describe("checkout", function () {
  it("charges the cart total once and stores the paid order", async function () {
    const { user, cart } = await cartWithTwoMugs();
    const requestId = `mocha-${crypto.randomUUID()}`;

    const placed = await order(cart.id, CARD_OK, requestId);

    assert.equal(placed.status, 201);
    assert.deepEqual([placed.json.status, placed.json.total_cents], ["paid", 3998]);
    const [charge, ...more] = await charges();
    assert.deepEqual(more, [], "one charge");
    const sent = JSON.parse(charge.request.body.text);
    assert.deepEqual([sent.amount, sent.currency, sent.card_number], [3998, "USD", CARD_OK]);
    assert.equal(header(charge, "X-Request-ID"), requestId);
    assert.equal(charge.response.status, 201);
    const stored = await seamline.db.one("orders", { id: placed.json.id });
    assert.deepEqual([stored.user_id, stored.status, stored.charge_id], [user.id, "paid", placed.json.charge_id]);
  });

  it("with payments down the order is refused and nothing is charged", async function () {
    const { cart } = await cartWithTwoMugs();
    await seamline.seam("api", "payments").fault({ status: 503 }); // back to real after the test

    const refused = await order(cart.id, CARD_OK, `mocha-${crypto.randomUUID()}`);

    assert.equal(refused.status, 502);
    assert.deepEqual((await charges()).map((exchange) => [exchange.mode, exchange.response.status]), [["fault", 503]]);
    assert.equal(await seamline.db.count("orders", { cart_id: cart.id, status: "paid" }), 0);
  });
});
