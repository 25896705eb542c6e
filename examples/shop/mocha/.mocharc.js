// The shop's Mocha suite: run under `seamline run`, which starts the shop and sets
// SEAMLINE_API_URL and SEAMLINE_CONTROL_URL (docs/runners.md):
//   seamline run examples/shop -- clients/js/node_modules/.bin/mocha --config examples/shop/mocha/.mocharc.js
"use strict";
const path = require("node:path");
const clients = path.join(__dirname, "..", "..", "..", "clients", "js");

module.exports = {
  require: [path.join(clients, "mocha-setup.js")], // announces each test, the global `seamline`
  spec: [path.join(__dirname, "*.test.js")],
  timeout: 30000, // a shared CI machine; the steps take well under a second
};
