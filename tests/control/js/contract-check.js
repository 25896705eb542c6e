// One file for both runners (describe/it, node:assert): the Jest environment and the Mocha
// root hooks fail a test that passed but broke the api's contract, and the tests after it
// still run. tests/control/test_runners.py runs it under `seamline run`, against an api whose
// contract says GET /pid answers {"version": ...}, which it does not.
"use strict";
const assert = require("node:assert/strict");

const runner = process.env.JEST_WORKER_ID ? "jest" : "mocha";
const get = (path) => fetch(process.env.SEAMLINE_API_URL + path);

describe(runner, () => {
  it("keeps the contract", async () => {
    assert.equal((await get("/health")).status, 200);
  });

  it("passes but breaks the contract", async () => {
    assert.equal((await get("/pid")).status, 200);
  });

  it("passes but breaks the contract, done-style", (done) => {
    get("/pid").then((response) => done(response.status === 200 ? undefined : new Error("not 200")), done);
  });

  it("fails its own assertion", async () => {
    assert.equal((await get("/health")).status, 418);
  });

  it("runs after them", async () => {
    assert.equal((await get("/health")).status, 200);
  });
});
