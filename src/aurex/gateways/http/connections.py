"""Connection-level defences of the HTTP server against slow or greedy clients.

uvicorn times out only idle keep-alive connections: a client that opens a socket
and sends nothing, or trickles its headers or body a byte at a time, holds a file
descriptor forever, and a few thousand of them exhaust the process's open-file
limit. ``guarded_protocol`` returns uvicorn's httptools protocol extended with

* a cap on open connections in total and per client address (trusted proxies
  count only towards the total); a connection over a cap gets a 503 and is closed
  before anything is read from it;
* a deadline for a request's headers (from connection or from the previous
  response) and one for its body (from the end of the headers);
* a cap on header bytes (httptools itself sets none);
* one write per response: uvicorn writes a response's head and its body separately,
  which costs two system calls (and two TCP segments) per answer; the writes made
  in one turn of the event loop are joined (``CoalescingTransport``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import resource
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Descriptors kept free for the journal, the database, Redis, mail and log files.
RESERVED_DESCRIPTORS = 256
# asyncio accepts up to ``backlog`` connections per loop iteration before any of them
# reaches the gate, and frees a refused one an iteration or two later: keep room.
ACCEPT_BACKLOG = 128

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """How many connections, and how long a request may take to arrive."""

    max_connections: int = 1000
    max_connections_per_ip: int = 64
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_header_bytes: int = 64 * 1024


def descriptor_budget(requested: int) -> int:
    """``requested`` connections, lowered to fit under the open-file limit."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return requested
    return max(16, min(requested, soft - RESERVED_DESCRIPTORS - 3 * ACCEPT_BACKLOG))


def parse_networks(entries: Iterable[str]) -> tuple[IpNetwork, ...]:
    """``10.0.0.1``, ``10.0.0.0/8`` or ``::1`` entries as networks (ValueError if malformed)."""
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def address_in(host: str, networks: tuple[IpNetwork, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


class ConnectionGate:
    """Counts open connections per client address and admits or refuses new ones."""

    def __init__(self, limits: ConnectionLimits, trusted: tuple[IpNetwork, ...] = ()) -> None:
        self.limits = limits
        self.max_total = descriptor_budget(limits.max_connections)
        self.trusted = trusted
        self.per_address: Counter[str] = Counter()
        self.total = 0
        self.refused = 0

    def admit(self, host: str) -> bool:
        over_address = self.per_address[
            host
        ] >= self.limits.max_connections_per_ip and not address_in(host, self.trusted)
        if self.total >= self.max_total or over_address:
            self.refused += 1
            return False
        self.total += 1
        self.per_address[host] += 1
        return True

    def release(self, host: str) -> None:
        self.total -= 1
        self.per_address[host] -= 1
        if self.per_address[host] <= 0:
            del self.per_address[host]


def _refusal() -> bytes:
    body = b'{"code": 1098, "message": "too many connections"}'
    head = (
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
        b"retry-after: 1\r\nconnection: close\r\ncontent-length: %d\r\n\r\n" % len(body)
    )
    return head + body


_REFUSAL = _refusal()


class CoalescingTransport:
    """A transport whose writes in one turn of the event loop go out as one write.

    Everything else is the wrapped transport's; ``close`` sends what is pending
    first, ``abort`` drops it (as the transport's own buffer would be).
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self._loop = loop
        self._pending: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self._pending is None:
            self._pending = [data]
            self._loop.call_soon(self.flush)
        else:
            self._pending.append(data)

    def flush(self) -> None:
        pending, self._pending = self._pending, None
        if pending and not self.transport.is_closing():
            self.transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def get_write_buffer_size(self) -> int:
        pending = sum(map(len, self._pending)) if self._pending else 0
        return self.transport.get_write_buffer_size() + pending

    def write_eof(self) -> None:
        self.flush()
        self.transport.write_eof()

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def abort(self) -> None:
        self._pending = None
        self.transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with connection caps and read deadlines."""

    gate: ConnectionGate

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._host: str | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._header_bytes: int | None = None  # counting while awaiting headers

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        peer = transport.get_extra_info("peername")
        host = str(peer[0]) if isinstance(peer, tuple) and peer else "unix"
        if not self.gate.admit(host):
            transport.write(_REFUSAL)
            transport.close()
            return
        self._host = host
        coalescing = CoalescingTransport(transport, self.loop)
        super().connection_made(coalescing)  # type: ignore[arg-type]
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._host is None:
            return
        self._release()
        self._cancel_deadline()
        super().connection_lost(exc)

    def _release(self) -> None:
        if self._host is not None:
            self.gate.release(self._host)
            self._host = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._header_bytes is None or self.parser is None:
            return
        self._header_bytes += len(data)
        if self._header_bytes > self.gate.limits.max_header_bytes:
            self._header_bytes = None
            self.logger.info("closing a connection whose request headers are too large")
            self.send_400_response("Request headers too large.")

    def on_headers_complete(self) -> None:
        self._header_bytes = None
        self._arm(self.gate.limits.body_timeout_s)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._cancel_deadline()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        idle = self.cycle is None or self.cycle.response_complete
        if idle and not self.transport.is_closing() and self._header_bytes is None:
            self._await_headers()

    def handle_websocket_upgrade(self) -> None:
        """Hand the connection over; it stays counted until the WebSocket closes."""
        self._cancel_deadline()
        self._header_bytes = None
        host, self._host = self._host, None
        if isinstance(self.transport, CoalescingTransport):  # the WebSocket writes directly
            self.transport.flush()
            self.transport = self.transport.transport
        super().handle_websocket_upgrade()
        websocket = self.transport.get_protocol()
        if host is None or websocket is self:
            return
        closed = websocket.connection_lost
        gate = self.gate

        def connection_lost(exc: Exception | None) -> None:
            gate.release(host)
            closed(exc)

        websocket.connection_lost = connection_lost  # type: ignore[method-assign]

    def _await_headers(self) -> None:
        self._header_bytes = 0
        self._arm(self.gate.limits.header_timeout_s)

    def _arm(self, seconds: float) -> None:
        self._cancel_deadline()
        self._deadline = self.loop.call_later(seconds, self._on_deadline)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _on_deadline(self) -> None:
        """The client took too long to send its request: drop the connection."""
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(gate: ConnectionGate) -> type[GuardedHttpProtocol]:
    """A protocol class bound to ``gate`` (uvicorn instantiates the class it is given)."""
    return type("BoundGuardedHttpProtocol", (GuardedHttpProtocol,), {"gate": gate})
