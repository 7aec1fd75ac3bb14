"""The simulation's fair values and price rounding: realistic moves, always inside the band."""

from __future__ import annotations

import math
import random
import statistics

from aurex.sim.agents import Listing
from aurex.sim.demo import local_url
from aurex.sim.fair_value import TRADING_SECONDS_PER_YEAR, FairValues


def test_fair_values_move_with_the_annual_volatility_they_were_given() -> None:
    fair = FairValues(random.Random(3), speed=1.0)
    fair.add("AAA", 10_000.0, 5_000.0, 15_000.0)  # a band too wide to matter here
    walk = fair.walks["AAA"]
    returns = []
    for _ in range(5_000):
        before = fair["AAA"]
        fair.advance(60.0)  # one market minute per step
        returns.append(math.log(fair["AAA"] / before))
    annualised = statistics.stdev(returns) * math.sqrt(TRADING_SECONDS_PER_YEAR / 60.0)
    assert abs(annualised - walk.annual_volatility) < 0.05 * walk.annual_volatility


def test_fair_values_stay_inside_the_price_band() -> None:
    fair = FairValues(random.Random(5), speed=10_000.0)
    fair.add("AAA", 23_450.0, 18_760.0, 28_140.0)
    seen = []
    for _ in range(2_000):
        fair.advance(1.0)
        seen.append(fair["AAA"])
    assert min(seen) >= 18_760.0 and max(seen) <= 28_140.0
    assert max(seen) - min(seen) > 1_000  # it does move
    fair.rebound("AAA", 30_000.0, 40_000.0)  # the band moved (a new day)
    assert 30_000.0 <= fair["AAA"] <= 40_000.0


def test_prices_are_rounded_onto_the_tick_and_into_the_band() -> None:
    listing = Listing("AAA", tick=5, lot=100, band_low=9_000, band_high=11_000)
    assert listing.on_tick(10_002.4) == 10_000
    assert listing.on_tick(10_003.0) == 10_005
    assert listing.on_tick(50.0) == 9_000
    assert listing.on_tick(99_999.0) == 11_000
    assert listing.lots(250) == 200 and listing.lots(10) == 100


def test_a_wildcard_bind_is_reached_on_the_loopback_address() -> None:
    assert local_url("http://0.0.0.0:3000") == "http://127.0.0.1:3000"
    assert local_url("http://10.0.0.5:3000") == "http://10.0.0.5:3000"
