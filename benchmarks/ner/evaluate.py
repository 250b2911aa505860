"""Evaluate piguard's PERSON_NAME / ADDRESS tagger (piguard.detect.ner).

Measures, in one run:

* CLUENER2020 dev (../shared/data/cluener2020/dev.json; 465 names, 373 addresses):
  exact-span P/R/F1 and overlap P/R/F1 per label;
* the order / prescription / trip address set of benchmarks/ner/orders.py (generated
  from piguard.geo, held-out counties, not used in training): address overlap F1;
* speed of the tagger alone on one core: sentences/s and KB/s of UTF-8 input (best of
  --repeat runs, after one warm-up run), by the wall clock and per CPU second of the
  process (the latter is less disturbed by other jobs on a shared machine);
* with --peers, jieba posseg (nr -> PERSON_NAME, ns -> ADDRESS) on the same data in the
  same run.

    .venv/bin/python benchmarks/ner/evaluate.py
    .venv/bin/python benchmarks/ner/evaluate.py --peers --json /tmp/ner.json
    .venv/bin/python benchmarks/ner/evaluate.py --model /tmp/m.crfsuite --no-rules
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import metrics  # noqa: E402
import orders  # noqa: E402

from piguard.detect.ner import Tagger, get_tagger, load_model_bytes  # noqa: E402

DEV = HERE.parents[1].parent / "shared" / "data" / "cluener2020" / "dev.json"
Span = tuple[int, int, str]
Tag = Callable[[str], list[Span]]


def read_dev(path: Path) -> list[tuple[str, list[Span]]]:
    labels = {"name": "PERSON_NAME", "address": "ADDRESS"}
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            spans = [
                (s, e + 1, labels[typ])
                for typ, ents in row["label"].items()
                if typ in labels
                for positions in ents.values()
                for s, e in positions
            ]
            out.append((row["text"], sorted(spans)))
    return out


def timed(tag: Tag, texts: Sequence[str], repeat: int) -> tuple[list[list[Span]], float, float]:
    """Predictions, best wall-clock seconds and best CPU seconds of ``repeat`` runs."""
    pred = [tag(t) for t in texts]  # warm-up (and the predictions)
    best = best_cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for t in texts:
            tag(t)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return pred, best, best_cpu


def jieba_tagger() -> Tag:
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(60)
    jieba.initialize()

    def tag(text: str) -> list[Span]:
        spans: list[Span] = []
        pos = 0
        for w in pseg.cut(text):
            n = len(w.word)
            if w.flag == "nr":
                spans.append((pos, pos + n, "PERSON_NAME"))
            elif w.flag == "ns":
                spans.append((pos, pos + n, "ADDRESS"))
            pos += n
        return spans

    return tag


def evaluate(
    name: str, tag: Tag, sets: dict[str, list[tuple[str, list[Span]]]], repeat: int
) -> dict:
    result: dict[str, object] = {"tagger": name}
    for set_name, data in sets.items():
        texts = [t for t, _ in data]
        gold = [s for _, s in data]
        pred, secs, cpu = timed(tag, texts, repeat)
        kb = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1000
        res = {
            "sentences": len(texts),
            "kb": round(kb, 1),
            "seconds": round(secs, 4),
            "sentences_per_s": round(len(texts) / secs),
            "kb_per_s": round(kb / secs),
            # CPU time of this process: less disturbed by other jobs on a shared machine
            "cpu_seconds": round(cpu, 4),
            "kb_per_cpu_s": round(kb / cpu),
            "PERSON_NAME": metrics.score(gold, pred, "PERSON_NAME"),
            "ADDRESS": metrics.score(gold, pred, "ADDRESS"),
        }
        result[set_name] = res
        print(
            f"== {name} on {set_name}: {res['sentences_per_s']} sentences/s, "
            f"{res['kb_per_s']} KB/s (1 core; {res['kb_per_cpu_s']} KB per CPU second)"
        )
        print(metrics.fmt("PERSON_NAME", res["PERSON_NAME"]))
        print(metrics.fmt("ADDRESS", res["ADDRESS"]))
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--model", type=Path, help="a .crfsuite model instead of the shipped one")
    ap.add_argument("--no-rules", action="store_true", help="CRF output without the rule layer")
    ap.add_argument("--orders", type=int, default=1000, help="size of the order address set")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peers", action="store_true", help="also run jieba posseg")
    ap.add_argument("--json", type=Path, help="write all numbers to this JSON file")
    ap.add_argument("--skip-orders", action="store_true", help="CLUENER2020 dev only")
    args = ap.parse_args()

    sets = {
        "cluener_dev": read_dev(DEV),
        "orders": orders.OrderAddresses(seed=7).sentences(args.orders),
    }
    if args.skip_orders:
        del sets["orders"]
    t0 = time.perf_counter()
    if args.model or args.no_rules:
        model = args.model.read_bytes() if args.model else load_model_bytes()
        tagger = Tagger(model, rules=not args.no_rules)
        size = len(model)
    else:
        tagger = get_tagger()
        size = len(load_model_bytes())
    load_s = time.perf_counter() - t0
    print(f"piguard tagger: model {size / 1e6:.2f} MB, loaded in {load_s:.2f} s")
    results = [evaluate("piguard", tagger.tag, sets, args.repeat)]
    results[0]["model_bytes"] = size
    results[0]["load_seconds"] = round(load_s, 2)
    if args.peers:
        results.append(evaluate("jieba posseg", jieba_tagger(), sets, args.repeat))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
