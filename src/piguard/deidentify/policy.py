"""De-identification policies (YAML): which operator protects which personal information.

A policy is a list of rules, first match wins. A rule matches on any of ``entity`` (DESIGN.md
names, one or a list), ``category`` (taxonomy key, ``*`` globs), ``grade`` (``sensitive`` /
``ordinary``, GB/T 35273-2020 Annex B), ``column`` and ``table`` (globs), and names an
``operator`` with its ``options``. ``columns`` (and ``tables: {glob: {columns: ...}}``) say
what a table column holds: an entity, ``text`` (free text: scan it and replace what is
found) or ``keep``; other columns are classified from a sample. ``keys`` is the key-provider
spec (``env``, ``env:PREFIX``, ``file:DIR`` or a plug-in).

Everything is checked when the policy is loaded, with the file and line of the problem:

>>> parse_policy("rules:\\n  - entity: CN_MOBILE\\n    operator: fpe3\\n", source="policy.yaml")
Traceback (most recent call last):
...
piguard.errors.ConfigError: policy.yaml:3: unknown operator 'fpe3'
>>> p = default_policy()
>>> p.rule_for("CN_RESIDENT_ID").operator, p.rule_for("CN_MOBILE").operator
('fpe', 'mask')
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from piguard import taxonomy
from piguard.deidentify.operators import OperatorRegistry, config_key_id, default_operators
from piguard.errors import ConfigError, KeyProviderError
from piguard.keys import KeyProvider

__all__ = [
    "COLUMN_KINDS",
    "Policy",
    "Rule",
    "check_keys",
    "default_policy",
    "load_policy",
    "parse_policy",
]

#: Column kinds besides entity names.
COLUMN_KINDS = ("text", "keep")
_RULE_MATCH = ("entity", "category", "grade", "column", "table")
_RULE_KEYS = (*_RULE_MATCH, "operator", "options", "name")
_TOP_KEYS = ("version", "keys", "sample_rows", "rules", "columns", "tables")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: what it matches, the operator and its parsed (typed, frozen) config."""

    index: int
    operator: str
    config: Any
    line: int
    entity: tuple[str, ...] = ()
    category: str | None = None
    grade: str | None = None
    column: str | None = None
    table: str | None = None
    name: str | None = None

    def matches(
        self,
        entity: str,
        *,
        column: str | None = None,
        table: str | None = None,
    ) -> bool:
        """Whether this rule applies to ``entity`` found in ``column`` of ``table``."""
        if self.entity and entity not in self.entity:
            return False
        if self.category is not None or self.grade is not None:
            cat = taxonomy.ENTITY_CATEGORIES.get(entity)
            if cat is None:
                return False
            key = taxonomy.entity_category(entity).key
            sensitive = taxonomy.entity_category(entity).sensitive
            if self.category is not None and not fnmatch.fnmatchcase(key, self.category):
                return False
            if self.grade is not None and (self.grade == "sensitive") != sensitive:
                return False
        if self.column is not None and (
            column is None or not fnmatch.fnmatchcase(column, self.column)
        ):
            return False
        return self.table is None or (table is not None and fnmatch.fnmatchcase(table, self.table))


@dataclass(frozen=True)
class Policy:
    """A loaded, checked policy."""

    rules: tuple[Rule, ...]
    source: str = "<policy>"
    keys: str = "env"
    sample_rows: int = 200
    columns: dict[str, str] = field(default_factory=dict)
    tables: dict[str, dict[str, str]] = field(default_factory=dict)
    sha256: str = ""

    def rule_for(
        self, entity: str, *, column: str | None = None, table: str | None = None
    ) -> Rule | None:
        """The first rule that matches, or None (the value is kept)."""
        for rule in self.rules:
            if rule.matches(entity, column=column, table=table):
                return rule
        return None

    def column_kind(self, column: str, table: str | None = None) -> str | None:
        """What the policy says ``column`` holds (an entity, ``text``, ``keep``) or None."""
        if table is not None:
            for pattern, cols in self.tables.items():
                if fnmatch.fnmatchcase(table, pattern):
                    kind = _glob_get(cols, column)
                    if kind is not None:
                        return kind
        return _glob_get(self.columns, column)


def _glob_get(mapping: dict[str, str], name: str) -> str | None:
    if name in mapping:
        return mapping[name]
    for pattern, kind in mapping.items():
        if fnmatch.fnmatchcase(name, pattern):
            return kind
    return None


class _Doc:
    """A YAML document as nodes, for line numbers in errors."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node, message: str) -> ConfigError:
        return ConfigError(message, source=self.source, line=node.start_mark.line + 1)

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: list[tuple[str, yaml.Node, yaml.Node]] = []
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise self.fail(k, f"{what}: keys must be plain names")
            out.append((str(k.value), k, v))
        return out

    def value(self, node: yaml.Node) -> Any:
        return yaml.SafeLoader(yaml.serialize(node)).get_single_data()

    def text(self, node: yaml.Node, what: str) -> str:
        value = self.value(node)
        if not isinstance(value, str) or not value:
            raise self.fail(node, f"{what} must be a non-empty string")
        return value


def _check_entity(doc: _Doc, node: yaml.Node, name: str) -> str:
    if name not in taxonomy.ENTITIES:
        raise doc.fail(node, f"unknown entity {name!r} (see `piguard taxonomy list`)")
    return name


def _column_map(doc: _Doc, node: yaml.Node, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, _k, v in doc.mapping(node, what):
        kind = doc.text(v, f"{what}.{name}")
        if kind not in COLUMN_KINDS:
            _check_entity(doc, v, kind)
        out[name] = kind
    return out


def parse_policy(
    text: str, *, source: str = "<policy>", registry: OperatorRegistry | None = None
) -> Policy:
    """Parse and check a policy; :class:`ConfigError` names ``source`` and the line."""
    registry = registry or default_operators()
    doc = _Doc(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"not valid YAML: {problem}", source=source, line=line) from None
    if root is None:
        raise ConfigError("the policy is empty", source=source)
    keys, sample_rows = "env", 200
    rules: list[Rule] = []
    columns: dict[str, str] = {}
    tables: dict[str, dict[str, str]] = {}
    for key, knode, v in doc.mapping(root, "the policy"):
        if key not in _TOP_KEYS:
            raise doc.fail(knode, f"unknown section {key!r} (expected: {', '.join(_TOP_KEYS)})")
        if key == "version":
            if doc.value(v) != 1:
                raise doc.fail(v, "unsupported policy version (this piguard reads version 1)")
        elif key == "keys":
            keys = doc.text(v, "keys")
        elif key == "sample_rows":
            sample_rows = doc.value(v)
            if not isinstance(sample_rows, int) or isinstance(sample_rows, bool) or sample_rows < 1:
                raise doc.fail(v, "sample_rows must be a positive integer")
        elif key == "columns":
            columns = _column_map(doc, v, "columns")
        elif key == "tables":
            for tname, _tk, tnode in doc.mapping(v, "tables"):
                for sub, sk, snode in doc.mapping(tnode, f"tables.{tname}"):
                    if sub != "columns":
                        raise doc.fail(sk, f"tables.{tname}: unknown key {sub!r} (use columns)")
                    tables[tname] = _column_map(doc, snode, f"tables.{tname}.columns")
        else:
            if not isinstance(v, yaml.SequenceNode):
                raise doc.fail(v, "rules must be a list")
            for i, rnode in enumerate(v.value):
                rules.append(_parse_rule(doc, rnode, i, registry))
    if not rules:
        raise ConfigError("the policy has no rules", source=source)
    return Policy(
        rules=tuple(rules),
        source=source,
        keys=keys,
        sample_rows=sample_rows,
        columns=columns,
        tables=tables,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _parse_rule(doc: _Doc, node: yaml.Node, index: int, registry: OperatorRegistry) -> Rule:
    fields: dict[str, Any] = {}
    op_node: yaml.Node | None = None
    options_node: yaml.Node | None = None
    for key, knode, v in doc.mapping(node, f"rule {index + 1}"):
        if key not in _RULE_KEYS:
            raise doc.fail(knode, f"rule {index + 1}: unknown key {key!r}")
        if key == "operator":
            op_node = v
        elif key == "options":
            options_node = v
        elif key == "entity":
            value = doc.value(v)
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise doc.fail(v, "entity must be a name or a list of names")
            fields["entity"] = tuple(_check_entity(doc, v, n) for n in names)
        elif key == "grade":
            grade = doc.value(v)
            if grade not in ("sensitive", "ordinary"):
                raise doc.fail(v, "grade must be 'sensitive' or 'ordinary'")
            fields["grade"] = grade
        elif key == "category":
            cat = doc.text(v, "category")
            if not any(
                fnmatch.fnmatchcase(key, cat) for key in taxonomy.ENTITY_CATEGORIES.values()
            ):
                raise doc.fail(v, f"category {cat!r} matches no entity's category")
            fields["category"] = cat
        else:
            fields[key] = doc.text(v, key)
    if op_node is None:
        raise doc.fail(node, f"rule {index + 1} has no operator")
    operator = doc.text(op_node, "operator")
    try:
        registry.spec(operator)
    except ConfigError as exc:
        raise doc.fail(op_node, exc.message) from None
    options: Any = {}
    if options_node is not None:
        options = doc.value(options_node)
        if not isinstance(options, dict):
            raise doc.fail(options_node, "options must be a mapping")
    try:
        config = registry.parse(operator, options)
    except ConfigError as exc:
        raise doc.fail(options_node or op_node, f"{operator}: {exc.message}") from None
    return Rule(
        index=index,
        operator=operator,
        config=config,
        line=node.start_mark.line + 1,
        **fields,
    )


def check_keys(
    policy: Policy, keys: KeyProvider, *, registry: OperatorRegistry | None = None
) -> list[str]:
    """Fetch every key that the policy's rules need (``hash``, ``encrypt``, ``fpe``,
    ``tokenize``, ``date_shift``, ``waybill`` with virtual numbers), so that a missing or
    malformed key stops a run before any input is read. Returns the key ids checked.

    :class:`~piguard.errors.KeyProviderError` names the policy file, the rule's line and the
    key id (never key material):

    >>> from piguard.keys import EnvKeyProvider
    >>> p = parse_policy("rules:\\n  - grade: sensitive\\n    operator: hash\\n", source="p.yaml")
    >>> check_keys(p, EnvKeyProvider(environ={}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    piguard.errors.KeyProviderError: p.yaml:2: rule 1 (hash) needs key 'deidentify': ...
    """
    registry = registry or default_operators()
    checked: list[str] = []
    for rule in policy.rules:
        key_id = config_key_id(registry.spec(rule.operator), rule.config)
        if key_id is None or key_id in checked:
            continue
        try:
            keys.get_key(key_id)
        except KeyProviderError as exc:
            reason = str(exc).removeprefix(f"key {key_id!r}: ")
            raise KeyProviderError(
                f"{policy.source}:{rule.line}: rule {rule.index + 1} ({rule.operator}) needs key "
                f"{key_id!r}: {reason}"
            ) from None
        checked.append(key_id)
    return checked


def load_policy(
    path: str | Path,
    *,
    registry: OperatorRegistry | None = None,
    keys: KeyProvider | None = None,
) -> Policy:
    """Read and check a policy file; with ``keys``, also that every key it needs is there
    (:func:`check_keys`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the policy ({type(exc).__name__})", source=str(p)) from None
    policy = parse_policy(text, source=str(p), registry=registry)
    if keys is not None:
        check_keys(policy, keys, registry=registry)
    return policy


def default_policy(*, registry: OperatorRegistry | None = None) -> Policy:
    """The shipped default policy (``default_policy.yaml``, also examples/policies/default.yaml):
    sensitive PI → FF3-1 or a keyed pseudonym, ordinary PI → masked."""
    text = resources.files("piguard.deidentify").joinpath("default_policy.yaml").read_text("utf-8")
    return parse_policy(text, source="<default policy>", registry=registry)
