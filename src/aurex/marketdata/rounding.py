"""Exact integer rounding used by every projection (no floats inside market data)."""

from __future__ import annotations

from fractions import Fraction


def div_round(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half away from zero; ``denominator`` > 0."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def scaled_round(value: Fraction, scale: int) -> int:
    """``value * scale`` rounded half away from zero (e.g. points -> hundredths)."""
    return div_round(value.numerator * scale, value.denominator)


def change_bps(new: int, old: int) -> int:
    """Change from ``old`` to ``new`` in basis points, rounded; 0 when ``old`` is 0."""
    if old <= 0:
        return 0
    return div_round((new - old) * 10_000, old)
