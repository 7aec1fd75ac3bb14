"""Pure market-data projections of core events: tickers, L2 depth, tape, candles, index.

Imports only the standard library and ``aurex.core``. Feed every published event
batch to :meth:`MarketData.apply`; query the same object for REST answers.
"""

from aurex.marketdata.candle import INTERVALS, CandleBar
from aurex.marketdata.depth import DepthDelta, DepthSnapshot
from aurex.marketdata.index import IndexConstituent, IndexView, MarketIndex
from aurex.marketdata.market_data import MarketData, MarketDataUpdate
from aurex.marketdata.tape import TradePrint
from aurex.marketdata.ticker import TickerView

__all__ = [
    "INTERVALS",
    "CandleBar",
    "DepthDelta",
    "DepthSnapshot",
    "IndexConstituent",
    "IndexView",
    "MarketData",
    "MarketDataUpdate",
    "MarketIndex",
    "TickerView",
    "TradePrint",
]
