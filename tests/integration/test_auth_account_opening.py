"""Sign-up while the exchange cannot take commands leaves no half-created user.

The fault: the engine stops accepting commands (as it does when the journal disk is
full) while people sign up. Their users are stored, the exchange accounts are not.
After the restart the accounts are opened - by the start-up reconciliation or at the
user's next login - exactly once, with the opening cash.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from aurex.auth import reconcile_accounts
from aurex.store.database import create_engine

from .test_http_harness import OPENING_CASH_CENTS, PASSWORD, Harness, bearer, running_app


async def cash_of(h: Harness, email: str) -> int:
    tokens = await h.login_with_email_code(email)
    account = await h.client.get("/api/account", headers=bearer(tokens["sessionToken"]))
    assert account.status_code == 200, account.text
    return int(account.json()["cashCents"])


async def sign_up_while_the_engine_is_down(h: Harness, *emails: str) -> None:
    await h.engine.stop()
    for email in emails:
        response = await h.client.post(
            "/api/auth/signup",
            json={"email": email, "password": PASSWORD, "firstName": "Ada", "lastName": "L"},
        )
        # The user exists; the exchange account follows when the engine is back.
        assert response.status_code == 201, response.text
        again = await h.client.post(
            "/api/auth/signup",
            json={"email": email, "password": PASSWORD, "firstName": "Ada", "lastName": "L"},
        )
        assert again.status_code == 409


async def test_login_after_restart_opens_the_account_once(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        await sign_up_while_the_engine_is_down(h, "ada@example.com")
        user = await h.auth.users.get_by_email("ada@example.com")
        assert user is not None and not user.account_opened

    async with running_app(tmp_path) as h:
        assert await cash_of(h, "ada@example.com") == OPENING_CASH_CENTS
        assert await cash_of(h, "ada@example.com") == OPENING_CASH_CENTS

    async with running_app(tmp_path) as h:  # recovered from the journal: paid once
        assert await cash_of(h, "ada@example.com") == OPENING_CASH_CENTS


async def test_reconciliation_at_start_opens_every_pending_account(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        await h.signup("early@example.com")
        await sign_up_while_the_engine_is_down(h, "ada@example.com", "bob@example.com")

    async with running_app(tmp_path) as h:
        assert await reconcile_accounts(h.auth) == []
        assert await reconcile_accounts(h.auth) == []
        for email in ("ada@example.com", "bob@example.com"):
            user = await h.auth.users.get_by_email(email)
            assert user is not None and user.account_opened
            view = await h.auth.accounts.account_view(user.id)
            assert view is not None and view.cash_cents == OPENING_CASH_CENTS
        assert await cash_of(h, "early@example.com") == OPENING_CASH_CENTS


async def test_an_opened_account_whose_flag_was_lost_is_not_paid_twice(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        user_id = await h.signup("ada@example.com")
        # A crash between the opening deposit and the flag write leaves this state.
        database = create_engine(h.database_url)
        try:
            async with database.begin() as conn:
                await conn.execute(
                    sa.text("UPDATE users SET account_opened = false WHERE id = :id"),
                    {"id": user_id},
                )
        finally:
            await database.dispose()
        assert await reconcile_accounts(h.auth) == []
        assert await cash_of(h, "ada@example.com") == OPENING_CASH_CENTS
        user = await h.auth.users.get(user_id)
        assert user is not None and user.account_opened


async def test_admin_credit_to_an_unopened_user_opens_the_account_first(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        await sign_up_while_the_engine_is_down(h, "ada@example.com")

    async with running_app(tmp_path) as h:
        admin = await h.make_admin("root@example.com")
        user = await h.auth.users.get_by_email("ada@example.com")
        assert user is not None
        credit = await h.client.post(
            f"/api/admin/accounts/{user.id}/credit",
            json={"cashCents": 500},
            headers=bearer(admin["sessionToken"]),
        )
        assert credit.status_code == 200, credit.text
        assert credit.json()["cashCents"] == OPENING_CASH_CENTS + 500
