"""``aurex admin``: operator commands, e.g. creating the first admin.

The market commands (reference prices, listings, limits, end of day) talk to the
running server as an administrator: see ``aurex.admin_remote``.

``aurex admin create-user --email root@example.com --role admin`` asks for the
password (twice, without echo; ``--password-stdin`` reads one line instead, for
scripts), creates or upgrades the schema and stores the user with a verified
e-mail address. It needs no running server and does not touch the engine: the
exchange account is opened by the server - at start (``reconcile_accounts``) or
at the user's first login - exactly as for a sign-up the engine could not take.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from aurex.admin_remote import MARKET_COMMANDS, add_market_commands, run_market_command
from aurex.auth.errors import AuthError
from aurex.auth.passwords import PasswordHasher
from aurex.auth.ports import Role, utc_now
from aurex.auth.signup import NewUser, store_new_user
from aurex.config import Settings
from aurex.store.audit_log import SqlAuditLog
from aurex.store.database import create_engine
from aurex.store.migrate import upgrade_database
from aurex.store.user_repository import SqlUserRepository


def add_admin_parser(subparsers: Any) -> None:
    """Add ``admin`` and its sub-commands to the ``aurex`` parser's subparsers."""
    admin = subparsers.add_parser("admin", help="operator commands: users, symbols, limits")
    commands = admin.add_subparsers(dest="admin_command", required=True)
    add_market_commands(commands)
    create = commands.add_parser("create-user", help="create a user (e.g. the first admin)")
    create.add_argument("--email", required=True)
    create.add_argument("--role", choices=[r.value for r in Role], default=Role.TRADER.value)
    create.add_argument("--first-name", default="Aurex")
    create.add_argument("--last-name", default="Administrator")
    create.add_argument("--country", default="US", help="two-letter ISO code")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )


def run_admin(args: argparse.Namespace, settings: Settings) -> int:
    """Run an ``aurex admin`` command; the exit status (0 ok, 1 refused, 2 bad input)."""
    if args.admin_command in MARKET_COMMANDS:
        return run_market_command(args, settings)
    if args.admin_command != "create-user":
        print(f"unknown admin command {args.admin_command!r}", file=sys.stderr)
        return 2
    password = _read_password(args.password_stdin)
    if password is None:
        return 2
    new = NewUser(
        email=args.email,
        password=password,
        first_name=args.first_name,
        last_name=args.last_name,
        country=args.country,
        role=Role(args.role),
        email_verified=True,  # an operator vouches for the address
    )
    try:
        user_id = asyncio.run(_create_user(settings, new))
    except AuthError as exc:
        print(f"aurex admin create-user: {exc.message}", file=sys.stderr)
        return 1
    print(
        f"created {new.role.value} {args.email.strip().lower()} (id {user_id}); "
        "the exchange account opens when the server starts or at the first login"
    )
    return 0


async def _create_user(settings: Settings, new: NewUser) -> str:
    url = settings.resolved_database_url
    await upgrade_database(url)
    engine = create_engine(url)
    try:
        user = await store_new_user(
            SqlUserRepository(engine),
            PasswordHasher(),
            SqlAuditLog(engine),
            utc_now,
            new,
            opening_cash_cents=settings.opening_cash_cents,
        )
    finally:
        await engine.dispose()
    return user.id


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            print("aurex admin create-user: the passwords differ", file=sys.stderr)
            return None
    if not password:
        print("aurex admin create-user: no password given", file=sys.stderr)
        return None
    return password
