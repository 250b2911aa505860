"""Span metrics for the PERSON_NAME / ADDRESS tagger.

* exact: a predicted span counts when (start, end, label) equals a gold span;
* overlap: a predicted span is correct when it overlaps any gold span of the same
  label (overlap precision), a gold span is found when any predicted span of the same
  label overlaps it (overlap recall).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Span = tuple[int, int, str]


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> dict[str, float]:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_g / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f1": f}


def score(
    gold: Sequence[Iterable[Span]], pred: Sequence[Iterable[Span]], label: str
) -> dict[str, float]:
    """Exact and overlap P/R/F1 for one label over parallel lists of span lists."""
    n_gold = n_pred = exact = ov_p = ov_g = 0
    for g_all, p_all in zip(gold, pred, strict=True):
        g = [(s, e) for s, e, lab in g_all if lab == label]
        p = [(s, e) for s, e, lab in p_all if lab == label]
        n_gold += len(g)
        n_pred += len(p)
        gs = set(g)
        exact += sum(1 for x in p if x in gs)
        ov_p += sum(1 for ps, pe in p if any(ps < ge and gs_ < pe for gs_, ge in g))
        ov_g += sum(1 for gs_, ge in g if any(ps < ge and gs_ < pe for ps, pe in p))
    ex = _prf(exact, n_pred, exact, n_gold)
    ov = _prf(ov_p, n_pred, ov_g, n_gold)
    return {
        "gold": n_gold,
        "pred": n_pred,
        "p": ex["p"],
        "r": ex["r"],
        "f1": ex["f1"],
        "ov_p": ov["p"],
        "ov_r": ov["r"],
        "ov_f1": ov["f1"],
    }


def fmt(name: str, m: dict[str, float]) -> str:
    return (
        f"{name:<12} exact P/R/F1 {m['p']:.3f}/{m['r']:.3f}/{m['f1']:.3f}  "
        f"overlap P/R/F1 {m['ov_p']:.3f}/{m['ov_r']:.3f}/{m['ov_f1']:.3f}  "
        f"(gold {m['gold']}, pred {m['pred']})"
    )
