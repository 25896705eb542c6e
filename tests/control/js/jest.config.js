"use strict";
const clients = require("node:path").join(__dirname, "..", "..", "..", "clients", "js");

module.exports = {
  rootDir: __dirname,
  testEnvironment: require.resolve(`${clients}/jest-environment.js`),
  setupFilesAfterEnv: [require.resolve(`${clients}/jest-setup.js`)],
  testTimeout: 30000,
};
