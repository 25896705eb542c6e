// A small Node project, as `seamline init` finds one: it listens on $PORT.
const http = require("http");
http
  .createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/plain" });
    response.end("hello\n");
  })
  .listen(Number(process.env.PORT), "127.0.0.1");
