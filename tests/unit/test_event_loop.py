"""``aurex serve`` runs on uvloop unless told to keep asyncio's own loop."""

from __future__ import annotations

import asyncio

import pytest
import uvloop

from aurex import event_loop
from aurex.config import Settings


def test_the_server_runs_on_uvloop_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUREX_EVENT_LOOP", raising=False)
    with asyncio.Runner(loop_factory=event_loop.loop_factory(Settings().event_loop)) as runner:
        assert isinstance(runner.get_loop(), uvloop.Loop)
        assert event_loop.describe(runner.get_loop()) == "uvloop"
        assert runner.run(asyncio.sleep(0, "ran")) == "ran"


def test_asyncio_loop_can_be_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUREX_EVENT_LOOP", "asyncio")
    with asyncio.Runner(loop_factory=event_loop.loop_factory(Settings().event_loop)) as runner:
        assert not isinstance(runner.get_loop(), uvloop.Loop)
        assert event_loop.describe(runner.get_loop()) == "asyncio"


def test_an_unknown_loop_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUREX_EVENT_LOOP", "trio")
    with pytest.raises(ValueError, match="event_loop"):
        Settings()
