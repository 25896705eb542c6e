// What the Jest environment and the Mocha root hooks share: the id a test is announced under,
// its end with the runner's outcome, and the contract check that fails a test which passed
// but broke a contract on a seam, with the violations listed, or under `contracts = "warn"`
// prints them (as the pytest plugin does).
"use strict";
const path = require("node:path");
const seamline = require("./seamline");

// Only under `seamline run`: elsewhere the suites run as they would without seamline.
function announcing() {
  return Boolean(process.env.SEAMLINE_CONTROL_URL);
}

// "examples/shop/jest/checkout.test.js > checkout > charges the cart total once": the test
// file from the directory the runner was started in, then its describe blocks and its title.
function testId(file, titles) {
  return [file ? path.relative(process.cwd(), file) : "", ...titles].filter(Boolean).join(" > ");
}

function messageOf(error) {
  const text = error && error.message ? error.message : String(error);
  return text.slice(0, 2000);
}

// The test's contract check under the config's `contracts` mode, as the pytest plugin makes
// it: under "fail", an Error listing the violations, to fail the test with; under "warn", the
// violations are printed and null is returned (the test passes); under "off" there are none.
async function contractFailure(id) {
  const { violations, contracts } = await seamline.contractCheck();
  if (violations.length === 0) return null;
  const lines = violations.map((violation) => violation.message).join("\n  ");
  const text = `${violations.length} contract violation(s) on the seams in this test`;
  if (contracts === "warn") {
    console.warn(`seamline: ${id}: ${text} (contracts = "warn", so it passes):\n  ${lines}`);
    return null;
  }
  const error = new Error(`${text}:\n  ${lines}`);
  error.stack = error.message; // where it was found is in the message; our stack would mislead
  return error;
}

// The test's end: "failed" with the error's message when it has one, else "passed", unless
// the runner says otherwise ("skipped", "rerun", "error").
function end(id, { error = null, outcome = error ? "failed" : "passed" } = {}) {
  return seamline.end(id, { outcome, message: error ? messageOf(error) : "" });
}

module.exports = { announcing, begin: seamline.begin, contractFailure, end, testId };
