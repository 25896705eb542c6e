// The user's checkout steps through the shop's api, shared by its Jest and Mocha suites:
// create a user, open a cart, add items, submit the order. Plain Node 18+ (fetch, node:assert),
// so any runner can use it; SEAMLINE_API_URL is set by `seamline run`.
"use strict";
const assert = require("node:assert/strict");

// Jest runs test files in their own realm while `fetch` answers with the main realm's arrays:
// deepStrictEqual would find their prototypes differ. Their JSON does not.
function same(actual, expected) {
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

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
  assert.equal(user.status, 201);
  const cart = await send("POST", "/carts", { user_id: user.json.id });
  assert.equal(cart.status, 201);
  same(cart.json.items, []);
  const mug = (await send("GET", "/products")).json.find((product) => product.sku === "MUG-SEAM");
  let added;
  for (const quantity of [1, 2]) {
    added = await send("POST", `/carts/${cart.json.id}/items`, { product_id: mug.id });
    assert.equal(added.status, 200);
    same(added.json.items.map((item) => [item.sku, item.quantity]), [["MUG-SEAM", quantity]]);
  }
  same([added.json.total_cents, added.json.currency], [3998, "USD"]);
  return { user: user.json, cart: cart.json };
}

function order(cartId, card, requestId) {
  const headers = { "Idempotency-Key": crypto.randomUUID(), "X-Request-ID": requestId };
  return send("POST", "/orders", { cart_id: cartId, card_number: card }, headers);
}

// An exchange's request header, by name in any case (the journal keeps [name, value] pairs).
function header(exchange, name) {
  const found = exchange.request.headers.find(([key]) => key.toLowerCase() === name.toLowerCase());
  return found && found[1];
}

module.exports = { CARD_DECLINED, CARD_OK, cartWithTwoMugs, header, order, send };
