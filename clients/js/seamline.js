// seamline's control API from Node tests (Jest, Mocha, node --test): plain Node 18+, no deps.
//
//   const seamline = require("./seamline");
//   beforeEach(() => seamline.begin(expect.getState().currentTestName));   // Jest
//   afterEach(() => seamline.end(currentName, { outcome: "passed" }));
//   const calls = await seamline.seam("api", "payments").calls({ method: "POST", path: "/charges" });
//
// The address comes from SEAMLINE_CONTROL_URL, which `seamline run` sets (docs/control-api.yaml).
"use strict";

class SeamlineError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function controlUrl() {
  const url = process.env.SEAMLINE_CONTROL_URL;
  if (!url) {
    throw new SeamlineError(0, "SEAMLINE_CONTROL_URL is not set: run the tests under `seamline run PATH -- COMMAND`");
  }
  return url.replace(/\/$/, "");
}

async function call(method, path, body) {
  const response = await fetch(controlUrl() + path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    throw new SeamlineError(response.status, `seamline ${method} ${path}: ${answer.error}`);
  }
  return answer;
}

function seamPath(consumer, provider) {
  return `/seams/${encodeURIComponent(consumer)}/${encodeURIComponent(provider)}`;
}

// A seam's view, as `system.seam(consumer, provider)` in pytest.
function seam(consumer, provider) {
  const base = seamPath(consumer, provider);
  return {
    // {method, path, status, allTests} -> the exchanges (journal lines) that match.
    async calls(filters = {}) {
      const query = new URLSearchParams();
      for (const key of ["method", "path", "status"]) {
        if (filters[key] !== undefined) query.set(key, String(filters[key]));
      }
      if (filters.allTests) query.set("all_tests", "true");
      const suffix = query.toString() ? `?${query}` : "";
      return (await call("GET", `${base}/calls${suffix}`)).calls;
    },
    useReal: () => call("POST", `${base}/mode`, { mode: "real" }),
    useStub: (mappings) => call("POST", `${base}/mode`, { mode: "stub", mappings }),
    fault: (fault) => call("POST", `${base}/mode`, { mode: "fault", fault }),
  };
}

module.exports = {
  SeamlineError,
  begin: (test) => call("POST", "/tests/begin", { test }),
  // -> {test, outcome, violations, contracts}: the outcome recorded, the test's contract
  // violations and the contracts mode (see contractCheck).
  end: (test, { outcome = "passed", message = "" } = {}) =>
    call("POST", "/tests/end", { test, outcome, message }),
  seam,
  violations: async () => (await call("GET", "/violations")).violations,
  // -> {violations, contracts}: with the config's contracts mode ("fail", "warn" or "off"),
  // which says whether the violations fail the test, as under pytest.
  contractCheck: () => call("GET", "/violations"),
  db: {
    one: async (table, where = {}, database) => (await call("POST", "/db/one", { table, where, database })).row,
    count: async (table, where = {}, database) => (await call("POST", "/db/count", { table, where, database })).count,
    changes: async (table, database) => (await call("POST", "/db/changes", { table, database })).changes,
  },
};
