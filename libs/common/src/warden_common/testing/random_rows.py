"""Random prediction rows (`elements`) for tests that hold a fast path equal to the code it stands for.

Built to reach every branch of the walks over elements and their limits: odd names (empty, dotted, very long,
non-ASCII, numeric keys), integers beyond 2**53 and any double, non-finite floats, long texts, booleans, lists,
nulls, groups nested up to three deep, and widths on both sides of the 500 / 1,000 element bounds. With
`odd_types`, also subclasses of str, int, float and dict (nothing JSON gives, but a store must not mistake them).
"""

from __future__ import annotations

import math
import random
from typing import Any

NAMES = ["Age", "a.b", "50%", "", "x" * 255, "y" * 256, "z" * 1025, "Sex", "P", "t:0", "naïve", 'q"\\{,}']
WIDTHS = [0, 1, 3, 12, 60, 499, 501, 700, 1200]


class OddStr(str):
    pass


class OddInt(int):
    pass


class OddFloat(float):
    pass


class OddDict(dict[Any, Any]):
    pass


def random_row(rng: random.Random, *, odd_types: bool = False) -> dict[Any, Any]:
    width = rng.choice(WIDTHS)
    row: dict[Any, Any] = {}
    for i in range(width):
        row[random_key(rng, "" if width < 60 else str(i), odd_types)] = random_value(rng, 0, odd_types=odd_types)
    return row


def random_name(rng: random.Random) -> str:
    return rng.choice(NAMES) if rng.random() < 0.5 else f"f{rng.randrange(40)}"


def random_key(rng: random.Random, suffix: str, odd_types: bool) -> Any:
    name = random_name(rng) + suffix
    if odd_types and rng.random() < 0.05:
        return rng.choice([7, 2.5, OddStr(name)])  # JSON keys are text; a dict built in code need not be
    return name


def random_value(rng: random.Random, depth: int, *, odd_types: bool = False) -> Any:
    choice = rng.randrange(16 if odd_types else 14)
    if choice < 3:
        return rng.choice([0, 1, -1, 39, 2**53, 2**53 + 1, -(2**53) - 1, 10**400, rng.randrange(-1000, 1000)])
    if choice < 6:
        return rng.choice([0.0, -0.0, 0.25, 1.0, 1e308, 1e-05, math.nan, math.inf, -math.inf, rng.random()])
    if choice < 8:
        return rng.choice(["Male", "", "x" * 70, "long" * 400, f"v{rng.randrange(5)}", 'a "b", {c}\\'])
    if choice < 9:
        return rng.choice([True, False])
    if choice < 10:
        return rng.choice([None, [1, 2], [[0.1]]])
    if choice >= 14:
        return rng.choice([OddStr("odd"), OddInt(5), OddFloat(0.5), OddFloat(math.nan),
                           OddDict(a=1, b="x")])  # fmt: skip
    if depth < 3:
        size = rng.randrange(0, 6)
        return {random_key(rng, "", odd_types): random_value(rng, depth + 1, odd_types=odd_types) for _ in range(size)}
    return rng.randrange(10)
