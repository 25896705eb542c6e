// A synchronous call to seamline's control API, for callbacks that cannot wait on a promise.
//
// Newman emits its reporters' events synchronously and goes on at once: a reporter's
// `beforeItem` must have announced the test before the item's request leaves, or the request
// is recorded under no test. The request runs on a worker thread while this thread waits on
// a shared flag (Atomics.wait), so the event handler returns only once seamline answered.
"use strict";
const { MessageChannel, Worker, receiveMessageOnPort } = require("node:worker_threads");

const TIMEOUT_MS = 30000;

// Runs in the worker: one fetch per message, the answer posted back, then the flag raised.
const WORKER = `
const http = require("node:http");
const { workerData } = require("node:worker_threads");
const { port, flag } = workerData;
const done = new Int32Array(flag);
// one kept-alive connection: node:http answers in about half the time fetch takes here
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function finish(answer) {
  port.postMessage(answer);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}
port.on("message", ({ method, url, body }) => {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const headers = data === undefined ? {} : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) };
  const request = http.request(url, { method, headers, agent }, (response) => {
    const chunks = [];
    response.on("data", (chunk) => chunks.push(chunk));
    response.on("end", () => finish({ status: response.statusCode, text: Buffer.concat(chunks).toString() }));
  });
  request.on("error", (err) => finish({ status: 0, text: JSON.stringify({ error: String(err) }) }));
  request.end(data);
});
`;

class BlockingClient {
  constructor() {
    this.flag = new SharedArrayBuffer(4);
    this.done = new Int32Array(this.flag);
    this.start();
  }

  start() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const workerData = { port: port2, flag: this.flag };
    this.worker = new Worker(WORKER, { eval: true, workerData, transferList: [port2] });
    this.worker.unref(); // the run ends when Newman does, not when this thread would
  }

  // -> {status, json}; status 0 when seamline could not be reached.
  call(method, url, body) {
    Atomics.store(this.done, 0, 0);
    this.port.postMessage({ method, url, body });
    if (Atomics.wait(this.done, 0, 0, TIMEOUT_MS) === "timed-out") {
      // a late answer must not be taken for the next call's: a fresh worker and port
      this.close();
      this.start();
      return { status: 0, json: { error: `no answer from ${url} in ${TIMEOUT_MS} ms` } };
    }
    const { status, text } = receiveMessageOnPort(this.port).message;
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = { error: text };
    }
    return { status, json };
  }

  close() {
    this.worker.terminate();
  }
}

module.exports = { BlockingClient };
