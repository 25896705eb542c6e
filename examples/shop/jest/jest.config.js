// The shop's Jest suite: run under `seamline run`, which starts the shop and sets
// SEAMLINE_API_URL and SEAMLINE_CONTROL_URL (docs/runners.md):
//   seamline run examples/shop -- clients/js/node_modules/.bin/jest --config examples/shop/jest/jest.config.js
"use strict";
const clients = require("node:path").join(__dirname, "..", "..", "..", "clients", "js");

module.exports = {
  rootDir: __dirname,
  testEnvironment: require.resolve(`${clients}/jest-environment.js`),
  setupFilesAfterEnv: [require.resolve(`${clients}/jest-setup.js`)],
  testTimeout: 30000, // a shared CI machine; the steps take well under a second
};
