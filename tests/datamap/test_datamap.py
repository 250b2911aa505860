"""Data map: parsing with line numbers, each rule, the example maps, the profile maps."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piguard import datamap as dm
from piguard.errors import ConfigError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "datamaps"

BASE = """\
datamap: 1
systems:
  - id: app
    functions:
      - id: fn
        type: {type}
        subjects: {subjects}
        pi:
          - category: {category}
            purposes: [{purpose}]
            legal_basis: {basis}
{extra}"""


def _map(
    *,
    type: str = "basic",
    subjects: str = "adults",
    category: str = "basic.phone.mobile",
    purpose: str = "ride-booking",
    basis: str = "consent",
    extra: str = "            retention: P1Y\n",
) -> dm.DataMap:
    text = BASE.format(
        type=type,
        subjects=subjects,
        category=category,
        purpose=purpose,
        basis=basis,
        extra=extra,
    )
    return dm.parse_datamap(text, source="m.yaml")


def _rules(datamap: dm.DataMap, app: str | None = "网络约车") -> list[str]:
    return [f.rule for f in dm.check(datamap, app_category=app)]


def test_clean_map_has_no_findings() -> None:
    assert _rules(_map()) == []


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"category": "basic.email"}, "DM001"),
        ({"category": "location.precise"}, "DM002"),
        (
            {
                "type": "extended",
                "category": "biometric.face",
                "basis": "separate_consent",
                "extra": "            retention: P1Y\n            storage: raw\n",
            },
            "DM003",
        ),
        ({"extra": ""}, "DM004"),
        ({"extra": "            retention: forever\n"}, "DM004"),
        (
            {
                "extra": "            retention: P1Y\n            recipients:\n"
                "              - {name: Ads, type: sdk, legal_basis: consent}\n"
            },
            "DM005",
        ),
        (
            {
                "extra": "            retention: P1Y\n"
                "            cross_border: {country: US, recipient: Cloud}\n"
            },
            "DM006",
        ),
        ({"purpose": "improve the service"}, "DM007"),
        ({"subjects": "mixed"}, "DM008"),
    ],
)
def test_each_rule_fires_alone(kwargs: dict[str, str], rule: str) -> None:
    assert set(_rules(_map(**kwargs))) == {rule}  # type: ignore[arg-type]


def test_entrusted_processor_needs_no_separate_consent() -> None:
    extra = (
        "            retention: P1Y\n            recipients:\n"
        "              - {name: Pay, type: entrusted_processor}\n"
    )
    assert _rules(_map(extra=extra)) == []


def test_shared_biometrics_are_flagged_even_with_separate_consent() -> None:
    extra = (
        "            retention: P1Y\n            storage: digest\n            recipients:\n"
        "              - {name: Partner, type: third_party, legal_basis: separate_consent}\n"
    )
    m = _map(
        type="extended",
        category="biometric.face",
        basis="separate_consent",
        extra=extra,
    )
    assert _rules(m) == ["DM003"]


def test_guardian_consent_satisfies_children_rule() -> None:
    assert _rules(_map(subjects="children", basis="[guardian_consent]")) == []


def test_necessary_pi_not_checked_without_app_category_or_on_supply_side() -> None:
    assert _rules(_map(category="basic.email"), app=None) == []


def test_finding_line_and_format() -> None:
    (finding,) = dm.check(_map(category="basic.email"), app_category="2")
    assert finding.line == 9
    assert finding.format().startswith("m.yaml:9: DM001 beyond-necessary-pi [2021 necessary-PI")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("datamap: 1\nsystems: [\n", 3, "not valid YAML"),
        ("datamap: 2\nsystems: []\n", 1, "unsupported data-map format version"),
        (
            "datamap: 1\nsystems:\n  - id: a\n    functionz: []\n",
            4,
            "unknown field 'functionz'",
        ),
        (
            (
                "datamap: 1\nsystems:\n  - id: a\n    functions:\n      - id: f\n        pi:\n"
                "          - {category: basic.phonee, purposes: [x]}\n"
            ),
            7,
            "basic.phonee",
        ),
        (
            (
                "datamap: 1\nsystems:\n  - id: a\n    functions:\n      - id: f\n"
                "        type: core\n        pi: []\n"
            ),
            6,
            "'core' is not one of basic, extended",
        ),
        ("datamap: 1\nsystems:\n  - id: a\n", 3, "missing field 'functions'"),
        ("", 1, "empty"),
    ],
)
def test_bad_maps_name_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        dm.parse_datamap(text, source="bad.yaml")
    assert info.value.line == line
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"bad.yaml:{line}: ")


def test_compliant_example_passes() -> None:
    assert dm.check(dm.load_datamap(EXAMPLES / "ride-hailing-compliant.yaml")) == []


@pytest.mark.parametrize("path", sorted((EXAMPLES / "violations").glob("dm*.yaml")), ids=str)
def test_violating_examples_break_their_rule(path: Path) -> None:
    rule = path.name[:5].upper()
    found = {f.rule for f in dm.check(dm.load_datamap(path))}
    assert found == {rule}


@pytest.mark.parametrize(
    ("profile", "name"),
    [
        ("online-health", "table1-online-health.yaml"),
        ("ride-hailing", "table2-ride-hailing.yaml"),
    ],
)
def test_table_examples_are_generated_from_the_profiles(profile: str, name: str) -> None:
    assert (EXAMPLES / name).read_text(encoding="utf-8") == dm.profile_datamap_yaml(profile)


def test_table2_is_caught() -> None:
    findings = dm.check(dm.load_datamap(EXAMPLES / "table2-ride-hailing.yaml"))
    rules = {f.rule for f in findings}
    # identity documents in a basic function are beyond 网络约车's necessary PI; the table states
    # no retention and no legal basis; the driver's face has no stated storage.
    assert {"DM001", "DM003", "DM004", "DM009", "DM010"} <= rules
    dm001 = {f.category for f in findings if f.rule == "DM001"}
    assert "identity.document" in dm001
    # the driver side is supply side (2021 rules Art. 3): never DM001
    assert not any(f.system == "driver" and f.rule == "DM001" for f in findings)


@given(st.integers(min_value=0, max_value=500), st.sampled_from(["Y", "M", "W", "D"]))
def test_retention_iso_and_words_agree(n: int, unit: str) -> None:
    words = {"Y": "years", "M": "months", "W": "weeks", "D": "days"}[unit]
    assert dm.parse_retention(f"P{n}{unit}") == dm.parse_retention(f"{n} {words}")
