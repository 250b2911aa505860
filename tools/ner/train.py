"""Train the PERSON_NAME / ADDRESS CRF shipped in src/piguard/detect/ner/data/.

Reproduces the shipped model from ../shared/data (CLUENER2020 train, MSRA NER train,
synthetic personal addresses built from the administrative divisions), with fixed
seeds, then prints CLUENER2020 dev metrics. CRFsuite's L-BFGS is deterministic, so the
same data and options give the same model.

    .venv/bin/python tools/ner/train.py                 # the shipped model
    .venv/bin/python tools/ner/train.py --msra none -o /tmp/m.crfsuite   # an ablation

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
from piguard.detect.ner._features import load_default_featurizer  # noqa: E402

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


def build_training_set(args: argparse.Namespace) -> list[corpora.Example]:
    rng = random.Random(args.seed)
    cluener = corpora.read_cluener(corpora.DATA / "cluener2020" / "train.json")
    print(f"CLUENER train: {len(cluener)} sentences x {args.cluener_copies}")
    data = cluener * args.cluener_copies
    if args.msra != "none":
        loc = "ADDRESS" if args.msra == "per+loc" else None
        msra = corpora.read_msra(corpora.DATA / "msra_ner" / "train_data", loc=loc)
        if args.msra_fraction < 1.0:
            msra = [x for x in msra if rng.random() < args.msra_fraction]
        print(f"MSRA train ({args.msra}): {len(msra)} sentences")
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
    args = ap.parse_args()

    t0 = time.perf_counter()
    data = build_training_set(args)
    feat = load_default_featurizer()
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

    dev = corpora.read_cluener(corpora.DATA / "cluener2020" / "dev.json")
    tagger = Tagger(args.output.read_bytes())
    raw = Tagger(args.output.read_bytes(), rules=False)
    for name, tg in (("CRF only", raw), ("CRF + rules", tagger)):
        pred = tg.tag_batch([t for t, _ in dev])
        gold = [s for _, s in dev]
        print(f"-- CLUENER2020 dev, {name}")
        print(metrics.fmt("PERSON_NAME", metrics.score(gold, pred, "PERSON_NAME")))
        print(metrics.fmt("ADDRESS", metrics.score(gold, pred, "ADDRESS")))


if __name__ == "__main__":
    main()
