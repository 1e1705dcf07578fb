"""Money is whole đồng in integers; this formats it the Vietnamese way."""


def format_vnd(amount: int | None) -> str:
    """1250000 -> "1.250.000 ₫" (dot thousands separator, symbol after a no-break space)."""
    if amount is None:
        return ""
    if isinstance(amount, float) or not float(amount).is_integer():
        raise ValueError("Money is whole đồng (integers).")
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + "\u00a0₫"
