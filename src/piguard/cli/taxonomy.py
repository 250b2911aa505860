"""``piguard taxonomy``, ``piguard profiles`` and ``piguard apps``: the reference data, readable.

Thin wrappers over :mod:`piguard.taxonomy`; unknown keys raise ``UnknownKeyError``, which the
root command turns into one line on standard error and exit code 2.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from piguard import taxonomy as tx
from piguard.cli._output import (
    OutputFormat,
    emit_text,
    examples,
    make_table,
    stdout_console,
    to_json,
)

_SENSITIVE_STYLE = "bold red"
_COND_LABEL = {
    tx.ConditionKind.ONLY_FOR_SERVICE: "only for",
    tx.ConditionKind.NOT_FOR_SERVICE: "not for",
    tx.ConditionKind.WHEN: "when",
    tx.ConditionKind.IF_PRESENT: "if present",
    tx.ConditionKind.ONE_OF: "one of",
}
_ZH_NUM = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七"}
_FORMAT_HELP = "Output format: a table to read, or JSON with every field."


class ExportFormat(enum.StrEnum):
    """Formats of ``piguard taxonomy export``."""

    json = "json"
    yaml = "yaml"


def _grade_cell(sensitive: bool) -> str:
    return "sensitive 敏感" if sensitive else "ordinary 一般"


def _add_row(table: Table, cells: Iterable[Any], *, sensitive: bool) -> None:
    table.add_row(
        *("" if c is None else str(c) for c in cells),
        style=_SENSITIVE_STYLE if sensitive else None,
    )


def _short(source: str) -> str:
    """A source clause without the repeated standard name (the column header names it)."""
    return source.replace("GB/T 35273-2020 ", "")


def _no_wrap(table: Table, *names: str) -> Table:
    """Keep dotted keys on one line: the other columns wrap instead."""
    for column in table.columns:
        if column.header in names:
            column.no_wrap = True
    return table


# --------------------------------------------------------------------------- taxonomy

taxonomy_app = typer.Typer(
    name="taxonomy",
    help="The categories of personal information (GB/T 35273-2020 Table A.1, graded by B.1).",
    epilog=examples(
        "piguard taxonomy list --group health",
        "piguard taxonomy show identity.resident_id",
        "piguard taxonomy export --format yaml -o taxonomy.yaml",
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@taxonomy_app.command(
    "list",
    epilog=examples(
        "piguard taxonomy list",
        "piguard taxonomy list --group health",
        "piguard taxonomy list --sensitive --format json",
    ),
)
def taxonomy_list(
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            "-g",
            help="Only this group: basic, identity, health … "
            "(a sub-key or a Chinese name selects its group).",
        ),
    ] = None,
    sensitive: Annotated[
        bool, typer.Option("--sensitive", help="Only sensitive categories (个人敏感信息).")
    ] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help=_FORMAT_HELP)
    ] = OutputFormat.table,
) -> None:
    """List the categories, with names, grade and the clause they come from.

    Sensitive rows are shown in red. Keys marked * are piguard extensions that the standard
    does not list (their note says why).
    """
    cats = tx.categories(group=group, sensitive=True if sensitive else None)
    if fmt is OutputFormat.json:
        emit_text(
            to_json(
                {"version": tx.TAXONOMY_VERSION, "categories": [tx.category_dict(c) for c in cats]}
            )
        )
        return
    title = (
        f"piguard taxonomy {tx.TAXONOMY_VERSION}: GB/T 35273-2020 Table A.1, graded by Table B.1"
    )
    levels = any(c.health_level is not None for c in cats)
    columns = ["Key", "名称", "Name", "Grade", "Source (GB/T 35273-2020 unless named)"]
    if levels:
        columns.insert(4, "GB/T 39725 level")
    table = make_table(title, columns, ())
    _no_wrap(table, "Key")
    for c in cats:
        key = ("  " * c.key.count(".")) + c.key + (" *" if c.extension else "")
        cells = [key, c.name_zh, c.name_en, _grade_cell(c.sensitive), _short(c.source)]
        if levels:
            level = "" if c.health_level is None else f"{c.health_level.level} (unverified)"
            cells.insert(4, level)
        _add_row(table, cells, sensitive=c.sensitive)
    console = stdout_console()
    console.print(table)
    console.print(
        f"{len(cats)} categories, {sum(c.sensitive for c in cats)} sensitive. "
        "* = piguard extension. PI of children aged 14 and under is sensitive whatever its "
        "category (GB/T 35273-2020 Annex B; PIPL Art. 28: under 14).",
        highlight=False,
    )


@taxonomy_app.command(
    "show",
    epilog=examples(
        "piguard taxonomy show identity.resident_id",
        "piguard taxonomy show 精准定位信息",
        "piguard taxonomy show basic.phone --age 12",
        "piguard taxonomy show health.physiology --format json",
    ),
)
def taxonomy_show(
    key: Annotated[
        str, typer.Argument(help="A dotted key, or a category's Chinese or English name.")
    ],
    age: Annotated[
        int | None,
        typer.Option("--age", min=0, help="The subject's age: applies the children rules."),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help=_FORMAT_HELP)
    ] = OutputFormat.table,
) -> None:
    """Show one category: names, examples, grade, source clause and sub-categories."""
    cat = tx.find(key)
    subs = tx.children(cat.key)
    entities = [e for e, k in tx.ENTITY_CATEGORIES.items() if k == cat.key]
    verdict = tx.sensitivity(cat.key, age) if age is not None else None
    if fmt is OutputFormat.json:
        data = tx.category_dict(cat)
        data["children"] = [c.key for c in subs]
        data["entities"] = entities
        if verdict is not None:
            data["for_age"] = {
                "age": age,
                "sensitive": verdict.sensitive,
                "grade": verdict.grade.value,
                "reasons": list(verdict.reasons),
            }
        emit_text(to_json(data))
        return
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    grade = Text(
        f"{cat.grade.value} ({cat.grade.name_zh})",
        style=_SENSITIVE_STYLE if cat.sensitive else "green",
    )
    rows: list[tuple[str, str | Text]] = [
        ("Key", cat.key),
        ("名称 / Name", f"{cat.name_zh} / {cat.name_en}"),
        (
            "Group",
            f"{cat.group} (GB/T 35273-2020 Table A.1 row {tx.category_dict(cat)['table_a1_row']})",
        ),
        ("Parent", cat.parent or "—"),
        ("Grade", grade),
        ("Source", cat.source),
    ]
    if cat.health_level is not None:
        rows.append(
            ("GB/T 39725 level", f"{cat.health_level.level} (unverified: {cat.health_level.basis})")
        )
    if cat.extension:
        rows.append(("Extension", "yes: piguard adds this category; the standard does not list it"))
    if cat.note:
        rows.append(("Note", cat.note))
    if cat.examples:
        rows.append(("Examples", "\n".join(f"{e.zh} — {e.en}" for e in cat.examples)))
    if subs:
        rows.append(
            (
                "Sub-categories",
                "\n".join(f"{c.key} {c.name_zh} ({_grade_cell(c.sensitive)})" for c in subs),
            )
        )
    if entities:
        rows.append(("Detected as", ", ".join(entities)))
    if verdict is not None:
        rows.append(
            (
                f"For age {age}",
                Text(
                    f"{verdict.grade.value}\n" + "\n".join(f"- {r}" for r in verdict.reasons),
                    style=_SENSITIVE_STYLE if verdict.sensitive else "green",
                ),
            )
        )
    for label, value in rows:
        grid.add_row(label, value)
    stdout_console().print(Panel(grid, title=f"{cat.key}  {cat.name_zh}", title_align="left"))


@taxonomy_app.command(
    "export",
    epilog=examples(
        "piguard taxonomy export > taxonomy.json",
        "piguard taxonomy export --format yaml -o taxonomy.yaml",
    ),
)
def taxonomy_export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="json or yaml.")
    ] = ExportFormat.json,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="Write to this file (atomically) instead of standard output."
        ),
    ] = None,
) -> None:
    """Export the whole taxonomy: categories, entity map, app rules, profiles and version.

    The same text is shipped in piguard/taxonomy/exports/ (regenerate it with
    scripts/export_taxonomy.py).
    """
    emit_text(tx.render(fmt.value), output)


# --------------------------------------------------------------------------- profiles

profiles_app = typer.Typer(
    name="profiles",
    help="Industry profiles: function → personal information → purpose (2020 industry report).",
    epilog=examples("piguard profiles list", "piguard profiles show ride-hailing"),
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _app_label(number: int) -> str:
    app = tx.app_category(number)
    return f"#{number} {app.name_zh} ({app.name_en})"


@profiles_app.command(
    "list",
    epilog=examples("piguard profiles list", "piguard profiles list --format json"),
)
def profiles_list(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help=_FORMAT_HELP)
    ] = OutputFormat.table,
) -> None:
    """List the four industry profiles."""
    profiles = tx.industry_profiles()
    if fmt is OutputFormat.json:
        emit_text(to_json([tx.profile_dict(p) for p in profiles]))
        return
    table = make_table(
        "Industry profiles (2020 Internet+ PI-protection report)",
        (
            "Id",
            "名称",
            "Name",
            "Sides",
            "Items",
            "Sensitive",
            "App categories (2021 rules)",
            "From",
        ),
        (),
    )
    for p in profiles:
        sensitive = sum(any(tx.get(k).sensitive for k in i.categories) for i in p.items)
        prose = all(i.derived_from_prose for i in p.items)
        origin = (
            "report prose"
            if prose
            else "report table" + (" + prose" if any(i.derived_from_prose for i in p.items) else "")
        )
        table.add_row(
            p.id,
            p.name_zh,
            p.name_en,
            ", ".join(p.sides()),
            str(len(p.items)),
            str(sensitive),
            "\n".join(_app_label(n) for n in p.app_categories),
            origin,
        )
    stdout_console().print(table)


def _rules_cell(item: tx.ProfileItem) -> str:
    """Whether the 2021 rules name the item's kind of PI as necessary for its app categories.

    "lists it" means the rule names that kind of PI (same or related category), not that this
    particular use is necessary; "not listed" means it cannot be demanded for the basic
    function (Art. 4).
    """
    if item.side is tx.Side.SUPPLY:
        return "supply side: not covered (Art. 3)"
    hits = []
    for number in item.app_categories:
        app = tx.app_category(number)
        listed = {p.wording_zh for key in item.categories for p in app.lists(key)}
        if listed:
            hits.append(f"#{number} lists it: " + "、".join(sorted(listed)))
    return "\n".join(hits) if hits else "not listed: optional (Art. 4)"


@profiles_app.command(
    "show",
    epilog=examples(
        "piguard profiles show ride-hailing",
        "piguard profiles show 互联网+医疗健康",
        "piguard profiles show smart-home --format json",
    ),
)
def profiles_show(
    industry: Annotated[
        str,
        typer.Argument(
            help="online-health, ride-hailing, online-shopping or smart-home (Chinese names too)."
        ),
    ],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help=_FORMAT_HELP)
    ] = OutputFormat.table,
) -> None:
    """Show a profile: each function, the PI it collects, why, and what of it is sensitive.

    The "2021 necessary PI" column says whether the 2021 rules list the item's category as
    necessary PI of the applicable app category; PI they do not list cannot be demanded for
    the basic function (Art. 4). Sensitive rows are red.
    """
    profile = tx.industry_profile(industry)
    if fmt is OutputFormat.json:
        emit_text(to_json(tx.profile_dict(profile)))
        return
    console = stdout_console()
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column(overflow="fold")
    head.add_row("Profile", f"{profile.id}: {profile.name_zh} / {profile.name_en}")
    head.add_row("Summary", profile.summary_en)
    head.add_row("App categories", "\n".join(_app_label(n) for n in profile.app_categories))
    head.add_row("", profile.app_categories_note)
    head.add_row("Source", profile.source)
    if profile.note:
        head.add_row("Note", profile.note)
    console.print(Panel(head, title=f"{profile.name_zh} {profile.name_en}", title_align="left"))
    for side in profile.sides():
        items = [i for i in profile.items if i.side_en == side]
        side_zh = items[0].side_zh
        table = make_table(
            f"{side} side ({side_zh})",
            (
                "Function 功能",
                "PI 个人信息",
                "Category",
                "Grade",
                "Purpose 用途",
                "Type",
                "2021 necessary PI",
            ),
            (),
        )
        _no_wrap(table, "Category")
        for i in items:
            sensitive = any(tx.get(k).sensitive for k in i.categories)
            ftype = "" if i.function_type is None else i.function_type.value
            pi = f"{i.pi_zh}\n{i.pi_en}" + (" †" if i.derived_from_prose else "")
            _add_row(
                table,
                (
                    f"{i.function_zh}\n{i.function_en}",
                    pi,
                    "\n".join(i.categories),
                    _grade_cell(sensitive),
                    f"{i.purpose_zh}\n{i.purpose_en}",
                    ftype,
                    _rules_cell(i),
                ),
                sensitive=sensitive,
            )
        console.print(table)
        sens = [
            k for k in dict.fromkeys(k for i in items for k in i.categories) if tx.get(k).sensitive
        ]
        console.print(
            Text(
                f"Sensitive PI on the {side} side: "
                + (", ".join(f"{k} ({tx.get(k).name_zh})" for k in sens) or "none"),
                style="bold",
            )
        )
    console.print(
        "† derived from the report's prose, not from a table. Type: basic/extended function "
        "where a text says so (see --format json for the quoted basis).",
        highlight=False,
    )


# --------------------------------------------------------------------------- apps

apps_app = typer.Typer(
    name="apps",
    help="Necessary personal information of the 39 app categories (2021 rules, 必要个人信息).",
    epilog=examples("piguard apps list", "piguard apps show 网络约车", "piguard apps show 15"),
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@apps_app.command(
    "list",
    epilog=examples(
        "piguard apps list", "piguard apps list --no-pi", "piguard apps list --format json"
    ),
)
def apps_list(
    no_pi: Annotated[
        bool,
        typer.Option(
            "--no-pi", help="Only the 13 categories that need no PI for the basic function."
        ),
    ] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help=_FORMAT_HELP)
    ] = OutputFormat.table,
) -> None:
    """List the 39 app categories with their basic function service and necessary PI."""
    apps = tx.app_categories(needs_pi=False if no_pi else None)
    if fmt is OutputFormat.json:
        emit_text(
            to_json(
                {
                    "general_rules": [
                        {"article": r.article, "zh": r.zh, "en": r.en, "source": r.source}
                        for r in tx.GENERAL_RULES
                    ],
                    "categories": [tx.app_dict(a) for a in apps],
                }
            )
        )
        return
    table = make_table(
        "App categories: 《常见类型移动互联网应用程序必要个人信息范围规定》 (in force 2021-05-01)",
        (
            "#",
            "类别",
            "Category",
            "Basic function service 基本功能服务",
            "Necessary PI 必要个人信息",
        ),
        (),
    )
    for a in apps:
        if a.needs_no_pi:
            pi = "none (无须个人信息)"
        else:
            pi = "\n".join(f"{n}. {t}" for n, t in enumerate(a.items_zh, 1))
        number = f"{a.number}{' ‡' if a.second_source else ''}"
        table.add_row(number, a.full_name_zh, a.name_en, a.basic_function_zh, pi)
    console = stdout_console()
    console.print(table)
    console.print(
        f"{len(apps)} categories; {sum(a.needs_no_pi for a in apps)} need no PI. "
        "‡ = text from a second source (see 'piguard apps show 38').",
        highlight=False,
    )


@apps_app.command(
    "show",
    epilog=examples(
        "piguard apps show 网络约车",
        "piguard apps show ride-hailing",
        "piguard apps show 2 --format json",
    ),
)
def apps_show(
    category: Annotated[
        str,
        typer.Argument(help="Number (1-39), Chinese name (with or without 类) or English name."),
    ],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help=_FORMAT_HELP)
    ] = OutputFormat.table,
) -> None:
    """Show an app category: basic function service, each necessary PI item with the rule's
    wording, its taxonomy category and grade, the conditions, and the general rules."""
    app = tx.app_category(category)
    if fmt is OutputFormat.json:
        data = tx.app_dict(app)
        data["general_rules"] = [
            {"article": r.article, "zh": r.zh, "en": r.en, "source": r.source}
            for r in tx.GENERAL_RULES
        ]
        emit_text(to_json(data))
        return
    console = stdout_console()
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column(overflow="fold")
    head.add_row("Category", f"#{app.number} {app.full_name_zh} / {app.name_en}")
    head.add_row("Basic function service", f"{app.basic_function_zh}\n{app.basic_function_en}")
    head.add_row(
        "Rule text",
        "\n".join(f"{n}. {t}" for n, t in enumerate(app.items_zh, 1))
        if not app.needs_no_pi
        else app.items_zh[0],
    )
    head.add_row("Source", app.source)
    confidence = app.confidence.value + (
        " (text from a second source)" if app.second_source else ""
    )
    head.add_row("Confidence", confidence)
    if app.note:
        head.add_row("Note", app.note)
    console.print(Panel(head, title=f"#{app.number} {app.full_name_zh}", title_align="left"))
    if app.needs_no_pi:
        console.print(
            Text(
                "No personal information is necessary for the basic function service "
                "(无须个人信息，即可使用基本功能服务).",
                style="bold green",
            )
        )
    else:
        table = make_table(
            "Necessary PI 必要个人信息",
            ("Item", "Rule wording 原文", "Whose", "Category", "Grade", "Conditions"),
            (),
        )
        _no_wrap(table, "Category")
        for p in app.necessary_pi:
            cat = tx.get(p.category)
            whose = f"{p.role_zh} {p.role_en}".strip()
            cond = "\n".join(f"{_COND_LABEL[c.kind]}: {c.zh}" for c in p.conditions)
            _add_row(
                table,
                (
                    str(p.item),
                    f"{p.wording_zh}\n{p.name_en}",
                    whose,
                    f"{cat.key}\n{cat.name_zh}",
                    _grade_cell(cat.sensitive),
                    cond,
                ),
                sensitive=cat.sensitive,
            )
        console.print(table)
        conditioned = [p for p in app.necessary_pi if p.conditions]
        if conditioned:
            lines = [
                f"- {p.wording_zh}: " + "; ".join(c.en for c in p.conditions) for p in conditioned
            ]
            console.print(Text("Conditions\n" + "\n".join(lines)))
    rules = [r for r in tx.GENERAL_RULES if r.article in (2, 3, 4)]
    console.print(
        Panel(
            Group(
                *(Text(f"Art. {r.article}: {r.en}\n第{_ZH_NUM[r.article]}条 {r.zh}") for r in rules)
            ),
            title="General rules",
            title_align="left",
        )
    )


def register(app: typer.Typer) -> None:
    """Attach ``taxonomy``, ``profiles`` and ``apps`` to the root command."""
    app.add_typer(taxonomy_app, name="taxonomy")
    app.add_typer(profiles_app, name="profiles")
    app.add_typer(apps_app, name="apps")
