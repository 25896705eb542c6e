// Jest's test environment for suites run under `seamline run`: each test is announced to
// seamline's control API, so every exchange it causes is attributed to it in the report, and
// ended with its outcome (a failed test is failed there too). A test that passed but broke a
// contract on a seam fails with the violations listed.
//
//   // jest.config.js
//   module.exports = {
//     testEnvironment: require.resolve("<repo>/clients/js/jest-environment.js"),
//     setupFilesAfterEnv: [require.resolve("<repo>/clients/js/jest-setup.js")],  // `seamline`
//   };
//
// Jest's afterEach cannot see whether the test failed; the environment's event handler can,
// and Jest waits for it, so the end is announced before the next test begins. An error added
// to the test at `test_done` still fails it: Jest reads the errors once the file has run.
"use strict";
const { TestEnvironment } = require("jest-environment-node");
const hooks = require("./test-hooks");

// The describe blocks' names and the test's (the root block, which has no parent, is not one).
function titles(test) {
  const names = [];
  for (let block = test; block && block.parent; block = block.parent) names.unshift(block.name);
  return names;
}

function firstError(test) {
  const first = test.errors[0];
  return Array.isArray(first) ? first[0] : first;
}

class SeamlineEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    this.announce = hooks.announcing();
  }

  async handleTestEvent(event) {
    if (!this.announce) return;
    const id = () => hooks.testId(this.testPath, titles(event.test));
    if (event.name === "test_start") {
      await hooks.begin(id());
    } else if (event.name === "test_done") {
      let error = event.test.errors.length > 0 ? firstError(event.test) : null;
      if (!error) {
        error = await hooks.contractFailure(id());
        if (error) event.test.errors.push(error);
      }
      await hooks.end(id(), { error });
    }
  }
}

module.exports = SeamlineEnvironment;
