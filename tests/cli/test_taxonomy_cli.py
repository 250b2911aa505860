"""``piguard taxonomy|profiles|apps``: table and JSON output, exports, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from piguard import taxonomy as tx
from piguard.cli.app import app

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=WIDE)
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ taxonomy


def test_taxonomy_list_table_health_group() -> None:
    code, out, _ = run("taxonomy", "list", "--group", "health")
    assert code == 0
    assert "health.medical_record" in out
    assert "个人健康生理信息" in out
    assert "A.1 (A5); B.1 (B2)" in out
    assert "identity.resident_id" not in out
    assert "sensitive" in out
    assert "ordinary" in out


def test_taxonomy_list_json_carries_every_field() -> None:
    code, out, _ = run("taxonomy", "list", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["version"] == tx.TAXONOMY_VERSION
    assert len(data["categories"]) == len(tx.categories())
    first = data["categories"][0]
    for field in (
        "key",
        "name_zh",
        "name_en",
        "examples",
        "sensitive",
        "grade",
        "source",
        "extension",
        "health_data_level",
        "parent",
        "group",
    ):
        assert field in first


def test_taxonomy_list_sensitive_only() -> None:
    code, out, _ = run("taxonomy", "list", "--sensitive", "--format", "json")
    assert code == 0
    cats = json.loads(out)["categories"]
    assert cats
    assert all(c["sensitive"] for c in cats)


def test_taxonomy_show_by_key_and_by_name() -> None:
    code, out, _ = run("taxonomy", "show", "identity.resident_id")
    assert code == 0
    assert "身份证" in out
    assert "B.1 (B4)" in out
    assert "CN_RESIDENT_ID" in out
    code, out, _ = run("taxonomy", "show", "精准定位信息", "--format", "json")
    assert code == 0
    assert json.loads(out)["key"] == "location.precise"


def test_taxonomy_show_age_applies_children_rule() -> None:
    code, out, _ = run("taxonomy", "show", "basic.phone", "--age", "12", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["sensitive"] is False
    assert data["for_age"]["sensitive"] is True
    assert any("PIPL Art. 28" in r for r in data["for_age"]["reasons"])
    assert data["children"] == ["basic.phone.mobile", "basic.phone.landline"]


def test_taxonomy_export_to_stdout_and_file(tmp_path: Path) -> None:
    code, out, _ = run("taxonomy", "export")
    assert code == 0
    assert out == tx.render("json")
    target = tmp_path / "t.yaml"
    code, out, _ = run("taxonomy", "export", "--format", "yaml", "-o", str(target))
    assert code == 0
    assert out == ""
    assert yaml.safe_load(target.read_text(encoding="utf-8")) == tx.taxonomy_dict()


# ------------------------------------------------------------------ profiles


def test_profiles_list() -> None:
    code, out, _ = run("profiles", "list")
    assert code == 0
    for pid in ("online-health", "ride-hailing", "online-shopping", "smart-home"):
        assert pid in out
    code, out, _ = run("profiles", "list", "--format", "json")
    assert [p["id"] for p in json.loads(out)] == [p.id for p in tx.industry_profiles()]


def test_profiles_show_ride_hailing_table() -> None:
    code, out, _ = run("profiles", "show", "ride-hailing")
    assert code == 0
    assert "passenger side" in out
    assert "driver side" in out
    for text in ("行驶轨迹", "location.trajectory", "录音录像", "人脸识别信息", "biometric.face"):
        assert text in out
    assert "Sensitive PI on the passenger side" in out
    assert "Sensitive PI on the driver side" in out
    assert "#2 网络约车" in out
    assert "supply side: not covered (Art. 3)" in out
    assert "#2 lists it: 行踪轨迹" in out


def test_profiles_show_json_chinese_name() -> None:
    code, out, _ = run("profiles", "show", "互联网+医疗健康", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == "online-health"
    assert len(data["items"]) == 17
    record = next(i for i in data["items"] if i["pi_zh"] == "病历")
    assert record["sensitive"] is True
    assert record["categories"] == ["health.medical_record"]


# ------------------------------------------------------------------ apps


def test_apps_list() -> None:
    code, out, _ = run("apps", "list")
    assert code == 0
    assert "网络约车类" in out
    assert "39 categories; 13 need no PI" in out
    code, out, _ = run("apps", "list", "--no-pi", "--format", "json")
    data = json.loads(out)
    assert len(data["categories"]) == 13
    assert {r["article"] for r in data["general_rules"]} >= {3, 4}


def test_apps_show_ride_hailing_prints_what_a_reviewer_checks() -> None:
    code, out, _ = run("apps", "show", "网络约车")
    assert code == 0
    for text in (
        "网络预约出租汽车服务、巡游出租汽车电召服务",  # basic function service
        "注册用户移动电话号码",  # rule wording
        "basic.phone.mobile",  # taxonomy category
        "location.trajectory",
        "sensitive",
        "ordinary",
        "巡游出租汽车电召服务",  # the condition
        "Art. 3",
        "Art. 4",
        "消费侧用户个人信息",
    ):
        assert text in out, text


@pytest.mark.parametrize("term", ["网络约车", "网络约车类", "ride-hailing", "2"])
def test_apps_show_accepts_every_name(term: str) -> None:
    code, out, _ = run("apps", "show", term, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["number"] == 2
    assert data["necessary_pi"][0]["category"] == "basic.phone.mobile"
    assert data["necessary_pi"][0]["sensitive"] is False
    assert any(r["article"] == 4 for r in data["general_rules"])


def test_apps_show_no_pi_category() -> None:
    code, out, _ = run("apps", "show", "38")
    assert code == 0
    assert "无须个人信息" in out
    assert "second source" in out


# ------------------------------------------------------------------ errors and help


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("taxonomy", "show", "identity.pasport"), "did you mean 'identity.passport'"),
        (("taxonomy", "list", "--group", "healh"), "did you mean 'health'"),
        (("profiles", "show", "ride-haling"), "did you mean 'ride-hailing'"),
        (("apps", "show", "网络约"), "did you mean '网络约车"),
        (("apps", "show", "99"), "1 to 39"),
    ],
)
def test_unknown_keys_exit_2_with_one_line(args: tuple[str, ...], hint: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("piguard: error: unknown")
    assert hint in lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("taxonomy",),
        ("taxonomy", "list"),
        ("taxonomy", "show"),
        ("taxonomy", "export"),
        ("profiles", "list"),
        ("profiles", "show"),
        ("apps", "list"),
        ("apps", "show"),
    ],
)
def test_help_has_examples(args: tuple[str, ...]) -> None:
    code, out, _ = run(*args, "--help")
    assert code == 0
    assert "Examples" in out
    assert "$ piguard" in out
