// What the Jest environment and the Mocha root hooks share: the id a test is announced under,
// its end with the runner's outcome, and the contract check that fails a test which passed
// but broke a contract on a seam, with the violations listed (as the pytest plugin does).
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

// An Error listing the current test's contract violations, or null when there is none.
async function contractFailure() {
  const violations = await seamline.violations();
  if (violations.length === 0) return null;
  const lines = violations.map((violation) => violation.message).join("\n  ");
  const error = new Error(`${violations.length} contract violation(s) on the seams in this test:\n  ${lines}`);
  error.stack = error.message; // where it was found is in the message; our stack would mislead
  return error;
}

// The test's end: "failed" with the error's message when it has one, else "passed", unless
// the runner says otherwise ("skipped", "rerun", "error").
function end(id, { error = null, outcome = error ? "failed" : "passed" } = {}) {
  return seamline.end(id, { outcome, message: error ? messageOf(error) : "" });
}

module.exports = { announcing, begin: seamline.begin, contractFailure, end, testId };
