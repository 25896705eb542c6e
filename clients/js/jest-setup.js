// Jest's setupFilesAfterEnv: `seamline` in every test file, as the pytest fixtures are:
//   const charges = await seamline.seam("api", "payments").calls({ method: "POST", path: "/charges" });
// With clients/js/jest-environment.js as the testEnvironment, each test is announced to seamline.
"use strict";
globalThis.seamline = require("./seamline");
