#!/usr/bin/env python3
"""bench/serve-alternatives/framing.py PORT — sends a few ambiguous or
malformed HTTP/1.1 requests (the kind request smuggling is built on, RFC 9112
§6.1, §6.3, §3.2, §5.2) to 127.0.0.1:PORT, each on a fresh connection, and
prints one line per case: the case and the status codes of every response
the server sent before closing (or going quiet for 1 s). A server that is
strict answers one 4xx/5xx and closes; "400/RL5001 200" means that the
request was accepted with a framing that left the bytes after it to be read
as a second request (here a GET /healthz: a smuggled request)."""
import re
import socket
import sys

SMUGGLED = b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"

CASES = [
    ("Transfer-Encoding: gzip (not chunked), no Content-Length",
     b"POST /v1/decide HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n" + SMUGGLED),
    ("Content-Length and Transfer-Encoding: chunked",
     b"POST /v1/decide HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
    ("two different Content-Length fields",
     b"POST /v1/decide HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 36\r\n\r\n" + SMUGGLED),
    ("Content-Length: 0, 36 (a list)",
     b"POST /v1/decide HTTP/1.1\r\nHost: a\r\nContent-Length: 0, 36\r\n\r\n" + SMUGGLED),
    ("obsolete line folding",
     b"POST /v1/decide HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\nContent-Length: 0\r\n\r\n"),
    ("bare LF line endings",
     b"POST /v1/decide HTTP/1.1\nHost: a\nContent-Length: 0\n\n"),
    ("no Host (HTTP/1.1)",
     b"POST /v1/decide HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
    ("two Host fields",
     b"POST /v1/decide HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 0\r\n\r\n"),
    ("space before the colon",
     b"POST /v1/decide HTTP/1.1\r\nHost: a\r\nContent-Length : 36\r\n\r\n" + SMUGGLED),
    ("HTTP/2.0 request line",
     b"POST /v1/decide HTTP/2.0\r\nHost: a\r\nContent-Length: 0\r\n\r\n"),
    ("control (tab excepted) in a field value",
     b"POST /v1/decide HTTP/1.1\r\nHost: a\r\nX-A: a\x01b\r\nContent-Length: 0\r\n\r\n"),
    ("well formed: GET /healthz (reference)", SMUGGLED),
]


def statuses(port, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    s.sendall(data)
    s.settimeout(1.0)
    buf = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    # Each response: its status, and the error code of its body if any
    # (RL5010: refused as HTTP; RL5001: the framing was accepted and the
    # body, as framed, was read as a decision request).
    out = []
    while buf.startswith(b"HTTP/1."):
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            break
        head = buf[:end].decode(errors="replace")
        length = re.search(r"(?im)^content-length:\s*(\d+)", head)
        body = buf[end + 4:end + 4 + (int(length.group(1)) if length else 0)]
        buf = buf[end + 4 + len(body):]
        code = re.search(rb'"code":"([A-Za-z0-9_]+)"', body)
        out.append(head[9:12] + ("/" + code.group(1).decode() if code else ""))
    return " ".join(out) if out else "no answer within 1 s"


def main():
    port = int(sys.argv[1])
    for name, data in CASES:
        print(f"{name}\t{statuses(port, data)}")


if __name__ == "__main__":
    main()
