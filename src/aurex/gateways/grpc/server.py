"""The gRPC server: StockService plus standard health checking and server reflection.

Listens on ``settings.host:settings.grpc_port`` (port 0 picks a free one, see
``port``), with TLS when ``AUREX_TLS_CERT_FILE``/``AUREX_TLS_KEY_FILE`` are set (the
same certificate as HTTPS). Health reports SERVING for "" and ``aurex.v1.StockService``
while the server runs and NOT_SERVING while it drains on stop. Reflection lets tools
such as grpcurl call the service without a local copy of the .proto.
"""

from __future__ import annotations

import logging

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from aurex.auth.sessions import SessionService
from aurex.config import Settings
from aurex.engine.port import EnginePort
from aurex.gateways.grpc import stock_service_pb2 as pb
from aurex.gateways.grpc import stock_service_pb2_grpc as pb_grpc
from aurex.gateways.grpc.service import StockService
from aurex.gateways.throttle import OrderThrottle
from aurex.readside.history import History

log = logging.getLogger(__name__)

SERVICE_NAME: str = pb.DESCRIPTOR.services_by_name["StockService"].full_name
MAX_MESSAGE_BYTES = 1024 * 1024
GRACE_S = 5.0
OPTIONS = (
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", 16 * MAX_MESSAGE_BYTES),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ("grpc.max_concurrent_streams", 1000),
    ("grpc.so_reuseport", 0),
)


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


class GrpcServer:
    def __init__(
        self,
        engine: EnginePort,
        sessions: SessionService,
        history: History | None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[bytes, bytes] | None = None,
        throttle: OrderThrottle | None = None,
    ) -> None:
        self.host = host
        self.requested_port = port
        self.tls = tls
        self.port = 0
        """The bound port, once started."""
        self._service = StockService(engine, sessions, history, throttle=throttle)
        self._health = health.aio.HealthServicer()
        self._server: grpc.aio.Server | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        engine: EnginePort,
        sessions: SessionService,
        history: History | None,
        throttle: OrderThrottle | None = None,
    ) -> GrpcServer:
        if (settings.tls_cert_file is None) != (settings.tls_key_file is None):
            raise ValueError("set both AUREX_TLS_CERT_FILE and AUREX_TLS_KEY_FILE, or neither")
        tls = None
        if settings.tls_cert_file is not None and settings.tls_key_file is not None:
            tls = (settings.tls_key_file.read_bytes(), settings.tls_cert_file.read_bytes())
        return cls(
            engine,
            sessions,
            history,
            host=settings.host,
            port=settings.grpc_port,
            tls=tls,
            throttle=throttle,
        )

    @property
    def scheme(self) -> str:
        return "grpcs" if self.tls else "grpc"

    async def start(self) -> None:
        server = grpc.aio.server(options=OPTIONS)
        pb_grpc.add_StockServiceServicer_to_server(self._service, server)  # type: ignore[no-untyped-call]
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        reflection.enable_server_reflection(
            (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server
        )
        where = address(self.host, self.requested_port)
        if self.tls is not None:
            credentials = grpc.ssl_server_credentials([self.tls])
            self.port = server.add_secure_port(where, credentials)
        else:
            self.port = server.add_insecure_port(where)
        await server.start()
        self._server = server
        for name in ("", SERVICE_NAME):
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info("gRPC listening on %s://%s", self.scheme, address(self.host, self.port))

    async def stop(self) -> None:
        """Report NOT_SERVING, then let calls in progress finish for up to ``GRACE_S``."""
        if self._server is None:
            return
        await self._health.enter_graceful_shutdown()
        await self._server.stop(GRACE_S)
        self._server = None
