"""``aurex`` command line: serve, demo, replay, verify, backup, config."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from aurex import event_loop, native
from aurex.admin_cli import add_admin_parser, run_admin
from aurex.bootstrap import Platform
from aurex.config import Settings
from aurex.config_file import effective_toml
from aurex.console import render
from aurex.engine import backup, verify
from aurex.engine.journal import CorruptDataError
from aurex.engine.local import LocalEngine
from aurex.logs import configure_logging
from aurex.shutdown import ShutdownDeadline
from aurex.store.health import DatabaseUnusable

log = logging.getLogger("aurex")


async def _serve(settings: Settings, *, demo: bool, console: bool, seconds: float | None) -> None:
    running = event_loop.describe(asyncio.get_running_loop())
    log.info("starting", extra={"build": native.describe(), "event_loop": running})
    if demo:
        from aurex.sim.demo import banner, demo_settings, start_platform_demo

        settings = demo_settings(settings)
    platform = Platform(settings)
    await platform.start()
    engine = platform.engine
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    tasks: list[asyncio.Task[None]] = []
    header = ""
    if demo:
        running_demo = await start_platform_demo(platform)
        tasks.append(running_demo.task)
        await running_demo.ready()
        header = banner(running_demo.trader, platform.http_url)
        print(header, flush=True)
    if console:
        tasks.append(asyncio.create_task(_console(engine, header), name="aurex-console"))
    print(
        f"Aurex is running at {platform.http_url} (API docs at /docs); "
        f"data in {Path(settings.data_dir).resolve()}. Ctrl-C stops it.",
        flush=True,
    )
    try:
        if seconds is None:
            await stop.wait()
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)
    finally:
        deadline = ShutdownDeadline(settings.shutdown_timeout_s).arm()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await platform.stop()
        log.info("stopped", extra={"seconds": round(deadline.disarm(), 3)})
        print("Aurex stopped; every acknowledged command is in the journal.", flush=True)


async def _console(engine: LocalEngine, header: str = "") -> None:
    clear = "\x1b[2J\x1b[H" if sys.stdout.isatty() else "\n"
    top = header + "\n\n" if header and sys.stdout.isatty() else ""
    while True:
        md = engine.market_data
        print(clear + top + render(md.tickers(), md.index()), flush=True)
        await asyncio.sleep(1.0)


def _replay(data_dir: Path) -> int:
    from aurex.engine.replay import format_report, replay

    report = replay(data_dir)
    print(format_report(report))
    return 0 if report.snapshots_ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aurex", description="Aurex stock exchange")
    parser.add_argument("--version", action="version", version=native.describe())
    parser.add_argument(
        "--config", type=Path, default=None, help="TOML settings file (else AUREX_CONFIG_FILE)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("config", help="print the effective configuration, secrets masked")
    for name, helptext in (
        ("serve", "run the exchange"),
        ("demo", "run the exchange with simulated traders"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--no-console", action="store_true", help="do not print the market view")
        p.add_argument("--seconds", type=float, default=None, help="stop after this long")
    replay = sub.add_parser("replay", help="rebuild state from a data directory and report it")
    replay.add_argument("--data-dir", type=Path, default=None)
    check = sub.add_parser("verify", help="check every journal segment and snapshot")
    check.add_argument("--data-dir", type=Path, default=None)
    check.add_argument("--repair", action="store_true", help="set damaged data aside")
    copy = sub.add_parser("backup", help="copy a data directory consistently, even while running")
    copy.add_argument("--data-dir", type=Path, default=None)
    copy.add_argument("--to", type=Path, required=True, help="a new, empty directory")
    add_admin_parser(sub)
    args = parser.parse_args(argv)

    try:
        settings = Settings(config_file=args.config) if args.config else Settings()
    except ValueError as exc:  # a bad file or value (pydantic's ValidationError too)
        print(f"aurex: invalid configuration: {exc}", file=sys.stderr)
        return 2
    if args.command == "config":
        print(effective_toml(settings), end="")
        return 0
    log_handler = configure_logging(settings.log_level, settings.log_format)
    try:
        return _run(args, settings)
    finally:
        log_handler.flush()  # lines are written in batches: an in-process caller sees them all


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "replay":
        return _replay(args.data_dir or Path(settings.data_dir))
    if args.command == "verify":
        return verify.run(args.data_dir or Path(settings.data_dir), fix=args.repair)
    if args.command == "backup":
        return backup.run(args.data_dir or Path(settings.data_dir), args.to)
    if args.command == "admin":
        return run_admin(args, settings)
    try:
        with asyncio.Runner(loop_factory=event_loop.loop_factory(settings.event_loop)) as runner:
            runner.run(
                _serve(
                    settings,
                    demo=args.command == "demo",
                    console=not args.no_console,
                    seconds=args.seconds,
                )
            )
    except DatabaseUnusable as exc:
        _refuse(f"aurex: refusing to start: {exc}")
        return 2
    except CorruptDataError as exc:
        _refuse(verify.refusal(exc, Path(settings.data_dir)))
        return 2
    return 0


def _refuse(message: str) -> None:
    """The refusal goes last: log lines are written in batches, so those logged before
    it are written out first."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
