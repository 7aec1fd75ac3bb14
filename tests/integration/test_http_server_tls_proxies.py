"""TLS and trusted proxies (issue 9, finding 9).

The real app behind the real ``HttpServer`` on a socket: served over TLS its
cookies are ``Secure`` and it sends HSTS; behind a trusted proxy it takes the
client's address and scheme from ``X-Forwarded-For``/``-Proto`` (so clients of
one proxy get rate limits of their own), and ignores those headers from anyone else.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aurex.config import Settings
from aurex.gateways.http.server import HttpServer, ServerOptions

from .serve_process import free_port
from .test_http_harness import PASSWORD, Harness, running_app

PROXY = "127.0.0.3"
STRANGER = "127.0.0.4"
HSTS = "strict-transport-security"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aurex test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@asynccontextmanager
async def _served(h: Harness, settings: Settings) -> AsyncIterator[HttpServer]:
    server = HttpServer.from_settings(h.app, settings)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _client(
    server: HttpServer, source: str = "127.0.0.1", verify: ssl.SSLContext | bool = False
) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=source, verify=verify)
    return httpx.AsyncClient(base_url=server.url, transport=transport, timeout=10)


async def _log_in(
    client: httpx.AsyncClient, h: Harness, email: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    """Sign up, log in and give the mailed code; the verify-2fa reply (it sets cookies)."""
    person = {"firstName": "T", "lastName": "L", "country": "US"}
    credentials = {"email": email, "password": PASSWORD}
    signup = await client.post("/api/auth/signup", json=credentials | person, headers=headers)
    assert signup.status_code == 201, signup.text
    login = await client.post("/api/auth/login", json=credentials, headers=headers)
    assert login.status_code == 200, login.text
    code = {"email": email, "code": h.inbox.latest_code(email)}
    verified = await client.post("/api/auth/verify-2fa", json=code, headers=headers)
    assert verified.status_code == 200, verified.text
    return verified


def _cookies_secure(response: httpx.Response) -> list[bool]:
    cookies = response.headers.get_list("set-cookie")
    assert cookies, "no cookies were set"
    return ["secure" in [p.strip().lower() for p in c.split(";")] for c in cookies]


async def test_over_tls_cookies_are_secure_and_hsts_is_sent(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    settings = Settings(http_port=free_port(), tls_cert_file=cert, tls_key_file=key)
    trust = ssl.create_default_context(cafile=str(cert))
    async with running_app(tmp_path / "app") as h, _served(h, settings) as server:
        assert server.url.startswith("https://")
        async with _client(server, verify=trust) as client:
            health = await client.get("/healthz")
            assert health.status_code == 200
            assert health.headers[HSTS].startswith("max-age=")
            verified = await _log_in(client, h, "tls@example.com")
            assert all(_cookies_secure(verified))
            assert HSTS in verified.headers


async def test_plain_http_sends_neither_secure_cookies_nor_hsts(tmp_path: Path) -> None:
    settings = Settings(http_port=free_port())
    async with (
        running_app(tmp_path / "app") as h,
        _served(h, settings) as server,
        _client(server) as client,
    ):
        verified = await _log_in(client, h, "plain@example.com")
        assert not any(_cookies_secure(verified))
        assert HSTS not in verified.headers


async def test_trusted_proxy_headers_give_each_client_its_address(tmp_path: Path) -> None:
    settings = Settings(http_port=free_port(), trusted_proxies=f"10.9.9.9, {PROXY}/32")
    async with running_app(tmp_path / "app") as h, _served(h, settings) as server:
        forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
        async with _client(server, PROXY) as proxy:
            verified = await _log_in(proxy, h, "proxied@example.com", headers=forwarded)
            assert all(_cookies_secure(verified))
            assert HSTS in verified.headers
            token = verified.json()["sessionToken"]
            sessions = await proxy.get(
                "/api/auth/sessions", headers={"Authorization": f"Bearer {token}", **forwarded}
            )
            assert [s["ipAddress"] for s in sessions.json()["sessions"]] == ["203.0.113.7"]

        async with _client(server, STRANGER) as stranger:
            verified = await _log_in(stranger, h, "stranger@example.com", headers=forwarded)
            assert not any(_cookies_secure(verified))
            assert HSTS not in verified.headers
            token = verified.json()["sessionToken"]
            sessions = await stranger.get(
                "/api/auth/sessions", headers={"Authorization": f"Bearer {token}"}
            )
            assert [s["ipAddress"] for s in sessions.json()["sessions"]] == [STRANGER]


async def test_clients_behind_one_proxy_have_separate_rate_limits(tmp_path: Path) -> None:
    settings = Settings(http_port=free_port(), trusted_proxies=PROXY)

    def wrong(n: int) -> dict[str, str]:
        return {"email": f"nobody{n}@example.com", "password": "Wr0ng!Password"}

    async with (
        running_app(tmp_path / "app") as h,
        _served(h, settings) as server,
        _client(server, PROXY) as proxy,
    ):
        first = {"X-Forwarded-For": "198.51.100.1"}
        statuses = [
            (await proxy.post("/api/auth/login", json=wrong(n), headers=first)).status_code
            for n in range(40)
        ]
        assert 429 in statuses, statuses
        other = {"X-Forwarded-For": "198.51.100.2"}
        answer = await proxy.post("/api/auth/login", json=wrong(99), headers=other)
        assert answer.status_code == 401, answer.text


def test_tls_needs_both_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="AUREX_TLS_KEY_FILE"):
        ServerOptions.from_settings(Settings(tls_cert_file=tmp_path / "cert.pem"))
