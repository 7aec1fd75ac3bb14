"""Simulated market participants for demos, load and tests.

They are real users trading through the public client (``aurex.client``); see
``simulation.py`` for the run, ``agents.py`` for the traders, ``demo.py`` for
``aurex demo``.
"""

from aurex.sim.accounts import AccountStore, Credentials, Funding
from aurex.sim.demo import Demo, start_demo
from aurex.sim.simulation import SimConfig, Simulation

__all__ = [
    "AccountStore",
    "Credentials",
    "Demo",
    "Funding",
    "SimConfig",
    "Simulation",
    "start_demo",
]
