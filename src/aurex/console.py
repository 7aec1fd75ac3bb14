"""A plain-text market view for the terminal: tickers and the index."""

from __future__ import annotations

from aurex.marketdata import IndexView, TickerView


def _price(ticks: int) -> str:
    return f"{ticks / 100:,.2f}" if ticks else "-"


def render(tickers: list[TickerView], index: IndexView | None) -> str:
    lines = [
        f"{'SYMBOL':<6} {'LAST':>10} {'CHG%':>7} {'BID':>10} {'ASK':>10} {'VOLUME':>10} "
        f"{'HIGH':>10} {'LOW':>10}",
    ]
    for t in tickers:
        flag = " HALTED" if t.halted else ""
        lines.append(
            f"{t.symbol:<6} {_price(t.last_price_ticks or t.prev_close_ticks):>10} "
            f"{t.change_percent:>+7.2f} {_price(t.bid_price_ticks):>10} "
            f"{_price(t.ask_price_ticks):>10} {t.volume:>10,} {_price(t.high_ticks):>10} "
            f"{_price(t.low_ticks):>10}{flag}"
        )
    if index is not None:
        lines.append(
            f"\n{index.name}: {index.value_points:,.2f} "
            f"({float(index.change):+.2f}, {index.change_percent:+.2f}%)"
        )
    return "\n".join(lines)
