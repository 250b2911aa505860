"""Dataset descriptions (YAML): which datastores hold whose rows, and how to erase them.

A description names each SQL datastore (URL, or ``env:VAR`` to read the URL with its
credentials from the environment, never echoed: messages use
:func:`piguard.sources.redact_url`), its tables, the identity columns a request can start
from (``user_id``, ``phone``, ``resident_id``, ``email``), the references between tables
(``column: parent_table.column``; declared foreign keys are read from the schema too, and
``ignore_references`` lists columns not to follow, such as a trip's ``driver_id``), the PI
columns with their taxonomy categories, and the erasure action per table: ``delete`` rows,
``mask`` columns with a de-identification operator, or a legal ``hold`` with reason and expiry.

Every problem is reported with the file and line:

>>> parse_description(
...     "datastores:\\n  - name: shop\\n    url: sqlite://\\n    tables:\\n"
...     "      users: {key: id, erasure: shred}\\n",
...     source="shop.yaml",
... )
Traceback (most recent call last):
...
piguard.errors.ConfigError: shop.yaml:5: erasure must be 'delete', {mask: ...} or {hold: ...}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from piguard import taxonomy
from piguard.deidentify import OperatorRegistry, default_operators
from piguard.errors import ConfigError

__all__ = [
    "IDENTITY_KINDS",
    "Datastore",
    "Description",
    "Erasure",
    "Reference",
    "TableSpec",
    "VaultSpec",
    "load_description",
    "parse_description",
]

#: The identity kinds a request can start from (GB/T 35273-2020 8.5: identity checks may not
#: ask for more PI types than were collected, so a request names one of these).
IDENTITY_KINDS = ("user_id", "phone", "resident_id", "email")


@dataclass(frozen=True, slots=True)
class Reference:
    """``table.column`` points at ``parent.parent_column`` (the parent owns the child row);
    ``datastore`` names the parent's datastore when it is another one (``ride.users.id``)."""

    column: str
    parent: str
    parent_column: str
    datastore: str | None = None


@dataclass(frozen=True, slots=True)
class Erasure:
    """What deletion and cancellation do to a table's rows of the person."""

    action: str  # "delete" | "mask" | "hold"
    #: column -> (operator name, parsed config, entity) for ``mask``
    mask: dict[str, tuple[str, Any, str | None]] = field(default_factory=dict)
    reason: str | None = None
    until: dt.date | None = None

    def held(self, today: dt.date) -> bool:
        """Whether a legal hold is in force on ``today`` (it ends after ``until``)."""
        return self.action == "hold" and (self.until is None or today <= self.until)


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table of a datastore."""

    name: str
    key: str
    identity: dict[str, str]
    references: tuple[Reference, ...]
    pi: dict[str, str]
    erasure: Erasure
    line: int = 0
    #: columns whose references (declared or written) are not followed: the row does not
    #: belong to the person they point at (a trip's driver_id; the trip is the passenger's)
    ignore_references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Datastore:
    """A SQL datastore: ``url`` may be ``env:VAR``; :meth:`resolve_url` reads it."""

    name: str
    url: str
    tables: dict[str, TableSpec]
    foreign_keys: bool = True
    line: int = 0

    def resolve_url(self) -> str:
        """The URL to connect to (from the environment for ``env:VAR``)."""
        return _resolve(self.url, f"datastore {self.name!r}")


def _resolve(url: str, what: str) -> str:
    if url.startswith("env:"):
        var = url[4:]
        value = os.environ.get(var)
        if not value:
            raise ConfigError(f"{what}: environment variable {var} is not set")
        return value
    return url


@dataclass(frozen=True, slots=True)
class VaultSpec:
    """A token vault (:class:`piguard.deidentify.TokenVault`) whose entries of the person are
    revoked on deletion and cancellation. ``key`` names the vault's key in the key provider
    (the ``tokenize`` operator's ``key``); ``prefix``/``length`` give its tokens' shape."""

    name: str
    url: str
    key: str = "deidentify"
    prefix: str = "tok_"
    length: int = 20
    line: int = 0

    def resolve_url(self) -> str:
        """The URL (or SQLite path) to open (from the environment for ``env:VAR``)."""
        return _resolve(self.url, f"vault {self.name!r}")


@dataclass(frozen=True, slots=True)
class Description:
    """All datastores of a description, and the token vaults to revoke from."""

    datastores: dict[str, Datastore]
    source: str = "<description>"
    vaults: dict[str, VaultSpec] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary (URLs as written: ``env:VAR`` or redacted by the caller)."""
        return {
            name: {"tables": sorted(ds.tables), "url": ds.url}
            for name, ds in sorted(self.datastores.items())
        }


class _Doc:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node, message: str) -> ConfigError:
        return ConfigError(f"{self.source}:{node.start_mark.line + 1}: {message}")

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: list[tuple[str, yaml.Node, yaml.Node]] = []
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise self.fail(k, f"{what}: keys must be plain names")
            out.append((str(k.value), k, v))
        return out

    def text(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.fail(node, f"{what} must be a non-empty string")
        return str(node.value).strip()


def _check_keys(
    doc: _Doc, items: list[tuple[str, yaml.Node, yaml.Node]], allowed: tuple[str, ...], what: str
) -> None:
    for name, knode, _ in items:
        if name not in allowed:
            raise doc.fail(knode, f"{what}: unknown key {name!r} (allowed: {', '.join(allowed)})")


def _parse_erasure(doc: _Doc, node: yaml.Node, registry: OperatorRegistry) -> Erasure:
    if isinstance(node, yaml.ScalarNode) and node.value == "delete":
        return Erasure("delete")
    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        (name, knode, value), *_ = doc.mapping(node, "erasure")
        if name == "mask":
            columns: dict[str, tuple[str, Any, str | None]] = {}
            for col, cnode, spec in doc.mapping(value, "erasure.mask"):
                entity: str | None = None
                options: Any
                if isinstance(spec, yaml.ScalarNode):  # shorthand: the entity's mask preset
                    op, options, entity = "mask", {}, doc.text(spec, f"mask of {col}")
                else:
                    items = doc.mapping(spec, f"mask of {col}")
                    _check_keys(doc, items, ("operator", "options", "entity"), f"mask of {col}")
                    raw = {k: v for k, _, v in items}
                    if "operator" not in raw:
                        raise doc.fail(spec, f"mask of {col}: 'operator' is required")
                    op = doc.text(raw["operator"], "operator")
                    options = (
                        yaml.safe_load(yaml.serialize(raw["options"])) if "options" in raw else {}
                    )
                    if "entity" in raw:
                        entity = doc.text(raw["entity"], "entity")
                try:
                    spec_ = registry.spec(op)
                    if spec_.needs_key:
                        raise ConfigError(
                            f"operator {op!r} needs a key; erasure masks use keyless "
                            "operators (mask, redact, replace, suppress, generalize)"
                        )
                    config = registry.parse(op, options or {})
                except ConfigError as exc:
                    raise doc.fail(cnode, f"mask of {col}: {exc}") from None
                columns[col] = (op, config, entity)
            if not columns:
                raise doc.fail(value, "erasure.mask names no column")
            return Erasure("mask", mask=columns)
        if name == "hold":
            items = doc.mapping(value, "erasure.hold")
            _check_keys(doc, items, ("reason", "until"), "erasure.hold")
            raw = {k: v for k, _, v in items}
            if "reason" not in raw:
                raise doc.fail(value, "a legal hold needs a 'reason' (the law that requires it)")
            until: dt.date | None = None
            if "until" in raw:
                text = doc.text(raw["until"], "until")
                try:
                    until = dt.date.fromisoformat(text)
                except ValueError:
                    raise doc.fail(
                        raw["until"], f"until {text!r} is not a date (YYYY-MM-DD)"
                    ) from None
            return Erasure("hold", reason=doc.text(raw["reason"], "reason"), until=until)
        raise doc.fail(knode, "erasure must be 'delete', {mask: ...} or {hold: ...}")
    raise doc.fail(node, "erasure must be 'delete', {mask: ...} or {hold: ...}")


def _parse_table(doc: _Doc, name: str, node: yaml.Node, registry: OperatorRegistry) -> TableSpec:
    items = doc.mapping(node, f"table {name}")
    _check_keys(
        doc,
        items,
        ("key", "identity", "references", "ignore_references", "pi", "erasure"),
        f"table {name}",
    )
    raw = {k: (kn, v) for k, kn, v in items}
    if "key" not in raw:
        raise doc.fail(node, f"table {name}: 'key' (the primary-key column) is required")
    key = doc.text(raw["key"][1], "key")
    identity: dict[str, str] = {}
    if "identity" in raw:
        for kind, knode, cnode in doc.mapping(raw["identity"][1], "identity"):
            if kind not in IDENTITY_KINDS:
                raise doc.fail(
                    knode, f"unknown identity kind {kind!r} (known: {', '.join(IDENTITY_KINDS)})"
                )
            identity[kind] = doc.text(cnode, f"identity {kind}")
    refs: list[Reference] = []
    if "references" in raw:
        for col, _, target in doc.mapping(raw["references"][1], "references"):
            text = doc.text(target, f"reference of {col}")
            parts = text.split(".")
            if len(parts) not in (2, 3) or not all(parts):
                raise doc.fail(
                    target,
                    f"reference of {col} must be 'table.column' or 'datastore.table.column', "
                    f"not {text!r}",
                )
            if len(parts) == 3:
                refs.append(Reference(col, parts[1], parts[2], parts[0]))
            else:
                refs.append(Reference(col, parts[0], parts[1]))
    pi: dict[str, str] = {}
    if "pi" in raw:
        for col, _, cat in doc.mapping(raw["pi"][1], "pi"):
            key_ = doc.text(cat, f"category of {col}")
            try:
                taxonomy.get(key_)
            except Exception:
                raise doc.fail(cat, f"unknown taxonomy category {key_!r}") from None
            pi[col] = key_
    ignore: list[str] = []
    if "ignore_references" in raw:
        inode = raw["ignore_references"][1]
        if not isinstance(inode, yaml.SequenceNode):
            raise doc.fail(inode, "ignore_references must be a list of column names")
        ignore = [doc.text(c, "ignore_references") for c in inode.value]
    if "erasure" not in raw:
        raise doc.fail(node, f"table {name}: 'erasure' (delete, mask or hold) is required")
    erasure = _parse_erasure(doc, raw["erasure"][1], registry)
    line = node.start_mark.line + 1
    return TableSpec(name, key, identity, tuple(refs), pi, erasure, line, tuple(ignore))


def parse_description(
    text: str, *, source: str = "<description>", registry: OperatorRegistry | None = None
) -> Description:
    """Parse and check a description; :class:`ConfigError` names ``source:line``."""
    doc = _Doc(source)
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{source}{line}: not valid YAML") from None
    if root is None:
        raise ConfigError(f"{source}: the description is empty")
    registry = registry or default_operators(plugins=False)
    items = doc.mapping(root, "the description")
    _check_keys(doc, items, ("version", "datastores", "vaults"), "the description")
    raw = {k: v for k, _, v in items}
    if "datastores" not in raw or not isinstance(raw["datastores"], yaml.SequenceNode):
        raise doc.fail(root, "'datastores' (a list) is required")
    stores: dict[str, Datastore] = {}
    for dsnode in raw["datastores"].value:
        ds_items = doc.mapping(dsnode, "a datastore")
        _check_keys(doc, ds_items, ("name", "url", "tables", "foreign_keys"), "a datastore")
        ds = {k: v for k, _, v in ds_items}
        for required in ("name", "url", "tables"):
            if required not in ds:
                raise doc.fail(dsnode, f"a datastore needs {required!r}")
        name = doc.text(ds["name"], "name")
        if name in stores:
            raise doc.fail(ds["name"], f"datastore {name!r} is described twice")
        url = _url(doc, ds["url"])
        fks = True
        if "foreign_keys" in ds:
            fks = bool(yaml.safe_load(yaml.serialize(ds["foreign_keys"])))
        tables: dict[str, TableSpec] = {}
        for tname, _, tnode in doc.mapping(ds["tables"], "tables"):
            spec = _parse_table(doc, tname, tnode, registry)
            local = tuple(
                Reference(r.column, r.parent, r.parent_column) if r.datastore == name else r
                for r in spec.references
            )
            tables[tname] = dataclasses.replace(spec, references=local)
        for t in tables.values():
            for ref in t.references:
                if ref.datastore is None and ref.parent not in tables:
                    raise ConfigError(
                        f"{source}:{t.line}: table {t.name} references {ref.parent}, "
                        f"which datastore {name!r} does not describe"
                    )
        stores[name] = Datastore(name, url, tables, fks, dsnode.start_mark.line + 1)
    for ds_ in stores.values():
        for t in ds_.tables.values():
            for ref in t.references:
                if ref.datastore is None:
                    continue
                other = stores.get(ref.datastore)
                if other is None or ref.parent not in other.tables:
                    raise ConfigError(
                        f"{source}:{t.line}: table {t.name} references "
                        f"{ref.datastore}.{ref.parent}, which the description does not describe"
                    )
    vaults: dict[str, VaultSpec] = {}
    if "vaults" in raw:
        if not isinstance(raw["vaults"], yaml.SequenceNode):
            raise doc.fail(raw["vaults"], "'vaults' must be a list")
        for vnode in raw["vaults"].value:
            vault = _parse_vault(doc, vnode)
            if vault.name in vaults:
                raise doc.fail(vnode, f"vault {vault.name!r} is described twice")
            vaults[vault.name] = vault
    return Description(stores, source, vaults)


def _url(doc: _Doc, node: yaml.Node) -> str:
    """A datastore's or vault's ``url``: no credentials written into the file (they would be
    copied wherever it goes)."""
    url = doc.text(node, "url")
    if not url.startswith("env:") and "@" in url.split("://", 1)[-1].split("/", 1)[0]:
        raise doc.fail(node, "put credentials in the environment: url: env:VAR")
    return url


def _parse_vault(doc: _Doc, node: yaml.Node) -> VaultSpec:
    items = doc.mapping(node, "a vault")
    _check_keys(doc, items, ("name", "url", "key", "prefix", "length"), "a vault")
    raw = {k: v for k, _, v in items}
    for required in ("name", "url"):
        if required not in raw:
            raise doc.fail(node, f"a vault needs {required!r}")
    name = doc.text(raw["name"], "name")
    url = _url(doc, raw["url"])
    key = doc.text(raw["key"], "key") if "key" in raw else "deidentify"
    prefix = "tok_"
    if "prefix" in raw:
        if not isinstance(raw["prefix"], yaml.ScalarNode):
            raise doc.fail(raw["prefix"], "prefix must be a string")
        prefix = str(raw["prefix"].value)
    length = 20
    if "length" in raw:
        text = doc.text(raw["length"], "length")
        if not text.isdigit() or not 8 <= int(text) <= 64:
            raise doc.fail(raw["length"], f"length must be a whole number 8-64, not {text!r}")
        length = int(text)
    return VaultSpec(name, url, key, prefix, length, node.start_mark.line + 1)


def load_description(path: str | Path, *, registry: OperatorRegistry | None = None) -> Description:
    """Read a description file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read ({exc.strerror})") from None
    return parse_description(text, source=str(p), registry=registry)
