"""Classify one column from its header and a sample of its values (数据分类分级).

Evidence, strongest first:

1. **Whole-cell matches.** Every sampled value goes through the text engine
   (:class:`piguard.detect.Scanner`, i.e. the recognizers and their validators from
   :mod:`piguard.detect.identifiers`); a value *is* an entity when one finding covers it.
   The share of such values is the column's ``match_rate``. Values the engine reports only
   with context (birth dates, QQ numbers, 15-digit IDs, diagnoses) are checked by the same
   recognizers' validators when the header names that entity: the header is the context.
2. **Chance rates.** An 18-digit order number has the resident-ID shape; its MOD 11-2 check
   digit passes about 1 time in 11 by chance, real IDs ~100 %. A column of ID-shaped values
   with a pass rate below half is reported as a look-alike, not as IDs.
3. **Masked values** (``138****5678``, ``张*``) are recognised as already de-identified
   (GB/T 37964-2019 masking); the entity is read from the masked shape or the header.
4. **Free text** (long, varied values) is scanned and reported with its entity mix.
5. **Header hints** (:mod:`piguard.sources._hints`) break ties and name categories values
   cannot show (gender, occupation, ethnicity, postcode).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from piguard import geo, taxonomy
from piguard.detect import Scanner
from piguard.detect.identifiers import cn_ric, dob
from piguard.detect.recognizers import (
    PatternRecognizer,
    RecognizerRegistry,
    TextRecognizer,
    default_registry,
)
from piguard.detect.recognizers.model import ModelRecognizer
from piguard.errors import InvalidIdentifier
from piguard.sources._hints import Hint, hint_for

__all__ = [
    "IDENTIFYING_RANK",
    "QUASI_IDENTIFIER_CATEGORIES",
    "ColumnEvidence",
    "ColumnFinding",
    "ValueJudge",
    "classify",
]

#: Entities that single out a person, best first (used to estimate distinct people).
IDENTIFYING_RANK: dict[str, int] = {
    "CN_RESIDENT_ID": 1,
    "CN_PASSPORT": 2,
    "CN_TRAVEL_PERMIT": 2,
    "CN_MOBILE": 3,
    "EMAIL": 4,
    "BANK_CARD": 5,
    "WECHAT_ID": 6,
    "QQ_NUMBER": 6,
    "CN_LICENSE_PLATE": 7,
    "IMEI": 8,
    "MAC_ADDRESS": 8,
}

#: GB/T 37964-2019 5.1 (准标识符): gender, birth date / age, location / postcode, ethnicity,
#: birth country, occupation, marital status, education, criminal history ...
QUASI_IDENTIFIER_CATEGORIES = frozenset(
    {
        "basic.gender",
        "basic.birth_date",
        "basic.age",
        "basic.ethnicity",
        "basic.nationality",
        "location.coarse",
        "education_work.occupation",
        "education_work.education",
        "education_work.employer",
        "other.marital_history",
        "other.criminal_record",
    }
)

_NULLS = frozenset({"null", "none", "nan", "n/a", "na", "\\n", "-", "--", "无", "空"})
_MASK = re.compile(r"[*＊●]")
_HASH = re.compile(r"(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9A-F]{32}|[0-9A-F]{64})")
_DATE = re.compile(
    r"[12][0-9]{3}(?:[-/.][0-9]{1,2}[-/.][0-9]{1,2}|年[0-9]{1,2}月[0-9]{1,2}日?|[01][0-9][0-3][0-9])"
)
_HAN = re.compile(r"[\u3400-\u9fff]")
_PROSE = re.compile(r"[\s，。！？、；：!?;]|[,.:](?![0-9])")
_DATETIME = re.compile(
    r"[12][0-9]{3}[-/.][0-9]{1,2}[-/.][0-9]{1,2}[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?"
    r"(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_GENDER = frozenset({"男", "女", "男性", "女性", "m", "f", "male", "female", "未知"})
_COORD = re.compile(r"-?[0-9]{1,3}\.[0-9]{4,}")
_SHAPES: dict[str, re.Pattern[str]] = {
    "CN_RESIDENT_ID": re.compile(r"[1-9][0-9]{16}[0-9Xx]"),
    "BANK_CARD": re.compile(r"[2-69][0-9]{15,18}"),
    "CN_MOBILE": re.compile(r"1[0-9]{10}"),
}
_CONTEXT_PREFIX = {"HEALTH_CONDITION": "诊断：", "PERSON_NAME": "姓名：", "ADDRESS": "地址："}


@dataclass(slots=True)
class ColumnEvidence:
    """What the values of one column showed (accumulated over a sample or every value)."""

    values: int = 0
    whole: Counter[str] = field(default_factory=Counter)
    contains: Counter[str] = field(default_factory=Counter)
    shapes: Counter[str] = field(default_factory=Counter)
    masked: Counter[str] = field(default_factory=Counter)
    hashed: int = 0
    gender: int = 0
    small_int: int = 0
    coord: int = 0
    long_text: int = 0
    chars: int = 0
    han: int = 0
    distinct: set[str] = field(default_factory=set)
    birth_years: list[int] = field(default_factory=list)
    ages: Counter[int] = field(default_factory=Counter)
    by_validator: int = 0
    divisions: int = 0
    timestamps: int = 0
    child_ages: int = 0

    def merge(self, other: ColumnEvidence) -> None:
        """Add ``other``'s counts (for --full, batch by batch)."""
        self.values += other.values
        self.whole.update(other.whole)
        self.contains.update(other.contains)
        self.shapes.update(other.shapes)
        self.masked.update(other.masked)
        self.ages.update(other.ages)
        for name in (
            "hashed",
            "gender",
            "small_int",
            "coord",
            "long_text",
            "chars",
            "han",
            "divisions",
            "timestamps",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.by_validator += other.by_validator
        if len(self.distinct) < 5000:
            self.distinct.update(list(other.distinct)[: 5000 - len(self.distinct)])
        if len(self.birth_years) < 5000:
            self.birth_years.extend(other.birth_years[: 5000 - len(self.birth_years)])


@dataclass(frozen=True, slots=True)
class ColumnFinding:
    """DESIGN.md's column finding plus ``why`` and the details behind it.

    ``kind``: identifier (values are the entity), masked (already de-identified values),
    hashed (pseudonymised values under a PI header), free_text (scanned; ``entity_mix``
    counts sampled values holding each entity), category (gender, occupation ... from header
    and values), lookalike (shaped like an identifier, fails its check), none, empty.
    """

    source: str
    table: str
    column: str
    entity: str | None
    category: str | None
    sensitive: bool
    grade: str | None
    confidence: float
    match_rate: float
    rows_sampled: int
    why: str
    kind: str
    pi: bool
    also: tuple[str, ...] = ()
    entity_mix: tuple[tuple[str, int], ...] = ()
    deidentified: bool = False
    quasi_identifier: bool = False
    non_empty: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON form (DESIGN.md fields first). Never holds a value of the column."""
        return {
            "source": self.source,
            "table": self.table,
            "column": self.column,
            "entity": self.entity,
            "category": self.category,
            "sensitive": self.sensitive,
            "grade": self.grade,
            "confidence": self.confidence,
            "match_rate": self.match_rate,
            "rows_sampled": self.rows_sampled,
            "why": self.why,
            "kind": self.kind,
            "pi": self.pi,
            "also": list(self.also),
            "entity_mix": dict(self.entity_mix),
            "deidentified": self.deidentified,
            "quasi_identifier": self.quasi_identifier,
            "non_empty": self.non_empty,
        }


class _NoTagger:
    """Stands in for the name/address model on values without a Han character, for which
    the shipped tagger returns no span without looking (so the model need not be loaded)."""

    def tag(self, text: str) -> list[tuple[int, int, str]]:
        return []

    def tag_batch(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        return [[] for _ in texts]


# The characters for which the shipped tagger runs (piguard.detect.ner: CJK ideographs,
# extension A and compatibility ideographs); values without one never reach the model.
_MODEL_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _model_is_last(registry: Any) -> bool:
    """Whether the name/address model is the last text recognizer (no plug-in merges its
    spans after it), which :meth:`ValueJudge._scan` relies on."""
    texts = [r for r in registry if isinstance(r, TextRecognizer)]
    return (
        bool(texts)
        and isinstance(texts[-1], ModelRecognizer)
        and texts[-1].name == ModelRecognizer.name
    )


class ValueJudge:
    """Runs values through the detection engine; one per process (it holds the Scanner).

    Without ``scanner``, one is built from the default recognizers for ``entities`` /
    ``exclude_entities``; values without a Han character then go through a twin scanner
    whose name/address tagger is a no-op (the shipped tagger finds nothing in them), so
    the model is loaded only when a sampled value could need it.
    """

    def __init__(
        self,
        *,
        scanner: Scanner | None = None,
        today: datetime.date | None = None,
        entities: Sequence[str] | None = None,
        exclude_entities: Sequence[str] | None = None,
    ) -> None:
        registry = default_registry()
        self.no_model: Scanner
        if scanner is None:
            scanner = Scanner(
                entities=entities, exclude_entities=exclude_entities, recognizers=registry
            )
            self.no_model = scanner
            if _model_is_last(registry):
                twin = RecognizerRegistry(registry)  # the same recognizers and plug-ins ...
                twin.add(ModelRecognizer(tagger=_NoTagger()), replace=True)  # ... but the model
                self.no_model = Scanner(entities=scanner.entities, recognizers=twin)
        else:
            self.no_model = scanner
        self.scanner = scanner
        self._registry = registry
        self._quick: Scanner | None = None
        self.today = today or datetime.date.today()
        self._validators: dict[str, list[Any]] = {}
        self._text: dict[str, list[TextRecognizer]] = {}
        for r in registry:
            if isinstance(r, PatternRecognizer) and r.validator is not None and r.report:
                self._validators.setdefault(r.entity, []).append(r.validator)
            elif isinstance(r, TextRecognizer):
                for e in r.entities:
                    self._text.setdefault(e, []).append(r)

    @property
    def quick(self) -> Scanner:
        """Identifiers only (no name/address model): enough to choose the sketched columns."""
        if self._quick is None:
            self._quick = Scanner(entities=sorted(IDENTIFYING_RANK), recognizers=self._registry)
        return self._quick

    def _scan(self, values: list[str], quick: bool) -> dict[str, list[Any]]:
        """Findings per distinct value (the engine's findings are line-local, so a value
        scanned once stands for all its copies).

        Every value first goes through the scanner without the model. Only values with a
        Han character that no finding covers whole go through the model as well: where a
        pattern or lexicon finding covers 90 % of a value, model spans (merged after them
        and trimmed to what they leave free) cannot change what the value is.
        """
        if quick:
            return dict(zip(values, self.quick.scan_batch(values), strict=True))
        out = dict(zip(values, self.no_model.scan_batch(values), strict=True))
        if self.no_model is self.scanner:
            return out
        need = [v for v in values if _MODEL_HAN.search(v) and _whole(v, out[v]) is None]
        if need:
            out.update(zip(need, self.scanner.scan_batch(need), strict=True))
        return out

    def age(self, born: datetime.date) -> int:
        """Whole years from ``born`` to the reference date."""
        t = self.today
        return t.year - born.year - ((t.month, t.day) < (born.month, born.day))

    def evaluate(
        self, values: Sequence[str], hint: Hint | None, *, quick: bool = False
    ) -> ColumnEvidence:
        """Evidence from ``values`` (non-empty strings); ``quick``: identifiers only."""
        ev = ColumnEvidence()
        cells = [v for v in values if v.lower() not in _NULLS]
        ev.values = len(cells)
        if not cells:
            return ev
        hint_entity = hint.entity if hint is not None else None
        plain: list[str] = []
        for v in cells:
            ev.chars += len(v)
            if _HAN.search(v):
                ev.han += 1
            if len(ev.distinct) < 5000:
                ev.distinct.add(v)
            if _MASK.search(v) and len(v) <= 64:
                ev.masked[_masked_entity(v, hint_entity) or "?"] += 1
            elif _HASH.fullmatch(v):
                ev.hashed += 1
            else:
                plain.append(v)
        # Bare division names are counted before scanning (their findings are not used).
        division: dict[str, bool] = {}
        for v in plain:
            if v not in division:
                division[v] = len(v) <= 12 and bool(_HAN.match(v)) and _is_division(v)
        found = self._scan([v for v, d in division.items() if not d], quick)
        unresolved: list[str] = []
        for v in plain:
            if division[v]:
                ev.divisions += 1
                continue
            findings = found[v]
            whole = _whole(v, findings)
            if whole is None and hint_entity is not None:
                whole = self._by_validator(v, hint_entity)
                if whole is not None:
                    ev.by_validator += 1
            if whole is not None:
                ev.whole[whole] += 1
                self._ages(v, whole, ev)
            else:
                unresolved.append(v)
                for e in {f.entity for f in findings}:
                    ev.contains[e] += 1
        if unresolved and hint_entity in _CONTEXT_PREFIX and not quick:
            assert hint_entity is not None
            still = []
            for r in self._text.get(hint_entity, []):
                prefix = _CONTEXT_PREFIX[hint_entity]
                distinct = list(dict.fromkeys(unresolved))
                by_value = dict(
                    zip(distinct, r.analyze_batch([prefix + v for v in distinct]), strict=True)
                )
                for v in unresolved:
                    hs = by_value[v]
                    cover = sum(h.end - h.start for h in hs if h.entity == hint_entity)
                    if cover >= 0.6 * len(v):
                        ev.whole[hint_entity] += 1
                        ev.by_validator += 1
                    else:
                        still.append(v)
                unresolved = still
                still = []
        for v in unresolved:
            low = v.lower()
            if low in _GENDER or (
                hint is not None and hint.category == "basic.gender" and low in "01"
            ):
                ev.gender += 1
            if v.isdigit() and len(v) <= 3:
                ev.small_int += 1
            if _COORD.fullmatch(v):
                ev.coord += 1
            if _DATETIME.fullmatch(v):
                ev.timestamps += 1
            elif len(v) >= 30 or (len(v) >= 8 and _PROSE.search(v)):
                ev.long_text += 1
            for entity, shape in _SHAPES.items():
                if shape.fullmatch(v):
                    ev.shapes[entity] += 1
            if _DATE.fullmatch(v):
                with contextlib.suppress(InvalidIdentifier):
                    ev.birth_years.append(dob.validate(v).year)
        return ev

    def _by_validator(self, value: str, entity: str) -> str | None:
        for check in self._validators.get(entity, ()):
            if check(value).ok:
                return entity
        return None

    def _ages(self, value: str, entity: str, ev: ColumnEvidence) -> None:
        try:
            if entity == "CN_RESIDENT_ID":
                born = cn_ric.get_birth_date(value)
            elif entity == "DATE_OF_BIRTH":
                born = dob.validate(value)
            else:
                return
        except (InvalidIdentifier, ValueError):
            return
        ev.ages[self.age(born)] += 1
        if len(ev.birth_years) < 5000:
            ev.birth_years.append(born.year)


@functools.cache
def _division_names() -> frozenset[str]:
    names: set[str] = set()
    for d in geo.all_divisions():
        names.add(d.name)
        names.update(geo.short_names(d))
    return frozenset(names)


def _is_division(value: str) -> bool:
    """A bare province, city or county name, full or short (coarse location, not an address).

    >>> _is_division("武汉市"), _is_division("广西"), _is_division("武汉市江汉路1号")
    (True, True, False)
    """
    return value in _division_names()


def _whole(value: str, findings: Sequence[Any]) -> str | None:
    """The entity of a finding that covers (almost) the whole value."""
    need = 0.9 * len(value)
    best = None
    for f in findings:
        if f.end - f.start >= need and (best is None or f.score > best.score):
            best = f
    return best.entity if best is not None else None


def _masked_entity(value: str, hint_entity: str | None) -> str | None:
    """The entity a masked value most likely was, from its shape (``138****5678``)."""
    t = value.replace("＊", "*").replace("●", "*")
    if "@" in t:
        return "EMAIL"
    compact = re.sub(r"[\s-]", "", t)
    if re.fullmatch(r"(?:\+?86)?[0-9*]{11}", compact) and compact[-11:][:1] == "1":
        return "CN_MOBILE"
    if re.fullmatch(r"[0-9*]{17}[0-9Xx*]|[0-9*]{15}", compact):
        return "CN_RESIDENT_ID"
    if re.fullmatch(r"[0-9*]{16,19}", compact):
        return "BANK_CARD"
    if _HAN.search(t):
        han = len(_HAN.findall(t))
        if han + t.count("*") <= 4 and hint_entity in (None, "PERSON_NAME"):
            return "PERSON_NAME"
        return hint_entity or "ADDRESS"
    return hint_entity


def _category_of(entity: str) -> str:
    try:
        return taxonomy.entity_category(entity).key
    except Exception:
        return f"custom.{entity.lower()}"


def _finding(
    base: dict[str, Any],
    *,
    entity: str | None,
    category: str | None,
    confidence: float,
    match_rate: float,
    why: str,
    kind: str,
    pi: bool,
    **extra: Any,
) -> ColumnFinding:
    sensitive = False
    grade: str | None = None
    if category is not None and pi:
        cat = taxonomy.get(category)
        sensitive = cat.sensitive
        grade = cat.grade.value
    qi = category in QUASI_IDENTIFIER_CATEGORIES
    return ColumnFinding(
        entity=entity,
        category=category,
        sensitive=sensitive,
        grade=grade,
        confidence=round(min(max(confidence, 0.0), 1.0), 2),
        match_rate=round(match_rate, 3),
        why=why,
        kind=kind,
        pi=pi,
        quasi_identifier=qi,
        **base,
        **extra,
    )


def classify(
    *,
    source: str,
    table: str,
    column: str,
    ev: ColumnEvidence,
    non_empty: int,
    hint: Hint | None = None,
) -> ColumnFinding:
    """Decide a column's entity, category and grade from its evidence and header."""
    if hint is None:
        hint = hint_for(column)
    base = {
        "source": source,
        "table": table,
        "column": column,
        "rows_sampled": ev.values,
        "non_empty": non_empty,
    }
    n = ev.values
    header = (
        f"header '{column}' suggests {hint.entity or hint.category}"
        if hint and not hint.negative
        else ""
    )
    if n == 0:
        return _finding(
            base, entity=None, category=None, confidence=1.0, match_rate=0.0,
            why="no non-empty values", kind="empty", pi=False,
        )  # fmt: skip
    hint_entity = hint.entity if hint and not hint.negative else None

    # 3. masked values: already de-identified
    masked = sum(ev.masked.values())
    if masked >= 0.5 * n:
        guess = [(e, c) for e, c in ev.masked.most_common() if e != "?"]
        entity = guess[0][0] if guess else hint_entity
        rate = masked / n
        example = {
            # shapes, not values: a report never repeats the data
            "CN_MOBILE": "1xx****xxxx",
            "CN_RESIDENT_ID": "xxx***********xxxx",
            "BANK_CARD": "xxxx **** **** xxxx",
            "PERSON_NAME": "X*",
            "EMAIL": "x***@domain",
        }.get(entity or "", "***")
        why = f"{rate:.0%} of sampled values are masked like {example}: already de-identified"
        if header:
            why += f"; {header}"
        return _finding(
            base,
            entity=entity,
            category=_category_of(entity) if entity else (hint.category if hint else None),
            confidence=rate * (0.9 if guess else 0.6),
            match_rate=rate,
            why=why,
            kind="masked",
            pi=True,
            deidentified=True,
        )

    # 1. whole-cell identifier matches
    if ev.whole:
        best, count = ev.whole.most_common(1)[0]
        if hint_entity is not None and ev.whole[hint_entity] >= 0.6 * count:
            best, count = hint_entity, ev.whole[hint_entity]
        rate = count / n
        total = sum(ev.whole.values()) / n
        threshold = 0.2 if hint_entity == best else 0.5
        looks_text = ev.long_text >= 0.5 * n and total < 0.8
        kinds = [e for e, c in ev.whole.items() if c >= 0.05 * n]
        # Values that each are an identifier, of several kinds (a "contact" or "value"
        # column): no kind reaches the threshold alone, yet most of the column is PI.
        mixed_ids = len(kinds) >= 2 and total >= 0.5 and rate >= 0.1
        if (rate >= threshold or mixed_ids) and not looks_text:
            also = tuple(e for e, c in ev.whole.most_common() if e != best and c >= 0.05 * n)
            why = f"{rate:.0%} of {n} sampled values are {best}"
            if rate < threshold:
                why = f"values mix identifiers ({total:.0%} in all): " + why
            if ev.by_validator:
                why += f" ({ev.by_validator} checked by the validator because the header names it)"
            if also:
                why += "; also " + ", ".join(f"{e} {ev.whole[e] / n:.0%}" for e in also)
            conf = min(total, 1.0)
            if header and hint_entity == best:
                why += f"; {header}"
                conf += 0.1
            elif hint_entity and hint_entity != best and hint_entity not in also:
                why += f"; header suggests {hint_entity}"
                conf -= 0.15
            found = _finding(
                base,
                entity=best,
                category=_category_of(best),
                confidence=conf,
                match_rate=rate,
                why=why,
                kind="identifier",
                pi=True,
                also=also,
            )
            sensitive_also = [
                e
                for e in also
                if e in taxonomy.ENTITY_CATEGORIES and taxonomy.entity_category(e).sensitive
            ]
            if sensitive_also and not found.sensitive:
                found = _with_grade(found, True, why + f"; sensitive: {', '.join(sensitive_also)}")
            return found

    # 2. look-alikes: shaped like an identifier, failing its check at chance rate
    for entity, shaped in ev.shapes.most_common():
        passed = ev.whole.get(entity, 0)
        shape_total = shaped + passed
        if shape_total >= 0.8 * n and passed < 0.5 * shape_total:
            what = {
                "CN_RESIDENT_ID": "18-digit values shaped like resident IDs",
                "BANK_CARD": "16-19 digit values shaped like bank cards",
                "CN_MOBILE": "11-digit values shaped like mobile numbers",
            }[entity]
            chance = (
                " (random digits pass the MOD 11-2 check 1 time in 11)"
                if entity == "CN_RESIDENT_ID"
                else ""
            )
            why = (
                f"{shape_total / n:.0%} are {what}, but only {passed / max(shape_total, 1):.0%} "
                f"pass its validator{chance}: not {entity}"
            )
            if hint is not None and hint.negative:
                why += f"; header '{column}' names a business number"
            return _finding(
                base, entity=None, category=None, confidence=0.8, match_rate=passed / n,
                why=why, kind="lookalike", pi=False,
            )  # fmt: skip

    # pseudonymised values under a PI header
    if ev.hashed >= 0.8 * n and hint is not None and not hint.negative and hint.category:
        return _finding(
            base,
            entity=hint_entity,
            category=hint.category,
            confidence=0.6,
            match_rate=ev.hashed / n,
            why=f"{ev.hashed / n:.0%} of values are hex digests under {header}: pseudonymised",
            kind="hashed",
            pi=True,
            deidentified=True,
        )

    if ev.timestamps >= 0.8 * n:
        return _finding(
            base, entity=None, category=None, confidence=0.8, match_rate=0.0,
            why=f"{ev.timestamps / n:.0%} of values are timestamps (event times, not birth dates)",
            kind="none", pi=False,
        )  # fmt: skip
    if ev.divisions >= 0.8 * n:
        return _finding(
            base, entity=None, category="location.coarse", confidence=0.7,
            match_rate=ev.divisions / n,
            why=f"{ev.divisions / n:.0%} of values are bare province/city/county names "
            "(coarse location, a quasi-identifier)",
            kind="category", pi=True,
        )  # fmt: skip

    if hint_entity == "CREDENTIAL":
        return _finding(
            base, entity="CREDENTIAL", category="financial.authentication", confidence=0.7,
            match_rate=0.0, why=f"{header}: values are secrets", kind="identifier", pi=True,
        )  # fmt: skip

    # 4. free text: prose, or values that mix several kinds of PI with other words
    mean_len = ev.chars / n
    partial = sum(ev.contains.values())
    mixed = len(set(ev.contains) | set(ev.whole)) >= 2 and partial >= 0.1 * n and mean_len >= 6
    if ev.long_text >= 0.3 * n or mixed:
        mix_counter = Counter(ev.contains)
        mix_counter.update(ev.whole)
        mix = tuple(mix_counter.most_common())
        sensitive_mix = [
            e
            for e, _ in mix
            if e in taxonomy.ENTITY_CATEGORIES and taxonomy.entity_category(e).sensitive
        ]
        if mix:
            listing = ", ".join(f"{e} in {c}" for e, c in mix[:6])
            why = f"free text (mean {mean_len:.0f} characters); of {n} sampled values: {listing}"
            f = _finding(
                base,
                entity=None,
                category="other.user_content",
                confidence=0.8,
                match_rate=max(c for _, c in mix) / n,
                why=why,
                kind="free_text",
                pi=True,
                entity_mix=mix,
            )
            if sensitive_mix:
                f = _with_grade(f, True, why + f"; sensitive: {', '.join(sensitive_mix)}")
            return f
        return _finding(
            base, entity=None, category=None, confidence=0.6, match_rate=0.0,
            why=f"free text (mean {mean_len:.0f} characters); no PI in {n} sampled values",
            kind="free_text", pi=False,
        )  # fmt: skip

    # 5. categories that need the header or a value vocabulary
    cat = hint.category if hint is not None and not hint.negative else None
    if ev.gender >= 0.9 * n and (cat == "basic.gender" or len(ev.distinct) <= 4):
        return _finding(
            base, entity=None, category="basic.gender", confidence=0.9 if cat else 0.75,
            match_rate=ev.gender / n, why=f"{ev.gender / n:.0%} of values are genders (男/女)"
            + (f"; {header}" if cat else ""), kind="category", pi=True,
        )  # fmt: skip
    years = ev.birth_years
    if len(years) >= 0.8 * n and (hint_entity == "DATE_OF_BIRTH" or max(years) - min(years) >= 15):
        spread = max(years) - min(years)
        return _finding(
            base,
            entity="DATE_OF_BIRTH",
            category="basic.birth_date",
            confidence=0.9 if hint_entity == "DATE_OF_BIRTH" else 0.6,
            match_rate=len(years) / n,
            why=f"{len(years) / n:.0%} of values are dates spread over {spread} years (birth dates)"
            + (f"; {header}" if hint_entity == "DATE_OF_BIRTH" else ""),
            kind="identifier",
            pi=True,
        )
    if hint_entity == "GPS_COORDINATE" and ev.coord >= 0.8 * n:
        return _finding(
            base, entity="GPS_COORDINATE", category="location.precise", confidence=0.85,
            match_rate=ev.coord / n,
            why=f"{ev.coord / n:.0%} of values are decimals with 4+ places; {header}",
            kind="identifier", pi=True,
        )  # fmt: skip
    if cat == "basic.age" and ev.small_int >= 0.8 * n:
        return _finding(
            base, entity=None, category="basic.age", confidence=0.85, match_rate=ev.small_int / n,
            why=f"{ev.small_int / n:.0%} of values are small whole numbers; {header}",
            kind="category", pi=True,
        )  # fmt: skip
    if cat is not None and hint_entity is None and cat != "basic.age":
        return _finding(
            base, entity=None, category=cat, confidence=0.7, match_rate=0.0,
            why=header, kind="category", pi=True,
        )  # fmt: skip
    why = "no personal information recognised in the sampled values"
    if hint is not None and hint.negative:
        why += f"; header '{column}' names a business number or measure"
    elif hint_entity:
        why += f" although the {header}"
    return _finding(
        base, entity=None, category=None, confidence=0.7 if not hint_entity else 0.4,
        match_rate=0.0, why=why, kind="none", pi=False,
    )  # fmt: skip


def _with_grade(f: ColumnFinding, sensitive: bool, why: str) -> ColumnFinding:
    return dataclasses.replace(
        f, sensitive=sensitive, grade="sensitive" if sensitive else f.grade, why=why
    )
