// `newman run COLLECTION -r cli,seamline`: each request item is a test in seamline's report.
//
// Under `seamline run`, the item is announced to the control API (SEAMLINE_CONTROL_URL)
// before its request leaves and ended once its test script ran: every exchange the item
// causes, on every seam, is attributed to it, and its outcome is its assertions'. The test's
// id is the item's path in the collection: "shop > checkout > create a user". Without
// SEAMLINE_CONTROL_URL the reporter says so once and the collection runs as it would.
"use strict";
const { BlockingClient } = require("../blocking");

// "collection > folder > item", plus " [iteration N]" when the run iterates.
function itemId(item, cursor, iterations) {
  const names = [];
  for (let node = item; node; node = typeof node.parent === "function" ? node.parent() : undefined) {
    if (node.name) names.unshift(node.name);
  }
  const id = names.join(" > ");
  return iterations > 1 ? `${id} [iteration ${cursor.iteration + 1}]` : id;
}

function SeamlineReporter(emitter, _reporterOptions, runOptions) {
  const base = (process.env.SEAMLINE_CONTROL_URL || "").replace(/\/$/, "");
  if (!base) {
    console.warn("newman-reporter-seamline: SEAMLINE_CONTROL_URL is not set, nothing announced (run newman under `seamline run PATH -- newman ...`)");
    return;
  }
  const client = new BlockingClient();
  const iterations = runOptions.iterationCount || 1;
  let current = null; // {id, failures: [..], errors: [..]}

  function call(path, body) {
    const { status, json } = client.call("POST", base + path, body);
    if (status !== 200) {
      console.warn(`newman-reporter-seamline: POST ${path} answered ${status}: ${json.error}`);
    }
    return json;
  }

  emitter.on("beforeItem", (_err, o) => {
    current = { id: itemId(o.item, o.cursor, iterations), failures: [], errors: [] };
    call("/tests/begin", { test: current.id });
  });
  emitter.on("request", (err) => {
    if (err && current) current.errors.push(`request failed: ${err.message}`);
  });
  emitter.on("assertion", (err, o) => {
    if (err && current && !o.skipped) current.failures.push(`${o.assertion}: ${err.message}`);
  });
  emitter.on("item", () => {
    if (!current) return;
    const { id, failures, errors } = current;
    current = null;
    const outcome = errors.length ? "error" : failures.length ? "failed" : "passed";
    // keep_data: the next item builds on what this one made (the user, the cart)
    call("/tests/end", { test: id, outcome, message: [...errors, ...failures].join("\n"), keep_data: true });
  });
  emitter.on("done", () => client.close());
}

module.exports = SeamlineReporter;
module.exports.itemId = itemId;
