"""Train the PERSON_NAME / ADDRESS CRF shipped in src/piguard/detect/ner/data/.

Reproduces the shipped model from ../shared/data (CLUENER2020 train minus 1,000 held-out
sentences, MSRA NER train, synthetic personal addresses built from the administrative
divisions) and data/lexicon.txt.gz, with fixed seeds, then prints metrics on the
held-out sentences (used for tuning) and on CLUENER2020 dev (never used for tuning).
CRFsuite's L-BFGS is deterministic, so the same data and options give the same model.

    .venv/bin/python tools/ner/train.py                 # the shipped model
    .venv/bin/python tools/ner/train.py --msra none -o /tmp/m.crfsuite   # an ablation

A model trained with other --omit or --no-lexicon options needs the same featurizer at
inference (``build_featurizer``); the shipped one uses ``DEFAULT_OMIT`` and the lexicon.

Training never runs in CI (several minutes on one core).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "benchmarks" / "ner"))

import corpora  # noqa: E402
import metrics  # noqa: E402
import pycrfsuite  # noqa: E402

from piguard.detect.ner import Tagger  # noqa: E402
from piguard.detect.ner._features import DEFAULT_OMIT, build_featurizer  # noqa: E402

DEFAULT_OUT = HERE.parents[1] / "src" / "piguard" / "detect" / "ner" / "data" / "model.crfsuite"


class _Trainer(pycrfsuite.Trainer):  # type: ignore[misc]
    """Prints a progress line every 25 iterations."""

    _seen = 0

    def message(self, message: str) -> None:
        super().message(message)
        done = len(self.logparser.iterations)
        if done != self._seen:
            self._seen = done
            if done % 25 == 0:
                print(f"  iteration {done}", flush=True)


def split_cluener(args: argparse.Namespace) -> tuple[list[corpora.Example], list[corpora.Example]]:
    """CLUENER2020 train, minus ``--holdout`` sentences (seeded) kept for tuning."""
    cluener = corpora.read_cluener(corpora.DATA / "cluener2020" / "train.json")
    held = set(held_out_indices(len(cluener), args))
    train = [x for i, x in enumerate(cluener) if i not in held]
    return train, [x for i, x in enumerate(cluener) if i in held]


def held_out_indices(n: int, args: argparse.Namespace) -> list[int]:
    if args.holdout <= 0:
        return []
    idx = list(range(n))
    random.Random(args.seed + 1).shuffle(idx)
    return idx[: args.holdout]


def address_rates(data: list[corpora.Example]) -> dict[str, tuple[int, int]]:
    """Surface -> (times labelled ADDRESS, times seen unlabelled) in ``data``.

    ``data`` has the spans of all CLUENER types; an occurrence inside another entity
    (北京 in the address 北京市海淀区 or in the organisation 北京大学) is neither.
    """
    labelled: dict[str, int] = {}
    for text, spans in data:
        for s, e, lab in spans:
            if lab == "ADDRESS":
                labelled[text[s:e]] = labelled.get(text[s:e], 0) + 1
    outside = dict.fromkeys(labelled, 0)
    for text, spans in data:
        addr = [(s, e) for s, e, _ in spans]
        for w in labelled:
            start = text.find(w)
            while start >= 0:
                end = start + len(w)
                if not any(s < end and start < e for s, e in addr):
                    outside[w] += 1
                start = text.find(w, start + 1)
    return {w: (labelled[w], outside[w]) for w in labelled}


def build_training_set(
    args: argparse.Namespace, cluener: list[corpora.Example]
) -> list[corpora.Example]:
    rng = random.Random(args.seed)
    print(f"CLUENER train: {len(cluener)} sentences x {args.cluener_copies}")
    data = cluener * args.cluener_copies
    if args.msra != "none":
        loc = "ADDRESS" if args.msra == "per+loc" else None
        msra = corpora.read_msra(corpora.DATA / "msra_ner" / "train_data", loc=loc)
        if args.msra_fraction < 1.0:
            msra = [x for x in msra if rng.random() < args.msra_fraction]
        print(f"MSRA train ({args.msra}): {len(msra)} sentences")
        if loc and args.msra_loc_rate > 0:
            # CLUENER labels bare countries and big cities as addresses only now and then;
            # MSRA LOC always. Unlabel MSRA places that CLUENER train mostly leaves out.
            every = corpora.read_cluener(
                corpora.DATA / "cluener2020" / "train.json", all_types=True
            )
            held = set(held_out_indices(len(every), args))
            rates = address_rates([x for i, x in enumerate(every) if i not in held])
            rare = {w for w, (k, n) in rates.items() if n >= 5 and k / n < args.msra_loc_rate}
            dropped = 0
            filtered = []
            for text, spans in msra:
                keep = [x for x in spans if x[2] != "ADDRESS" or text[x[0] : x[1]] not in rare]
                dropped += len(spans) - len(keep)
                filtered.append((text, keep))
            msra = filtered
            print(f"  MSRA LOC unlabelled (CLUENER rate < {args.msra_loc_rate}): {dropped}")
        data += msra
    if args.synth > 0:
        import synth

        extra = synth.training_examples(args.synth, seed=args.seed)
        print(f"synthetic personal addresses: {len(extra)} sentences")
        data += extra
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--msra", choices=["none", "per", "per+loc"], default="per+loc")
    ap.add_argument("--msra-fraction", type=float, default=1.0)
    ap.add_argument("--synth", type=int, default=3000, help="synthetic address sentences")
    ap.add_argument("--cluener-copies", type=int, default=1, help="weight of CLUENER against MSRA")
    ap.add_argument("--c1", type=float, default=0.5)
    ap.add_argument("--c2", type=float, default=0.01)
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--minfreq", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=20200)
    ap.add_argument(
        "--holdout",
        type=int,
        default=1000,
        help="keep N CLUENER train sentences out and report on them (for tuning); 0: none",
    )
    ap.add_argument(
        "--msra-loc-rate",
        type=float,
        default=0.25,
        help="unlabel MSRA LOC surfaces that CLUENER train labels as address less often "
        "than this (bare countries); 0: keep all",
    )
    ap.add_argument("--no-lexicon", action="store_true", help="without the jieba lexicon feature")
    ap.add_argument(
        "--omit",
        default=",".join(sorted(DEFAULT_OMIT)),
        help="comma-separated feature templates to leave out (default: the shipped set)",
    )
    ap.add_argument("--no-dev", action="store_true", help="do not report CLUENER2020 dev")
    args = ap.parse_args()

    t0 = time.perf_counter()
    cluener, held = split_cluener(args)
    data = build_training_set(args, cluener)
    omit = [x for x in args.omit.split(",") if x]
    feat = build_featurizer(lexicon=not args.no_lexicon, omit=omit)
    trainer = _Trainer(algorithm="lbfgs", verbose=False)
    n_chars = 0
    for text, spans in data:
        if not text:
            continue
        trainer.append(feat.features(text), corpora.bio(text, spans))
        n_chars += len(text)
    t1 = time.perf_counter()
    print(f"features: {n_chars} characters in {t1 - t0:.1f} s")
    trainer.set_params(
        {
            "c1": args.c1,
            "c2": args.c2,
            "max_iterations": args.iterations,
            "feature.minfreq": args.minfreq,
            "feature.possible_transitions": True,
        }
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".tmp")
    trainer.train(str(tmp))
    tmp.replace(args.output)
    t2 = time.perf_counter()
    last = trainer.logparser.last_iteration
    print(
        f"trained in {t2 - t1:.1f} s ({last.get('num') if last else '?'} iterations, "
        f"{last.get('active_features') if last else '?'} active features); "
        f"model {args.output.stat().st_size / 1e6:.2f} MB; total {t2 - t0:.1f} s"
    )

    sets = []
    if held:
        sets.append((f"CLUENER2020 train hold-out ({len(held)})", held))
    if not args.no_dev:
        sets.append(
            ("CLUENER2020 dev", corpora.read_cluener(corpora.DATA / "cluener2020" / "dev.json"))
        )
    tagger = Tagger(args.output.read_bytes(), featurizer=feat)
    raw = Tagger(args.output.read_bytes(), featurizer=feat, rules=False)
    for set_name, rows in sets:
        for name, tg in (("CRF only", raw), ("CRF + rules", tagger)):
            pred = tg.tag_batch([t for t, _ in rows])
            gold = [s for _, s in rows]
            print(f"-- {set_name}, {name}")
            print(metrics.fmt("PERSON_NAME", metrics.score(gold, pred, "PERSON_NAME")))
            print(metrics.fmt("ADDRESS", metrics.score(gold, pred, "ADDRESS")))


if __name__ == "__main__":
    main()
