"""``aurex admin create-user``: the first admin without SQL, through the real command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from aurex.auth import reconcile_accounts

from .test_http_harness import OPENING_CASH_CENTS, PASSWORD, bearer, running_app


def aurex_admin(
    data_dir: Path, *args: str, password: str = PASSWORD
) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"AUREX_DATA_DIR": str(data_dir)}
    env.pop("AUREX_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "aurex.cli", "admin", "create-user", *args, "--password-stdin"],
        input=password + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_first_admin_is_created_from_the_command_line(tmp_path: Path) -> None:
    created = aurex_admin(tmp_path, "--email", "Root@Example.com", "--role", "admin")
    assert created.returncode == 0, created.stderr
    assert "created admin root@example.com" in created.stdout

    async with running_app(tmp_path) as h:
        assert await reconcile_accounts(h.auth) == []  # what the server does at start
        tokens = await h.login_with_email_code("root@example.com")
        headers = bearer(tokens["sessionToken"])
        users = await h.client.get("/api/admin/users", headers=headers)
        assert users.status_code == 200
        assert [u["role"] for u in users.json()["users"]] == ["admin"]
        account = await h.client.get("/api/account", headers=headers)
        assert account.status_code == 200 and account.json()["cashCents"] == OPENING_CASH_CENTS
        created_entries = await h.auth.audit.recent(action="user.created")
        assert [e.detail["role"] for e in created_entries] == ["admin"]


def test_create_user_refuses_a_taken_address_and_a_weak_password(tmp_path: Path) -> None:
    assert aurex_admin(tmp_path, "--email", "root@example.com", "--role", "admin").returncode == 0
    taken = aurex_admin(tmp_path, "--email", "root@example.com")
    assert taken.returncode == 1 and "exists" in taken.stderr
    weak = aurex_admin(tmp_path, "--email", "other@example.com", password="password")
    assert weak.returncode == 1 and "password" in weak.stderr
    empty = aurex_admin(tmp_path, "--email", "third@example.com", password="")
    assert empty.returncode == 2
