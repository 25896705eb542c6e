"""A provider that breaks HTTP on purpose, for fault drills: a raw socket server.

GET /health -> 200 "ok"; GET /hang -> accepts, reads the request, never answers;
GET /garbage -> bytes that are no HTTP; GET /cut -> a 200 promising 1000 bytes, then closes.
"""

from __future__ import annotations

import argparse
import socket
import threading

ANSWERS = {
    b"/health": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"/garbage": b"\x00\xffNOT HTTP AT ALL\r\n\r\n",
    b"/cut": b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly-some",
}


def serve(conn: socket.socket, hung: threading.Event) -> None:
    with conn:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk:
                return
            head += chunk
        path = head.split(b" ")[1]
        if path == b"/hang":
            hung.wait()  # never set: held until the process is stopped
            return
        conn.sendall(ANSWERS.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    server = socket.create_server(("127.0.0.1", port))
    hung = threading.Event()
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn, hung), daemon=True).start()


if __name__ == "__main__":
    main()
