"""Accounts and security: users, passwords, two-factor login, tokens, sessions.

Public API:

- ``ports``: the Protocols auth needs (repositories, stores, mailer, ``AccountGateway``)
- ``build_auth_services(...) -> AuthServices``: every service wired from those ports
- ``reconcile_accounts(services)``: at start, open the exchange accounts a failed
  sign-up left unopened
- ``memory_stores(clock)`` / ``redis_stores(url)``: the short-lived store adapters
- ``mailer_for(smtp_url, mail_dir)``: SMTP or Maildir delivery
- ``KeyRing.load_or_create(key_dir)``: token-signing keys and the master secret
- ``AuthError`` / ``AuthCode``: refusals with stable numeric codes
- ``Principal``: the authenticated caller, from ``AuthServices.sessions.authenticate``
  (access JWT) or ``authenticate_trading`` (trading token) - shared by all gateways
"""

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.keys import KeyRing
from aurex.auth.mail import mailer_for
from aurex.auth.ports import Role, TwoFactorType
from aurex.auth.services import AuthServices, build_auth_services, reconcile_accounts
from aurex.auth.sessions import IssuedTokens, Principal
from aurex.auth.stores import ShortLivedStores, memory_stores, redis_stores
from aurex.auth.throttle import ThrottlePolicy

__all__ = [
    "AuthCode",
    "AuthError",
    "AuthServices",
    "IssuedTokens",
    "KeyRing",
    "Principal",
    "Role",
    "ShortLivedStores",
    "ThrottlePolicy",
    "TwoFactorType",
    "build_auth_services",
    "mailer_for",
    "memory_stores",
    "reconcile_accounts",
    "redis_stores",
]
