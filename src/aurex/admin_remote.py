"""``aurex admin`` market commands: an administrator's calls to a running server.

The exchange's state belongs to the running server's sequencer, so these commands
do not open the data directory: they log in like any administrator (password,
then the second factor's code) and call the ``/api/admin`` REST routes::

    aurex admin set-reference AAPL 585.00 --band-bps 1000 --email root@example.com

The password is asked for without echo (``--password-stdin`` reads it as the first
line of standard input); the e-mail or authenticator code is then asked for (the
next line of standard input). Exit status: 0 done, 1 refused, 2 bad input or
server unreachable.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

import httpx

from aurex.client import ApiError, AurexClient, AurexError
from aurex.config import Settings

Call = tuple[str, str, dict[str, Any] | None]


def add_market_commands(commands: Any) -> None:
    """Add the market sub-commands to ``aurex admin``'s subparsers."""

    def command(name: str, helptext: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = commands.add_parser(name, help=helptext)
        parser.add_argument("--url", help="server URL (default: from the settings)")
        parser.add_argument(
            "--email", default=os.environ.get("AUREX_ADMIN_EMAIL"), help="administrator's e-mail"
        )
        parser.add_argument("--password-stdin", action="store_true")
        return parser

    p = command("set-reference", "set a symbol's reference price (and price band)")
    p.add_argument("symbol")
    p.add_argument("price", help="e.g. 585.00")
    p.add_argument("--band-bps", type=int, default=None, help="band each side, basis points")
    p = command("list-symbol", "list a new symbol")
    p.add_argument("symbol")
    p.add_argument("--name", required=True)
    p.add_argument("--reference-price", required=True)
    p.add_argument("--shares-outstanding", type=int, required=True)
    p.add_argument("--tick-size", default="0.01")
    p.add_argument("--lot-size", type=int, default=1)
    p.add_argument("--band-bps", type=int, default=2000)
    p = command("delist", "delist a symbol (its open orders are cancelled)")
    p.add_argument("symbol")
    for name, helptext in (("halt", "halt trading in a symbol"), ("resume", "resume trading")):
        command(name, helptext).add_argument("symbol")
    p = command("set-limits", "set an account's risk limits")
    p.add_argument("user", help="user id or e-mail")
    p.add_argument("--max-order-quantity", type=int, required=True)
    p.add_argument("--max-notional-cents", type=int, required=True)
    p.add_argument("--max-open-orders", type=int, required=True)
    p.add_argument("--max-orders-per-day", type=int, required=True)
    p = command("deposit-shares", "deposit shares into a user's account")
    p.add_argument("user", help="user id or e-mail")
    p.add_argument("symbol")
    p.add_argument("shares", type=int)
    command("end-of-day", "end the trading day now (DAY orders expire)")


MARKET_COMMANDS = frozenset(
    {
        "set-reference",
        "list-symbol",
        "delist",
        "halt",
        "resume",
        "set-limits",
        "deposit-shares",
        "end-of-day",
    }
)


def _call(args: argparse.Namespace, user_id: Callable[[str], str]) -> Call:
    """The REST call of a parsed command (``user_id`` resolves an e-mail)."""
    match args.admin_command:
        case "set-reference":
            body: dict[str, Any] = {"referencePrice": args.price}
            if args.band_bps is not None:
                body["priceBandBps"] = args.band_bps
            return "PUT", f"/api/admin/symbols/{args.symbol}/reference-price", body
        case "list-symbol":
            return (
                "POST",
                "/api/admin/symbols",
                {
                    "symbol": args.symbol,
                    "name": args.name,
                    "referencePrice": args.reference_price,
                    "sharesOutstanding": args.shares_outstanding,
                    "tickSize": args.tick_size,
                    "lotSize": args.lot_size,
                    "priceBandBps": args.band_bps,
                },
            )
        case "delist":
            return "DELETE", f"/api/admin/symbols/{args.symbol}", None
        case "halt" | "resume":
            return "POST", f"/api/admin/symbols/{args.symbol}/{args.admin_command}", None
        case "set-limits":
            limits = {
                "maxOrderQuantity": args.max_order_quantity,
                "maxNotionalCents": args.max_notional_cents,
                "maxOpenOrders": args.max_open_orders,
                "maxOrdersPerDay": args.max_orders_per_day,
            }
            return "PUT", f"/api/admin/accounts/{user_id(args.user)}/limits", limits
        case "deposit-shares":
            body = {"symbol": args.symbol, "shares": args.shares}
            return "POST", f"/api/admin/accounts/{user_id(args.user)}/shares", body
        case _:
            return "POST", "/api/admin/end-of-day", None


def run_market_command(args: argparse.Namespace, settings: Settings) -> int:
    """Log in as the administrator and run one market command; the exit status."""
    url = args.url or _local_url(settings)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no line per request
    if not args.email:
        print("aurex admin: give --email (or AUREX_ADMIN_EMAIL)", file=sys.stderr)
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")

    def ask(kind: str) -> str:
        prompt = "Authenticator code: " if kind == "totp" else "Code from the e-mail: "
        if not args.password_stdin:
            print(prompt, end="", file=sys.stderr, flush=True)
        return sys.stdin.readline().strip()

    try:
        with AurexClient(url, second_factor=ask) as client:
            token = client.login(args.email, password).session_token
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
            method, path, body = _call(args, lambda user: _user_id(http, user))
            response = http.request(method, path, json=body)
    except ApiError as exc:
        print(f"aurex admin {args.admin_command}: {exc}", file=sys.stderr)
        return 1
    except (AurexError, httpx.HTTPError) as exc:
        print(f"aurex admin {args.admin_command}: {exc}", file=sys.stderr)
        return 2
    answer = response.json()
    if response.status_code >= 400:
        print(
            f"aurex admin {args.admin_command}: refused ({response.status_code}) "
            f"{answer.get('code')}: {answer.get('message')}",
            file=sys.stderr,
        )
        return 1
    print(json.dumps(answer, indent=2))
    return 0


def _user_id(http: httpx.Client, user: str) -> str:
    """``user`` if it is an id; the id of the user with that e-mail otherwise."""
    if "@" not in user:
        return user
    offset = 0
    while True:
        page = http.get("/api/admin/users", params={"limit": 500, "offset": offset})
        page.raise_for_status()
        users = page.json()["users"]
        for found in users:
            if found["email"] == user.strip().lower():
                return str(found["userId"])
        if len(users) < 500:
            raise AurexError(f"no user with e-mail {user}")
        offset += 500


def _local_url(settings: Settings) -> str:
    scheme = "https" if settings.tls_cert_file else "http"
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    return f"{scheme}://{host}:{settings.http_port}"
