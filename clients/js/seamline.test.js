// The helper against a real system: run by tests/control/test_js_client.py under `seamline run`.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const seamline = require("./seamline");

test("announces a test and reads its calls through the seam", async () => {
  await seamline.begin("js > health");
  const response = await fetch(process.env.SEAMLINE_API_URL + "/health");
  assert.strictEqual(response.status, 200);
  const calls = await seamline.seam("test", "api").calls({ method: "GET", path: "/health" });
  assert.strictEqual(calls.length, 1);
  assert.strictEqual(calls[0].test, "js > health");
  assert.deepStrictEqual(await seamline.seam("test", "api").calls({ method: "POST" }), []);
  const ended = await seamline.end("js > health");
  assert.deepStrictEqual(ended.violations, []);
});

test("switches a seam to a stub and says what is wrong", async () => {
  await seamline.begin("js > stub");
  await seamline.seam("test", "api").useStub([
    { request: { url: "/health" }, response: { status: 200, body: "from the stub" } },
  ]);
  assert.strictEqual(await (await fetch(process.env.SEAMLINE_API_URL + "/health")).text(), "from the stub");
  await assert.rejects(seamline.seam("test", "apj").calls(), (err) => err.status === 404 && /did you mean/.test(err.message));
  await seamline.end("js > stub");
});
