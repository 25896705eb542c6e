"""pytest-httpserver serving the bench's stub set until killed: python httpserver_peer.py PORT"""

import sys
import time

from pytest_httpserver import HTTPServer

HELLO = {"message": "hello", "items": [1, 2, 3]}

server = HTTPServer(host="127.0.0.1", port=int(sys.argv[1]))
server.expect_request("/hello", method="GET").respond_with_json(HELLO)
for i in range(100):  # registered in order: the matching one (99) is checked last
    body = {"id": i, "name": f"item-{i}", "tags": ["a", "b"]}
    server.expect_request("/match", method="POST", json=body).respond_with_json({"matched": i})
server.start()
try:
    while True:
        time.sleep(3600)
finally:
    server.stop()
