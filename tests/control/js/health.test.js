// One test that passes, one that fails: tests/control/test_runners.py reads their outcomes
// and exchanges in the report of the `seamline run` around Jest.
"use strict";

test("healthy", async () => {
  expect((await fetch(process.env.SEAMLINE_API_URL + "/health")).status).toBe(200);
  expect(await seamline.seam("test", "api").calls({ path: "/health" })).toHaveLength(1);
});

test("a teapot", async () => {
  expect((await fetch(process.env.SEAMLINE_API_URL + "/health")).status).toBe(418);
});
