"""Speed of piguard's scanner against Presidio on the same generated corpus, in one run.

Presidio runs offline as the issue prescribes: presidio-analyzer with a spaCy ``blank("zh")``
pipeline (no model download), its generic pattern recognizers (credit card, crypto, date,
e-mail, IBAN, IP, MAC, URL, UUID) and ``PhoneRecognizer`` with ``CN`` added to its regions,
all registered for language "zh"; tldextract pinned to its bundled suffix list. Each tool
scans the corpus line by line in this process; CPU time (``time.process_time``) is reported,
so the figures are per core and less disturbed by other load on a shared machine.

    python benchmarks/detect/speed.py --lines 20000
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import generate

from piguard.detect import Scanner


def presidio_analyzer() -> Callable[[str], object]:
    import presidio_analyzer.predefined_recognizers as pr
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    from piguard.integrations.presidio import offline_nlp_engine, pin_tldextract_offline

    pin_tldextract_offline()
    registry = RecognizerRegistry(supported_languages=["zh"])
    for cls in (
        pr.CreditCardRecognizer,
        pr.CryptoRecognizer,
        pr.DateRecognizer,
        pr.EmailRecognizer,
        pr.IbanRecognizer,
        pr.IpRecognizer,
        pr.MacAddressRecognizer,
        pr.UrlRecognizer,
        pr.UuidRecognizer,
    ):
        registry.add_recognizer(cls(supported_language="zh"))
    regions = ("US", "UK", "DE", "FE", "IL", "IN", "CA", "BR", "CN")
    registry.add_recognizer(pr.PhoneRecognizer(supported_language="zh", supported_regions=regions))
    engine = AnalyzerEngine(
        registry=registry, nlp_engine=offline_nlp_engine(("zh",)), supported_languages=["zh"]
    )
    return lambda line: engine.analyze(line, language="zh")


def cpu_time(fn: Callable[[], object]) -> tuple[float, object]:
    fn_result = None
    start = time.process_time()
    fn_result = fn()
    return time.process_time() - start, fn_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--presidio-lines", type=int, default=None, help="default: all lines")
    args = parser.parse_args()
    lines = [str(r["text"]) for r in generate(args.lines, args.seed)]
    size_kb = sum(len(line.encode("utf-8")) + 1 for line in lines) / 1024

    ids = Scanner(exclude_entities=["PERSON_NAME", "ADDRESS"])
    full = Scanner()
    ids.scan_text("warm-up 13800138000")
    full.scan_text("收件人张三，地址北京市朝阳区建国路88号")

    rows: list[tuple[str, float, float, int]] = []

    t, found = cpu_time(lambda: list(ids.scan_lines(lines, source="corpus")))
    rows.append(
        (
            "piguard identifiers-only (--exclude-entities PERSON_NAME,ADDRESS)",
            t,
            size_kb,
            len(found),
        )
    )  # type: ignore[arg-type]

    def ids_jsonl() -> int:
        n = 0
        for f in ids.scan_lines(lines, source="corpus"):
            n += len(f.to_json())
        return n

    t, _ = cpu_time(ids_jsonl)
    rows.append(("piguard identifiers-only + JSONL serialisation", t, size_kb, len(found)))  # type: ignore[arg-type]

    t, found_full = cpu_time(lambda: list(full.scan_lines(lines, source="corpus")))
    rows.append(
        ("piguard full (names and addresses by the char-CRF model)", t, size_kb, len(found_full))
    )  # type: ignore[arg-type]

    p_lines = lines if args.presidio_lines is None else lines[: args.presidio_lines]
    p_kb = sum(len(line.encode("utf-8")) + 1 for line in p_lines) / 1024
    analyze = presidio_analyzer()
    analyze("预热 13800138000")
    t, presidio_found = cpu_time(lambda: [r for line in p_lines for r in analyze(line)])  # type: ignore[attr-defined]
    rows.append(
        (
            "Presidio 2.2 (blank spaCy zh, pattern recognizers, phone CN)",
            t,
            p_kb,
            len(presidio_found),
        )
    )  # type: ignore[arg-type]

    presidio_rate = p_kb / t
    print(
        f"corpus: {len(lines)} lines, {size_kb:.0f} KB (seed {args.seed}); "
        f"Python {platform.python_version()}, {platform.machine()}"
    )
    print()
    print("| scanner | CPU s | KB/s per core | findings | × Presidio |")
    print("|---|---|---|---|---|")
    for name, secs, kb, n in rows:
        rate = kb / secs
        print(f"| {name} | {secs:.2f} | {rate:,.0f} | {n} | {rate / presidio_rate:.1f} |")


if __name__ == "__main__":
    main()
