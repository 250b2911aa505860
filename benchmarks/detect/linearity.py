"""Linear time on adversarial input: scan time for 10 KB and 100 KB of the same hostile text.

For each input family the ratio t(100 KB) / t(10 KB) should stay near 10 (linear); a
quadratic pattern would give about 100. Reported, not asserted in unit tests (no timing
assertions there); this script exits 1 if any ratio exceeds 20.

    python benchmarks/detect/linearity.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from piguard.detect import Scanner

FAMILIES: dict[str, Callable[[int], str]] = {
    "long digit run": lambda n: "1" * n,
    "repeated mobile numbers": lambda n: ("13800138000" * (n // 11 + 1))[:n],
    "digit-dot chains": lambda n: ("1." * n)[:n],
    "a@ chains (e-mail)": lambda n: ("a@" * n)[:n],
    "17 digits + X, repeated": lambda n: (("9" * 17 + "X ") * n)[:n],
    "digit-colon chains (IPv6/MAC)": lambda n: ("1:" * n)[:n],
    "password= repeated": lambda n: ("password=" * n)[:n],
    "eyJ chains (JWT)": lambda n: ("eyJ" * n)[:n],
    "Han text with context words": lambda n: ("身份证号码订单号手机QQ微信" * n)[:n],
    "plate prefixes": lambda n: ("粤B" * n)[:n],
    "mixed scripts and digits": lambda n: ("订单12345.6789,110.123456 a1b2c3 ＠１２ " * n)[:n],
}


def best_time(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main() -> int:
    scanner = Scanner(exclude_entities=["PERSON_NAME", "ADDRESS"], min_score=0.0)
    scanner.scan_text("warm-up 13800138000")
    worst = 0.0
    print("| input (one line) | 10 KB s | 100 KB s | ratio |")
    print("|---|---|---|---|")
    for name, make in FAMILIES.items():
        small, large = make(10_000), make(100_000)
        t_small = best_time(lambda s=small: scanner.scan_text(s))
        t_large = best_time(lambda s=large: scanner.scan_text(s))
        ratio = t_large / max(t_small, 1e-6)
        worst = max(worst, ratio)
        print(f"| {name} | {t_small:.4f} | {t_large:.4f} | {ratio:.1f} |")
    print(f"\nworst ratio {worst:.1f} (linear ≈ 10, quadratic ≈ 100)")
    return 1 if worst > 20 else 0


if __name__ == "__main__":
    sys.exit(main())
