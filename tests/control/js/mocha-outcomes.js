// Mocha's own ways to end a test, as the root hooks report them: a retried attempt, a skip from
// inside the test, a beforeEach hook that failed. tests/control/test_runners.py reads them.
"use strict";

let attempts = 0;

describe("outcomes", () => {
  it("passes on its second attempt", function () {
    this.retries(1);
    attempts += 1;
    if (attempts === 1) throw new Error("the first attempt fails");
  });

  it("skips itself", function () {
    this.skip();
  });
});

describe("broken setup", () => {
  beforeEach(() => {
    throw new Error("setup broke");
  });

  it("never runs", () => {});
});
