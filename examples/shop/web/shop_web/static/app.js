// The shop's page: sign up, fill a cart, pay. Every step is one call to the api, whose
// address comes from /config.js (written by the web server from its API_URL).
"use strict";

(() => {
  const API = (window.SHOP_CONFIG && window.SHOP_CONFIG.apiUrl) || "";
  const byId = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const state = { user: null, cart: null, orderKey: null, busy: false, ordered: false };

  // --- talking to the api ------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message, body) {
      super(message);
      this.status = status;
      this.code = code;
      this.body = body;
    }
  }

  async function api(method, path, body, headers = {}) {
    let response;
    try {
      response = await fetch(API + path, {
        method,
        headers: body ? { "Content-Type": "application/json", ...headers } : headers,
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      throw new ApiError(0, "network", `The shop's API at ${API} could not be reached.`, null);
    }
    const data = await response.json().catch(() => null);
    if (response.ok) return data;
    throw new ApiError(response.status, errorCode(data), errorMessage(response, data), data);
  }

  function errorCode(data) {
    return (data && data.error && data.error.code) || "error";
  }

  function errorMessage(response, data) {
    if (data && data.error && data.error.message) return data.error.message;
    if (data && Array.isArray(data.detail)) {
      return data.detail.map((d) => `${d.loc.slice(1).join(".")}: ${d.msg}`).join("; ");
    }
    return `The API answered ${response.status} ${response.statusText}.`;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // --- showing things ----------------------------------------------------------------------

  const money = (cents, currency) =>
    new Intl.NumberFormat("en-US", { style: "currency", currency: currency || "USD" }).format(cents / 100);

  function showError(message) {
    const box = byId("error");
    box.textContent = message;
    box.hidden = !message;
  }

  function showStatus(message) {
    byId("status").textContent = message;
  }

  function refreshControls() {
    const open = Boolean(state.user && state.cart) && !state.ordered;
    document.querySelectorAll("[data-add-to-cart]").forEach((button) => {
      button.disabled = !open || state.busy;
    });
    const hasItems = Boolean(state.cart && state.cart.items.length);
    byId("place-order").disabled = !hasItems || state.busy;
    byId("place-order").textContent = hasItems
      ? `Pay ${money(state.cart.total_cents, state.cart.currency)}`
      : "Place order";
  }

  function renderProducts(products) {
    const list = byId("product-list");
    list.replaceChildren(
      ...products.map((product) => {
        const item = document.createElement("li");
        item.dataset.testid = `product-${product.sku}`;
        const name = document.createElement("span");
        name.className = "name";
        name.textContent = product.name;
        const price = document.createElement("span");
        price.textContent = money(product.price_cents, product.currency);
        price.dataset.testid = `price-${product.sku}`;
        const add = document.createElement("button");
        add.type = "button";
        add.textContent = "Add to cart";
        add.setAttribute("aria-label", `Add ${product.name} to cart`);
        add.dataset.testid = `add-to-cart-${product.sku}`;
        add.dataset.addToCart = String(product.id);
        add.addEventListener("click", () => addToCart(product));
        const description = document.createElement("span");
        description.className = "description";
        description.textContent = product.description;
        item.append(name, price, add, description);
        return item;
      }),
    );
    byId("products-loading").hidden = true;
  }

  function renderCart() {
    const cart = state.cart;
    const items = cart ? cart.items : [];
    byId("cart-empty").hidden = items.length > 0;
    byId("cart-items").hidden = items.length === 0;
    byId("cart-items").querySelector("tbody").replaceChildren(
      ...items.map((line) => {
        const row = document.createElement("tr");
        row.dataset.testid = `cart-item-${line.sku}`;
        for (const text of [line.name, String(line.quantity), money(line.line_total_cents, cart.currency)]) {
          const cell = document.createElement("td");
          cell.textContent = text;
          row.append(cell);
        }
        return row;
      }),
    );
    byId("cart-total").textContent = cart ? money(cart.total_cents, cart.currency) : "";
    refreshControls();
  }

  // --- the steps ---------------------------------------------------------------------------

  async function loadProducts() {
    try {
      renderProducts(await api("GET", "/products"));
    } catch (err) {
      byId("products-loading").textContent = "The catalogue could not be loaded.";
      showError(err.message);
    }
    refreshControls();
  }

  async function startCart() {
    state.cart = await api("POST", "/carts", { user_id: state.user.id });
    state.orderKey = null;
    state.ordered = false;
    renderCart();
  }

  async function signUp(event) {
    event.preventDefault();
    const form = event.currentTarget;
    showError("");
    try {
      state.user = await api("POST", "/users", {
        name: form.elements.name.value.trim(),
        email: form.elements.email.value.trim(),
      });
      await startCart();
      byId("account").hidden = true;
      const badge = byId("user-badge");
      badge.textContent = `Signed in as ${state.user.name} (${state.user.email})`;
      badge.hidden = false;
      showStatus("Welcome! Add something to your cart.");
    } catch (err) {
      showError(err.code === "email_taken" ? "That email is already registered: try another." : err.message);
    }
  }

  async function addToCart(product) {
    showError("");
    try {
      state.cart = await api("POST", `/carts/${state.cart.id}/items`, { product_id: product.id, quantity: 1 });
      renderCart();
      showStatus(`${product.name} added to your cart.`);
    } catch (err) {
      showError(err.message);
    }
  }

  async function placeOrder(event) {
    event.preventDefault();
    const cardNumber = byId("card-number").value.replace(/[\s-]/g, "");
    showError("");
    // One key per checkout attempt: a double click or a retry after a network error or a
    // payments outage resends the same key, so the api never charges twice.
    state.orderKey = state.orderKey || newKey();
    state.busy = true;
    refreshControls();
    showStatus("Paying…");
    try {
      const order = await api(
        "POST", "/orders", { cart_id: state.cart.id, card_number: cardNumber },
        { "Idempotency-Key": state.orderKey },
      );
      showConfirmation(order);
    } catch (err) {
      showStatus("");
      if (err.status === 402) {
        state.orderKey = null; // declined: the next attempt, with another card, is a new order
        showError(`Payment declined: ${err.message}`);
      } else if (err.status === 502 || err.status === 504) {
        showError(`The payment could not be completed (${err.message}). You have not been charged twice: try again.`);
      } else {
        showError(err.message);
      }
    } finally {
      state.busy = false;
      refreshControls();
    }
  }

  function showConfirmation(order) {
    state.ordered = true; // this cart is paid for: "Shop again" starts a new one
    byId("order-id").textContent = String(order.id);
    byId("order-status").textContent = order.status;
    byId("order-total").textContent = money(order.total_cents, order.currency);
    byId("checkout").hidden = true;
    const confirmation = byId("confirmation");
    confirmation.hidden = false;
    confirmation.focus();
    showStatus(`Order ${order.id} is ${order.status}.`);
  }

  async function shopAgain() {
    showError("");
    try {
      await startCart();
      byId("confirmation").hidden = true;
      byId("checkout").hidden = false;
      byId("card-number").value = "";
      showStatus("A new, empty cart.");
    } catch (err) {
      showError(err.message);
    }
  }

  byId("signup-form").addEventListener("submit", signUp);
  byId("checkout-form").addEventListener("submit", placeOrder);
  byId("new-cart").addEventListener("click", shopAgain);
  if (!API) showError("No API_URL: the page does not know where the shop's API is.");
  else loadProducts();
})();
