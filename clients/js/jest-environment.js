// Jest's test environment for suites run under `seamline run`: each test is announced to
// seamline's control API, so every exchange it causes is attributed to it in the report, and
// ended with its outcome (a failed test is failed there too).
//
//   // jest.config.js
//   module.exports = {
//     testEnvironment: require.resolve("<repo>/clients/js/jest-environment.js"),
//     setupFilesAfterEnv: [require.resolve("<repo>/clients/js/jest-setup.js")],  // `seamline`
//   };
//
// Jest's afterEach cannot see whether the test failed; the environment's event handler can,
// and Jest waits for it, so the end is announced before the next test begins.
"use strict";
const path = require("node:path");
const { TestEnvironment } = require("jest-environment-node");
const seamline = require("./seamline");

// "checkout.test.js > checkout > charges the cart total once": the file, describes, test.
function testId(file, test) {
  const names = [];
  for (let block = test; block && block.parent; block = block.parent) names.unshift(block.name);
  return [file, ...names].join(" > ");
}

function failure(test) {
  const first = test.errors[0];
  const error = Array.isArray(first) ? first[0] : first;
  return error && error.message ? error.message.slice(0, 2000) : String(error);
}

class SeamlineEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.file = path.relative(process.cwd(), context.testPath);
    this.announce = Boolean(process.env.SEAMLINE_CONTROL_URL);
  }

  async handleTestEvent(event) {
    if (!this.announce) return;
    if (event.name === "test_start") {
      await seamline.begin(testId(this.file, event.test));
    } else if (event.name === "test_done") {
      const failed = event.test.errors.length > 0;
      await seamline.end(testId(this.file, event.test), {
        outcome: failed ? "failed" : "passed",
        message: failed ? failure(event.test) : "",
      });
    }
  }
}

module.exports = SeamlineEnvironment;
module.exports.testId = testId;
