"""Request bodies are capped before they are read (issue 9, finding 3).

Against a real ``aurex serve``: a declared 100 MB body is refused with 413 before a
byte of it is sent; a chunked body is refused once it passes the limit; three
100 MB uploads neither stall /healthz nor grow the process; small requests work.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from pathlib import Path

from .serve_process import ServeProcess, serve

HUNDRED_MB = 100 * 1024 * 1024
LOGIN = '{"email": "x@example.com", "password": "wrong-password-1A!"}'
JSON = {"Content-Type": "application/json"}


def _head(length: str, chunked: bool = False) -> bytes:
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}"
    return (
        f"POST /api/auth/login HTTP/1.1\r\nHost: aurex\r\nContent-Type: application/json\r\n"
        f"{framing}\r\n\r\n"
    ).encode()


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _assert_too_large(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == 413
    assert headers["connection"] == "close"
    error = json.loads(body)
    assert set(error) == {"code", "message"}
    assert isinstance(error["code"], int) and "exceeds" in error["message"]


def test_declared_oversized_body_is_refused_before_it_is_sent(tmp_path: Path) -> None:
    with serve(tmp_path) as server, socket.create_connection(("127.0.0.1", server.port)) as s:
        s.settimeout(5)
        s.sendall(_head(str(HUNDRED_MB)))
        _assert_too_large(*_read_response(s))


def test_chunked_body_is_refused_once_it_passes_the_limit(tmp_path: Path) -> None:
    with serve(tmp_path) as server, socket.create_connection(("127.0.0.1", server.port)) as s:
        s.settimeout(5)
        s.sendall(_head("", chunked=True))
        chunk = b" " * 32 * 1024
        sent = 0
        answered = False
        while sent < 1024 * 1024:
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
            if select.select([s], [], [], 0.1)[0]:
                answered = True
                break
        if not answered:
            s.sendall(b"0\r\n\r\n")
        _assert_too_large(*_read_response(s))
        assert sent < 1024 * 1024


def _upload(port: int, results: list[int]) -> None:
    """Declare and try to send 100 MB; record how much the server let through."""
    sent = 0
    try:
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(_head(str(HUNDRED_MB)))
            block = b"a" * (1024 * 1024)
            while sent < HUNDRED_MB:
                s.sendall(block)
                sent += len(block)
    except OSError:
        pass
    results.append(sent)


def _peak_memory(server: ServeProcess) -> int:
    return server.status("VmHWM")


def test_three_huge_uploads_neither_stall_health_nor_grow_the_process(tmp_path: Path) -> None:
    with serve(tmp_path) as server:
        with server.client(timeout=1.0) as probe:
            assert probe.post("/api/auth/login", content=LOGIN, headers=JSON).status_code == 401
            before = _peak_memory(server)
            results: list[int] = []
            uploads = [
                threading.Thread(target=_upload, args=(server.port, results)) for _ in range(3)
            ]
            for upload in uploads:
                upload.start()
            while any(u.is_alive() for u in uploads):
                assert probe.get("/healthz").status_code == 200
            for upload in uploads:
                upload.join()
            assert probe.get("/healthz").status_code == 200
        assert len(results) == 3 and all(sent < HUNDRED_MB for sent in results), results
        assert _peak_memory(server) - before < 32 * 1024 * 1024
