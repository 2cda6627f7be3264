"""The one German number format of the reports (pages, charts, exports): thousands '.', decimal comma."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def de_number(value: Decimal | int | float | None, places: int = 0) -> str:
    """"1.204", "21,3" – rounded half up, as the reports round their figures; '–' for nothing. A float is taken
    by its shortest repr (2.675 → "2,68"), not by its binary value."""
    if value is None:
        return "–"
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = f"{number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
