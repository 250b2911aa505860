"""Reading a data map from YAML, with the line of every element (yaml node marks).

Any mistake raises :class:`~piguard.errors.ConfigError` naming the file and line, before any
check runs: a data map that cannot be read is never half-checked.
"""

from __future__ import annotations

import enum
import os
import re
from pathlib import Path
from typing import TypeVar

import yaml

from piguard import taxonomy
from piguard.datamap.model import (
    BiometricStorage,
    BusinessFunction,
    CrossBorder,
    DataMap,
    FunctionType,
    LegalBasis,
    PIItem,
    Recipient,
    RecipientType,
    Retention,
    Subjects,
    System,
)
from piguard.errors import ConfigError, UnknownKeyError

__all__ = ["FORMAT_VERSION", "load_datamap", "parse_datamap", "parse_retention"]

FORMAT_VERSION = 1

_E = TypeVar("_E", bound=enum.StrEnum)


class _Reader:
    def __init__(self, source: str | None):
        self.source = source

    def error(self, node: yaml.Node | None, message: str) -> ConfigError:
        line = node.start_mark.line + 1 if node is not None else None
        return ConfigError(message, source=self.source, line=line)

    def mapping(
        self,
        node: yaml.Node,
        what: str,
        allowed: set[str],
        required: frozenset[str] | set[str] = frozenset(),
    ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping (key: value)")
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise self.error(key_node, f"{what}: keys must be plain words")
            if key in out:
                raise self.error(key_node, f"{what}: {key!r} appears twice")
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.error(key_node, f"{what}: unknown field {key!r} (known: {known})")
            out[key] = value_node
        for key in sorted(required - out.keys()):
            raise self.error(node, f"{what}: missing field {key!r}")
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list")
        return list(node.value)

    def text(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            raise self.error(node, f"{what} must be text")
        value = str(node.value).strip()
        if not value:
            raise self.error(node, f"{what} must not be empty")
        return value

    def texts(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            return (self.text(node, what),)
        return tuple(self.text(n, what) for n in self.sequence(node, what))

    def boolean(self, node: yaml.Node, what: str) -> bool:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
            return str(node.value).lower() in {"true", "yes", "on", "y"}
        raise self.error(node, f"{what} must be true or false")

    def choice(self, node: yaml.Node, what: str, enum_type: type[_E]) -> _E:
        value = self.text(node, what)
        try:
            return enum_type(value)
        except ValueError:
            options = ", ".join(e.value for e in enum_type)
            raise self.error(node, f"{what}: {value!r} is not one of {options}") from None

    def choices(self, node: yaml.Node, what: str, enum_type: type[_E]) -> tuple[_E, ...]:
        nodes = [node] if isinstance(node, yaml.ScalarNode) else self.sequence(node, what)
        return tuple(self.choice(n, what, enum_type) for n in nodes)


_DURATION = re.compile(
    r"P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?", re.IGNORECASE
)
_WORDS = re.compile(
    r"(?P<n>\d+)\s*(?P<unit>days?|weeks?|months?|years?|天|日|周|个月|月|年)",
    re.IGNORECASE,
)
_UNIT_DAYS = {
    "day": 1,
    "days": 1,
    "天": 1,
    "日": 1,
    "week": 7,
    "weeks": 7,
    "周": 7,
    "month": 30,
    "months": 30,
    "个月": 30,
    "月": 30,
    "year": 365,
    "years": 365,
    "年": 365,
}


def parse_retention(text: str) -> int | None:
    """Days in a retention period written as ISO 8601 (``P3Y``, ``P180D``) or in words
    (``3 years``, ``180 天``); None when the text states no finite period.

    >>> parse_retention("P3Y"), parse_retention("180 天"), parse_retention("6 months")
    (1095, 180, 180)
    >>> parse_retention("forever") is None
    True
    """
    text = text.strip()
    m = _DURATION.fullmatch(text)
    if m and any(m.groupdict().values()):
        y, mo, w, d = (int(m.group(g) or 0) for g in "ymwd")
        return y * 365 + mo * 30 + w * 7 + d
    m = _WORDS.fullmatch(text)
    if m:
        return int(m.group("n")) * _UNIT_DAYS[m.group("unit").lower()]
    return None


def _category(r: _Reader, node: yaml.Node) -> str:
    key = r.text(node, "category")
    try:
        return taxonomy.get(key).key
    except UnknownKeyError as exc:
        raise r.error(node, str(exc)) from None


def _recipient(r: _Reader, node: yaml.Node) -> Recipient:
    m = r.mapping(node, "recipient", {"name", "type", "legal_basis", "country"}, {"name", "type"})
    return Recipient(
        name=r.text(m["name"], "recipient name"),
        type=r.choice(m["type"], "recipient type", RecipientType),
        legal_basis=r.choices(m["legal_basis"], "legal_basis", LegalBasis)
        if "legal_basis" in m
        else (),
        country=r.text(m["country"], "country") if "country" in m else None,
        line=node.start_mark.line + 1,
    )


def _cross_border(r: _Reader, node: yaml.Node) -> CrossBorder:
    m = r.mapping(
        node,
        "cross_border",
        {"country", "recipient", "legal_basis"},
        {"country", "recipient"},
    )
    return CrossBorder(
        country=r.text(m["country"], "country"),
        recipient=r.text(m["recipient"], "recipient"),
        legal_basis=r.choices(m["legal_basis"], "legal_basis", LegalBasis)
        if "legal_basis" in m
        else (),
        line=node.start_mark.line + 1,
    )


def _item(r: _Reader, node: yaml.Node) -> PIItem:
    m = r.mapping(
        node,
        "PI item",
        {
            "category",
            "purposes",
            "legal_basis",
            "retention",
            "storage",
            "recipients",
            "cross_border",
            "note",
        },
        {"category", "purposes"},
    )
    retention = None
    if "retention" in m:
        text = r.text(m["retention"], "retention")
        days = parse_retention(text)
        if days is None:
            # PIPL Art. 19: the shortest time necessary; an open-ended period is no period.
            retention = Retention(text=text, days=-1)
        else:
            retention = Retention(text=text, days=days)
    return PIItem(
        category=_category(r, m["category"]),
        purposes=r.texts(m["purposes"], "purposes"),
        legal_basis=r.choices(m["legal_basis"], "legal_basis", LegalBasis)
        if "legal_basis" in m
        else (),
        retention=retention,
        storage=r.choice(m["storage"], "storage", BiometricStorage) if "storage" in m else None,
        recipients=tuple(_recipient(r, n) for n in r.sequence(m["recipients"], "recipients"))
        if "recipients" in m
        else (),
        cross_border=tuple(
            _cross_border(r, n)
            for n in (
                [m["cross_border"]]
                if isinstance(m["cross_border"], yaml.MappingNode)
                else r.sequence(m["cross_border"], "cross_border")
            )
        )
        if "cross_border" in m
        else (),
        note=r.text(m["note"], "note") if "note" in m else "",
        line=node.start_mark.line + 1,
    )


def _function(r: _Reader, node: yaml.Node) -> BusinessFunction:
    m = r.mapping(
        node,
        "business function",
        {"id", "name", "type", "purposes", "subjects", "side", "pi"},
        {"id", "pi"},
    )
    fid = r.text(m["id"], "function id")
    return BusinessFunction(
        id=fid,
        name=r.text(m["name"], "function name") if "name" in m else fid,
        type=r.choice(m["type"], "function type", FunctionType) if "type" in m else None,
        purposes=r.texts(m["purposes"], "purposes") if "purposes" in m else (),
        subjects=r.choice(m["subjects"], "subjects", Subjects)
        if "subjects" in m
        else Subjects.ADULTS,
        side=r.choice(m["side"], "side", taxonomy.Side).value if "side" in m else "consumer",
        pi=tuple(_item(r, n) for n in r.sequence(m["pi"], "pi")),
        line=node.start_mark.line + 1,
    )


def _system(r: _Reader, node: yaml.Node) -> System:
    m = r.mapping(node, "system", {"id", "name", "functions"}, {"id", "functions"})
    sid = r.text(m["id"], "system id")
    functions = tuple(_function(r, n) for n in r.sequence(m["functions"], "functions"))
    seen: dict[str, int] = {}
    for fn in functions:
        if fn.id in seen:
            raise ConfigError(
                f"function id {fn.id!r} appears twice (first on line {seen[fn.id]})",
                source=r.source,
                line=fn.line,
            )
        seen[fn.id] = fn.line
    return System(
        id=sid,
        name=r.text(m["name"], "system name") if "name" in m else sid,
        functions=functions,
        line=node.start_mark.line + 1,
    )


def parse_datamap(text: str, *, source: str | None = None) -> DataMap:
    """Parse a data map from YAML text.

    >>> dm = parse_datamap('''
    ... datamap: 1
    ... organisation: Example
    ... systems:
    ...   - id: app
    ...     functions:
    ...       - id: login
    ...         type: basic
    ...         pi:
    ...           - {category: basic.phone.mobile, purposes: [login], retention: P1Y}
    ... ''')
    >>> dm.systems[0].functions[0].pi[0].retention.days, dm.systems[0].functions[0].pi[0].line
    (365, 10)
    """
    r = _Reader(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or "invalid YAML"
        raise ConfigError(f"not valid YAML: {problem}", source=source, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {type(exc).__name__}", source=source) from None
    if root is None:
        raise ConfigError("the data map is empty", source=source, line=1)
    m = r.mapping(
        root,
        "data map",
        {"datamap", "organisation", "app_category", "systems", "source", "note"},
        {"datamap", "systems"},
    )
    version = r.text(m["datamap"], "datamap (format version)")
    if version != str(FORMAT_VERSION):
        raise r.error(m["datamap"], f"unsupported data-map format version {version!r} (use 1)")
    app_category = None
    if "app_category" in m:
        app_category = r.text(m["app_category"], "app_category")
        try:
            app_category = taxonomy.app_category(app_category).name_zh
        except UnknownKeyError as exc:
            raise r.error(m["app_category"], str(exc)) from None
    systems = tuple(_system(r, n) for n in r.sequence(m["systems"], "systems"))
    return DataMap(
        organisation=r.text(m["organisation"], "organisation") if "organisation" in m else "",
        systems=systems,
        app_category=app_category,
        source=source,
        extra={k: r.text(m[k], k) for k in ("source", "note") if k in m},
    )


def load_datamap(path: str | os.PathLike[str]) -> DataMap:
    """Read and parse a data-map YAML file (UTF-8, with or without BOM)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read the data map: {exc.strerror}", source=str(p)) from None
    except UnicodeDecodeError:
        raise ConfigError("the data map is not UTF-8 text", source=str(p)) from None
    return parse_datamap(text, source=str(p))
