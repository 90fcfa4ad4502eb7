"""Numbers and proportions in words, the way inspection reports write them.

**Numbers**: one to twenty in words, larger numbers as numerals (with thousands
separators); zero is "no" before a noun or "none" alone.

**Proportions** (one rule, applied to the exact counts): the share ``part / whole`` is
compared with the named fractions a quarter, a third, half, two-thirds and three
quarters, by *relative* distance ``share / fraction - 1``:

* within 6% of a fraction: "about two-thirds";
* up to 15% below: "just under a third" ("nearly half" for one half);
* up to 15% above: "just over a quarter".

The nearest fraction wins. Otherwise: 0 is "none", the whole is "all", 95% or more
"almost all", above three quarters "most", above half "more than half", below 10%
"very few", and anything else "fewer than half". So 19 of 30 is "about two-thirds", 9 of
30 "just under a third", 14 of 30 "nearly half" and 27 of 30 "most".
"""

from __future__ import annotations

_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
          "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
          "seventeen", "eighteen", "nineteen", "twenty"]

FRACTIONS = [(1 / 4, "a quarter"), (1 / 3, "a third"), (1 / 2, "half"),
             (2 / 3, "two-thirds"), (3 / 4, "three quarters")]
ABOUT = 0.06
NEAR = 0.15


def number_words(n: int, *, zero: str = "no") -> str:
    """'eight' for 8, '84' for 84, '11,223' for 11223; ``zero`` for 0."""
    if n == 0:
        return zero
    if 0 < n <= 20:
        return _WORDS[n]
    return f"{n:,}"


def proportion_phrase(part: int | float, whole: int | float) -> str:
    """The share ``part / whole`` in words, by the rule in the module docstring."""
    if whole <= 0:
        raise ValueError("a proportion needs a positive whole")
    share = part / whole
    if share <= 0:
        return "none"
    if share >= 1:
        return "all"
    best = min(FRACTIONS, key=lambda f: abs(share / f[0] - 1))
    rel = share / best[0] - 1
    if abs(rel) <= ABOUT:
        return f"about {best[1]}"
    if -NEAR <= rel < 0:
        return "nearly half" if best[1] == "half" else f"just under {best[1]}"
    if 0 < rel <= NEAR:
        return f"just over {best[1]}"
    if share >= 0.95:
        return "almost all"
    if share > 0.75:
        return "most"
    if share > 0.5:
        return "more than half"
    if share < 0.1:
        return "very few"
    return "fewer than half"


def join_words(items: list[str]) -> str:
    """'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
