// Mocha's root hooks plugin for suites run under `seamline run`: each test is announced to
// seamline's control API at its begin and end, so every exchange it causes (its hooks' too) is
// attributed to it in the report, with its outcome; a test that passed but broke a contract on
// a seam fails with the violations listed. `seamline` is a global, as with the Jest setup.
//
//   mocha --require <repo>/clients/js/mocha-setup.js          // or in .mocharc.js:
//   module.exports = { require: [require.resolve("<repo>/clients/js/mocha-setup.js")] };
//
//   const charges = await seamline.seam("api", "payments").calls({ method: "POST", path: "/charges" });
//
// Ids are the Jest helper's: "examples/shop/mocha/checkout.test.js > checkout > charges once".
// The contract check runs at the end of the test's own function, not in afterEach: Mocha stops
// a whole suite when an afterEach hook fails, and the other tests must still run.
"use strict";
const hooks = require("./test-hooks");

globalThis.seamline = require("./seamline");

const CHECKED = Symbol("seamline contract check");
const errors = new WeakMap(); // test -> why it failed, for its end (Mocha keeps no such field)

function failed(test, err) {
  errors.set(test, err);
  return err;
}

// The test's function, followed by the contract check, remembering why the test failed; the
// same arity, as Mocha decided when the test was defined whether it takes a `done` callback.
function withContractCheck(fn) {
  if (fn[CHECKED]) return fn; // a retried test is a clone carrying the checked function
  const checked = fn.length > 0
    ? function (done) {
        const finish = (err) => done(err ? failed(this.test, err) : undefined);
        try {
          return fn.call(this, (err) => (err ? finish(err) : hooks.contractFailure(idOf(this.test)).then(finish, finish)));
        } catch (err) {
          throw failed(this.test, err);
        }
      }
    : async function () {
        try {
          await fn.call(this);
        } catch (err) {
          throw failed(this.test, err);
        }
        const failure = await hooks.contractFailure(idOf(this.test));
        if (failure) throw failed(this.test, failure);
      };
  checked[CHECKED] = true;
  return checked;
}

function idOf(test) {
  return hooks.testId(test.file, test.titlePath());
}

// The test's outcome for seamline, and why when it did not pass.
function resultOf(test) {
  if (test.isPending()) return { outcome: "skipped" };
  if (test.state === "passed") return { outcome: "passed" };
  if (test.state === "failed") {
    const timeout = test.timedOut ? `Timeout of ${test.timeout()}ms exceeded` : "failed";
    return { outcome: "failed", error: errors.get(test) || new Error(timeout) };
  }
  // neither passed, failed nor pending: an attempt that failed and that Mocha runs again
  // (`this.retries(n)`; "rerun", as pytest-rerunfailures says, is not a failure of the run), or
  // a beforeEach hook failed before the test could run
  if (errors.has(test)) return { outcome: "rerun", error: errors.get(test) };
  return { outcome: "error", error: new Error("did not run: a beforeEach hook failed") };
}

exports.mochaHooks = hooks.announcing()
  ? {
      async beforeEach() {
        const test = this.currentTest;
        await hooks.begin(idOf(test));
        if (test.fn) test.fn = withContractCheck(test.fn);
      },
      async afterEach() {
        const test = this.currentTest;
        await hooks.end(idOf(test), resultOf(test));
      },
    }
  : {};
