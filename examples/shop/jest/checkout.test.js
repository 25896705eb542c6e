// The user's scenario as a Jest suite: create a user, open a cart, add items, submit the
// order; then what crossed `api -> payments`, read through seamline's control API.
"use strict";

const CARD_OK = "4242424242424242";
const CARD_DECLINED = "4000000000000002";

async function send(method, path, body, headers = {}) {
  const response = await fetch(process.env.SEAMLINE_API_URL + path, {
    method,
    headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

// A user with a cart holding two mugs (39.98 USD), made step by step through the api.
async function cartWithTwoMugs() {
  const user = await send("POST", "/users", { email: `ada-${crypto.randomUUID()}@example.com`, name: "Ada Lovelace" });
  expect(user.status).toBe(201);
  const cart = await send("POST", "/carts", { user_id: user.json.id });
  expect(cart.status).toBe(201);
  expect(cart.json.items).toEqual([]);
  const mug = (await send("GET", "/products")).json.find((product) => product.sku === "MUG-SEAM");
  let added;
  for (const quantity of [1, 2]) {
    added = await send("POST", `/carts/${cart.json.id}/items`, { product_id: mug.id });
    expect(added.status).toBe(200);
    expect(added.json.items.map((item) => [item.sku, item.quantity])).toEqual([["MUG-SEAM", quantity]]);
  }
  expect([added.json.total_cents, added.json.currency]).toEqual([3998, "USD"]);
  return { user: user.json, cart: cart.json };
}

function order(cartId, card, requestId) {
  const headers = { "Idempotency-Key": crypto.randomUUID(), "X-Request-ID": requestId };
  return send("POST", "/orders", { cart_id: cartId, card_number: card }, headers);
}

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
    const headers = new Map(charges[0].request.headers.map(([name, value]) => [name.toLowerCase(), value]));
    expect(headers.get("x-request-id")).toBe(requestId);
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
