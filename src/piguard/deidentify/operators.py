"""De-identification operators (去标识化算子), each with a typed, frozen configuration.

An operator is built from its config by an :class:`OperatorRegistry` (an object you pass in;
third parties add operators through the ``piguard.operators`` entry-point group). Configs are
checked when a policy is loaded, so a bad policy fails before any data is touched; operators
that need a key declare it (``needs_key``) and get it from a :class:`~piguard.keys.KeyProvider`
when they are built. Reversible operators (``reversible``) also implement ``reverse``.

The techniques follow GB/T 37964-2019 Appendix A: masking (屏蔽), keyed pseudonyms
(密码技术 / 假名化), format-preserving encryption, a token vault (random pseudonyms and a
protected mapping table), generalisation (泛化) and suppression (抑制).

>>> reg = default_operators(plugins=False)
>>> mask = reg.build("mask", {})
>>> mask.apply("13812345678", "CN_MOBILE"), mask.apply("张三丰", "PERSON_NAME")
('138****5678', '张**')
>>> mask.apply("110101199003071234", "CN_RESIDENT_ID")
'110101********1234'
>>> reg.build("replace", {}).apply("13812345678", "CN_MOBILE")
'<手机号>'
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import functools
import math
import re
import secrets
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any, ClassVar, Literal

import numpy as np

from piguard import geo
from piguard.deidentify import _arrow
from piguard.deidentify._crypto import derive_key, hmac_batch, hmac_digest, open_sealed, seal
from piguard.deidentify.fpe import FormatPreservingEncryptor
from piguard.deidentify.vault import TokenVault
from piguard.detect.identifiers import cn_mobile
from piguard.detect.masking import mask_positions, preview
from piguard.errors import ConfigError, InputError, UnknownKeyError
from piguard.keys import KeyProvider, KeyRef

__all__ = [
    "ENTITY_TAGS",
    "ENTRY_POINT_GROUP",
    "DateShiftConfig",
    "EncryptConfig",
    "FpeConfig",
    "GeneralizeConfig",
    "HashConfig",
    "MaskConfig",
    "Operator",
    "OperatorRegistry",
    "OperatorSpec",
    "RedactConfig",
    "ReplaceConfig",
    "SuppressConfig",
    "TokenizeConfig",
    "WaybillConfig",
    "config_key_id",
    "default_operators",
    "parse_config",
]

#: Entry-point group for third-party operators; the object is an :class:`OperatorSpec`.
ENTRY_POINT_GROUP = "piguard.operators"

#: Tags that ``replace`` writes by default (Chinese names of the DESIGN.md entities).
ENTITY_TAGS: dict[str, str] = {
    "CN_RESIDENT_ID": "身份证号",
    "CN_MOBILE": "手机号",
    "CN_LANDLINE": "固定电话",
    "EMAIL": "电子邮箱",
    "BANK_CARD": "银行卡号",
    "CN_PASSPORT": "护照号",
    "CN_TRAVEL_PERMIT": "通行证号",
    "CN_LICENSE_PLATE": "车牌号",
    "PERSON_NAME": "姓名",
    "ADDRESS": "地址",
    "GPS_COORDINATE": "位置",
    "IP_ADDRESS": "IP地址",
    "MAC_ADDRESS": "MAC地址",
    "IMEI": "IMEI",
    "QQ_NUMBER": "QQ号",
    "WECHAT_ID": "微信号",
    "DATE_OF_BIRTH": "出生日期",
    "HEALTH_CONDITION": "健康信息",
    "CREDENTIAL": "凭据",
}


# ---------------------------------------------------------------------------- configs
def parse_config(config_type: type[Any], options: Mapping[str, Any]) -> Any:
    """Build a frozen config dataclass from a mapping, checking names, types and literals.

    >>> parse_config(HashConfig, {"length": 16}).length
    16
    >>> parse_config(HashConfig, {"lenght": 16})
    Traceback (most recent call last):
    ...
    piguard.errors.ConfigError: unknown option 'lenght' (expected one of: algorithm, key, ...
    """
    hints = typing.get_type_hints(config_type)
    fields = {f.name: f for f in dataclasses.fields(config_type)}
    values: dict[str, Any] = {}
    for name, raw in options.items():
        if name not in fields:
            raise ConfigError(
                f"unknown option {name!r} (expected one of: {', '.join(sorted(fields))})"
            )
        values[name] = _coerce(name, raw, hints[name])
    try:
        return config_type(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(str(exc)) from None


def _coerce(name: str, raw: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Literal:
        if raw not in args:
            allowed = ", ".join(repr(a) for a in args)
            raise ConfigError(f"option {name!r} must be one of {allowed}, not {raw!r}")
        return raw
    if origin in (types.UnionType, typing.Union):
        if raw is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(name, raw, inner[0])
    if origin is tuple:
        if not isinstance(raw, list | tuple) or not all(isinstance(x, str) for x in raw):
            raise ConfigError(f"option {name!r} must be a list of strings")
        return tuple(raw)
    if hint is bool:
        if not isinstance(raw, bool):
            raise ConfigError(f"option {name!r} must be true or false")
        return raw
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigError(f"option {name!r} must be an integer")
        return raw
    if hint is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ConfigError(f"option {name!r} must be a number")
        return float(raw)
    if hint is str:
        if not isinstance(raw, str):
            raise ConfigError(f"option {name!r} must be a string")
        return raw
    return raw  # pragma: no cover - every config field has one of the types above


def _positive(name: str, value: int | None, *, low: int = 1, high: int = 10**9) -> None:
    if value is not None and not low <= value <= high:
        raise ValueError(f"option {name!r} must be between {low} and {high}")


@dataclass(frozen=True, slots=True, kw_only=True)
class RedactConfig:
    """``redact``: remove the value (an empty string)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceConfig:
    """``replace``: write a tag such as ``<手机号>`` (default: the entity's Chinese name)."""

    tag: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MaskConfig:
    """``mask``: hide characters with ``char``. Without ``keep_first``/``keep_last`` the
    entity's preset is used (138****5678, 110101********1234, 张*, 北京市朝阳区****, e-mail,
    bank card keeping the last four)."""

    char: str = "*"
    keep_first: int | None = None
    keep_last: int | None = None

    def __post_init__(self) -> None:
        if len(self.char) != 1:
            raise ValueError("option 'char' must be one character")
        _positive("keep_first", self.keep_first, low=0, high=64)
        _positive("keep_last", self.keep_last, low=0, high=64)


@dataclass(frozen=True, slots=True, kw_only=True)
class HashConfig:
    """``hash``: keyed pseudonym ``prefix + hex(HMAC(key, value))[:length]`` (join-preserving:
    the same value and key give the same pseudonym in every file, table and run)."""

    algorithm: Literal["hmac-sha256", "hmac-sm3"] = "hmac-sha256"
    key: str = "deidentify"
    length: int | None = None
    prefix: str = ""

    def __post_init__(self) -> None:
        _positive("length", self.length, low=8, high=64)


@dataclass(frozen=True, slots=True, kw_only=True)
class EncryptConfig:
    """``encrypt``: authenticated encryption, written as ``ENC.`` + base64url."""

    algorithm: Literal["aes-gcm", "sm4-gcm"] = "aes-gcm"
    key: str = "deidentify"


@dataclass(frozen=True, slots=True, kw_only=True)
class FpeConfig:
    """``fpe``: FF3-1 format-preserving encryption that keeps identifiers valid."""

    key: str = "deidentify"
    keep_region: bool = False
    keep_birth_date: bool = False

    def __post_init__(self) -> None:
        if self.keep_region and self.keep_birth_date:
            raise ValueError(
                "fpe: keeping both region and birth date leaves 1000 values, below FF3-1's "
                "minimum domain of 1,000,000 (SP 800-38G Rev. 1 §5.2); keep one of them"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenizeConfig:
    """``tokenize``: random tokens from a vault; detokenising needs the key and a role in
    ``roles``."""

    vault: str = "piguard-vault.sqlite"
    key: str = "deidentify"
    roles: tuple[str, ...] = ("reidentifier",)
    prefix: str = "tok_"


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralizeConfig:
    """``generalize``: coarser values. ``kind`` ``auto`` picks by entity."""

    kind: Literal["auto", "age", "date", "address", "gps", "resident_id", "number"] = "auto"
    width: int = 10
    date_level: Literal["month", "year"] = "month"
    address_level: Literal["province", "city", "county"] = "city"
    gps_method: Literal["geohash", "grid"] = "geohash"
    precision: int = 5

    def __post_init__(self) -> None:
        _positive("width", self.width)
        _positive("precision", self.precision, low=1, high=12)


@dataclass(frozen=True, slots=True, kw_only=True)
class DateShiftConfig:
    """``date_shift``: move dates by a per-person offset in [-max_days, max_days], from a keyed
    hash of the subject (the ``subject`` column in tables, else the value itself). With a
    ``subject`` column, ``reidentify`` shifts the dates back."""

    key: str = "deidentify"
    max_days: int = 180
    subject: str | None = None

    def __post_init__(self) -> None:
        _positive("max_days", self.max_days, high=3650)


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressConfig:
    """``suppress``: drop the column (tables) or the value (text)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WaybillConfig:
    """``waybill``: the privacy-waybill (隐私面单) preset: name 张**, phone 138****5678 or a
    vault-backed virtual number (``phone: virtual``), address kept to the district."""

    phone: Literal["mask", "virtual"] = "mask"
    vault: str = "piguard-vault.sqlite"
    key: str = "deidentify"
    roles: tuple[str, ...] = ("reidentifier",)


# ---------------------------------------------------------------------------- operators
class Operator:
    """Base class: ``apply`` one value, ``apply_batch`` a column (vectorised where it can)."""

    name: ClassVar[str] = ""
    #: Whether :meth:`reverse` undoes :meth:`apply` (per instance: ``date_shift`` is
    #: reversible only with a ``subject`` column).
    reversible: bool = False
    needs_key: ClassVar[bool] = False
    #: Whether :meth:`reverse` needs the subject value (the person) besides the value.
    needs_subject: ClassVar[bool] = False

    def __init__(self, config: Any) -> None:
        self.config = config
        self.key_ref: KeyRef | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"

    def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
        """The de-identified form of ``value`` (of ``entity``, for ``subject``)."""
        raise NotImplementedError

    def apply_batch(
        self,
        values: Sequence[str],
        entity: str | None = None,
        subjects: Sequence[str] | None = None,
    ) -> list[str]:
        """:meth:`apply` over a column."""
        if subjects is None:
            return [self.apply(v, entity) for v in values]
        return [self.apply(v, entity, s) for v, s in zip(values, subjects, strict=True)]

    def apply_arrow(self, arr: Any, entity: str | None = None) -> Any:
        """:meth:`apply_batch` on a ``pyarrow`` string array without nulls or empty strings,
        vectorised with Arrow kernels; None when this operator has no such path (the caller
        then uses :meth:`apply_batch`). Same results as :meth:`apply_batch`."""
        return None

    def reverse(
        self,
        value: str,
        entity: str | None = None,
        *,
        role: str | None = None,
        subject: str | None = None,
    ) -> str:
        """Undo :meth:`apply` (reversible operators only); ``subject`` for those that
        ``needs_subject``."""
        raise ConfigError(f"operator {self.name!r} is not reversible")

    def reverse_batch(
        self,
        values: Sequence[str],
        entity: str | None = None,
        *,
        role: str | None = None,
        subjects: Sequence[str] | None = None,
    ) -> list[str]:
        """:meth:`reverse` over a column."""
        if subjects is None:
            return [self.reverse(v, entity, role=role) for v in values]
        return [
            self.reverse(v, entity, role=role, subject=s)
            for v, s in zip(values, subjects, strict=True)
        ]

    def describe(self) -> dict[str, Any]:
        """What output metadata records: operator, options, key reference (never key bytes)."""
        out: dict[str, Any] = {"operator": self.name}
        for f in dataclasses.fields(self.config):
            value = getattr(self.config, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        if self.key_ref is not None:
            out["key"] = str(self.key_ref)
        return out


class _Keyed(Operator):
    needs_key = True

    def __init__(self, config: Any, keys: KeyProvider | None) -> None:
        super().__init__(config)
        if keys is None:
            raise ConfigError(f"operator {self.name!r} needs a key provider")
        self.key_ref = KeyRef(keys.name, config.key)
        self._key = keys.get_key(config.key)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r}, key={self.key_ref})"


class Redact(Operator):
    """Remove the value."""

    name = "redact"

    def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
        return ""

    def apply_batch(
        self, values: Sequence[str], entity: str | None = None, subjects: Any = None
    ) -> list[str]:
        return [""] * len(values)

    def apply_arrow(self, arr: Any, entity: str | None = None) -> Any:
        import pyarrow as pa

        return pa.repeat(pa.scalar("", type=pa.string()), len(arr))


class Suppress(Redact):
    """Drop the column (the table writer leaves it out) or the value."""

    name = "suppress"


class Replace(Operator):
    """Write a tag instead of the value."""

    name = "replace"

    def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
        tag = self.config.tag
        if tag is None:
            tag = f"<{ENTITY_TAGS.get(entity or '', entity or '个人信息')}>"
        return str(tag)

    def apply_batch(
        self, values: Sequence[str], entity: str | None = None, subjects: Any = None
    ) -> list[str]:
        return [self.apply("", entity)] * len(values)

    def apply_arrow(self, arr: Any, entity: str | None = None) -> Any:
        import pyarrow as pa

        return pa.repeat(pa.scalar(self.apply("", entity)), len(arr))


# entity -> (kept first, kept last) over letters and digits, for the mask presets
_MASK_PRESETS: dict[str, tuple[int, int]] = {
    "CN_MOBILE": (3, 4),
    "CN_RESIDENT_ID": (6, 4),
    "BANK_CARD": (0, 4),
    "CN_LANDLINE": (4, 2),
    "PERSON_NAME": (1, 0),
}


def mask_address(value: str, char: str = "*") -> str:
    """Keep the province/city/district an address opens with, hide the rest with 4 chars.

    >>> mask_address("北京市朝阳区建国路88号")
    '北京市朝阳区****'
    """
    return value[: _division_end(value)] + char * 4


def _division_end(value: str) -> int:
    found = geo.locate(value)
    return found.end if found is not None else min(3, len(value) // 3)


_MAX_PREFIXES = 50_000  # about ten times the number of county-level units
_SLICE = 65_536  # rows of an Arrow array matched at a time
_EXTRA = 1 << 40  # ids of a call's own prefixes start here until the lasting ones are counted


class _DivisionPrefixes:
    """:func:`geo.locate` for a column, remembering the county-level prefixes it has found.

    A prefix that ends at a county (district) is final: :func:`geo.locate` stops there, so any
    address that starts with it ends there too. Addresses of one column share few prefixes,
    so most values need a handful of dictionary look-ups instead of a gazetteer match.
    """

    def __init__(self) -> None:
        self._known: set[str] = set()
        self._lengths: list[int] = []
        self._groups: tuple[int, list[tuple[int, Any, Any]]] | None = None
        self._table: list[str] = []  # known prefixes by lasting id (for masked_column)
        self._ids: dict[str, int] = {}
        self._hits: Counter[int] = Counter()
        # known prefixes that begin no longer known one, by length, most prefixes first: a
        # value that starts with one of them has found its longest known prefix
        self._outer: dict[int, set[str]] = {}
        self._order: list[int] = []
        self._proper: set[str] = set()  # every proper prefix of a known prefix

    def end(self, value: str) -> int:
        """Where the division names end (a third of the value, at most 3, if none)."""
        end = self.located(value)
        return min(3, len(value) // 3) if end is None else end

    def located(self, value: str) -> int | None:
        """Where the division names that open ``value`` end, or None."""
        outer = self._outer
        for n in self._order:
            if value[:n] in outer[n]:
                return n
        known = self._known
        for n in self._lengths:  # longest first, for prefixes that begin longer ones
            if value[:n] in known:
                return n
        found = geo.locate(value)
        if found is None:
            return None
        if all(c.level == "county" for c in found.candidates) and len(self._known) < _MAX_PREFIXES:
            self._learn(value[: found.end])
        return found.end

    def _learn(self, prefix: str) -> None:
        self._known.add(prefix)
        if len(prefix) not in self._lengths:
            self._lengths = sorted([*self._lengths, len(prefix)], reverse=True)
        for n in range(1, len(prefix)):
            head = prefix[:n]
            self._proper.add(head)
            if head in self._outer.get(n, ()):  # it begins this longer prefix now
                self._outer[n].discard(head)
        if prefix not in self._proper:
            self._outer.setdefault(len(prefix), set()).add(prefix)
        self._order = sorted(self._outer, key=lambda n: -len(self._outer[n]))

    def masked_column(self, arr: Any, suffix: str) -> Any:
        """``value[: self.end(value)] + suffix`` for every value of a ``pyarrow`` string array
        (no nulls), as a string array: each value is matched to its kept prefix, and the
        result is one ``take`` from the small array of kept prefixes with the suffix."""
        import pyarrow as pa

        extra: dict[str, int] = {}  # kept prefixes of this call that are not known ones
        if len(arr) > _SLICE:  # a slice at a time: what one teaches, the next one uses
            codes = np.concatenate(
                [self._codes(arr.slice(i, _SLICE), extra) for i in range(0, len(arr), _SLICE)]
            )
        else:
            codes = self._codes(arr, extra)
        # ids of this call's own prefixes come after the lasting ones, now all counted
        shift = codes >= _EXTRA
        if shift.any():
            codes[shift] += len(self._table) - _EXTRA
        kept = [*self._table, *extra]
        if not len(codes):
            return pa.array([], type=pa.string())
        # only the prefixes that occur, so that the table stays small
        used, inverse = np.unique(codes, return_inverse=True)
        table = pa.array([kept[i] + suffix for i in used.tolist()], type=pa.string())
        return table.take(pa.array(inverse.astype(np.int32).reshape(-1)))

    def _id(self, prefix: str) -> int:
        """The lasting id of a known prefix (its place in ``_table``)."""
        i = self._ids.get(prefix)
        if i is None:
            i = self._ids[prefix] = len(self._table)
            self._table.append(prefix)
        return i

    def _codes(self, arr: Any, extra: dict[str, int]) -> Any:
        """For each value, the id of its kept prefix: a known prefix's place in ``_table``, or
        ``_EXTRA`` + its place in ``extra`` (filled here) for the others.

        Known prefixes that begin no longer known one are matched on the values' bytes by
        Arrow kernels, one slice and ``index_in`` per prefix length, each on the values not
        matched yet (at most one such prefix can begin a value); a known prefix that begins a
        longer known one is left to :meth:`end`, so that the longest still wins. Values that
        match nothing are located one by one, in growing chunks, which teaches new prefixes
        for the next round."""
        import pyarrow as pa
        import pyarrow.compute as pc

        out = np.full(len(arr), -1, dtype=np.int64)
        todo = np.arange(len(arr))
        sub = arr.cast(pa.binary())
        chunk = 256
        while len(todo):
            for nbytes, values, ids in self._byte_groups():
                found = pc.index_in(pc.binary_slice(sub, 0, nbytes), value_set=values)
                at = found.fill_null(-1).to_numpy(zero_copy_only=False)
                hits = at >= 0
                n_hits = int(np.count_nonzero(hits))
                if n_hits:
                    self._hits[nbytes] += n_hits
                    out[todo[hits]] = ids[at[hits]]
                    todo = todo[~hits]
                    if not len(todo):
                        break
                    sub = sub.filter(pa.array(~hits))
            learn, todo = todo[:chunk], todo[chunk:]
            for i, v in zip(learn.tolist(), arr.take(pa.array(learn)).to_pylist(), strict=True):
                prefix = v[: self.end(v)]
                j = self._ids.get(prefix)
                if j is None:
                    j = extra.get(prefix)
                    if j is None:
                        j = extra[prefix] = len(extra)
                    j += _EXTRA
                out[i] = j
            chunk *= 2
            if len(todo):
                sub = arr.take(pa.array(todo)).cast(pa.binary())
        return out

    def _byte_groups(self) -> list[tuple[int, Any, Any]]:
        """Known prefixes that begin no longer known prefix, as UTF-8, grouped by length
        (most matches so far first, then most prefixes), each group a ``pyarrow`` array for
        ``index_in`` and the prefixes' lasting ids."""
        import pyarrow as pa

        if self._groups is not None and self._groups[0] == len(self._known):
            return self._groups[1]
        groups: dict[int, list[str]] = {}
        for prefixes in self._outer.values():
            for k in prefixes:
                groups.setdefault(len(k.encode("utf-8")), []).append(k)
        ordered = sorted(groups.items(), key=lambda g: (-self._hits[g[0]], -len(g[1])))
        built = [
            (
                n,
                pa.array([k.encode("utf-8") for k in v], type=pa.binary()),
                np.array([self._id(k) for k in v], dtype=np.int64),
            )
            for n, v in ordered
        ]
        self._groups = (len(self._known), built)
        return built


class Mask(Operator):
    """Hide characters, keeping a preset or configured number at each end."""

    name = "mask"

    def __init__(self, config: MaskConfig) -> None:
        super().__init__(config)
        self._prefixes = _DivisionPrefixes()

    def _ends(self, entity: str | None) -> tuple[int, int] | None:
        cfg = self.config
        if cfg.keep_first is not None or cfg.keep_last is not None:
            return (cfg.keep_first or 0, cfg.keep_last or 0)
        return _MASK_PRESETS.get(entity or "")

    def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
        ends = self._ends(entity)
        char = self.config.char
        if ends is not None:
            head, tail = ends
            if entity == "CN_MOBILE":
                # +86 / 0086 before the 11 digits stays as it is: 86 138****5678
                head += max(sum(ch.isdigit() for ch in value) - 11, 0)
            return mask_positions(value, head, tail, char)
        if entity == "ADDRESS":
            return mask_address(value, char)
        masked = preview(entity or "", value)
        return masked if char == "*" else masked.replace("*", char)

    def apply_batch(
        self, values: Sequence[str], entity: str | None = None, subjects: Any = None
    ) -> list[str]:
        ends = self._ends(entity)
        if ends is None and entity == "ADDRESS":
            prefixes, stars = self._prefixes, self.config.char * 4
            return [v[: prefixes.end(v)] + stars for v in values]
        if ends is None or len(values) < 64:
            return [self.apply(v, entity) for v in values]
        return _mask_fixed_width(values, ends[0], ends[1], self.config.char, self.apply, entity)

    def apply_arrow(self, arr: Any, entity: str | None = None) -> Any:
        ends = self._ends(entity)
        char = self.config.char
        if ends is None and entity == "ADDRESS":
            return self._prefixes.masked_column(arr, char * 4)
        if ends is None:
            return None
        return _arrow.mask_column(
            arr,
            ends[0],
            ends[1],
            char,
            functools.partial(self.apply, entity=entity),
            # a mobile number's ends count its 11 digits: a longer one (86...) keeps its prefix
            exact_length=11 if entity == "CN_MOBILE" else None,
        )


def _plain_rows(codes: Any) -> Any:
    """Rows of a code-point matrix made only of ASCII letters and digits or CJK ideographs."""
    ok = ((codes >= 48) & (codes <= 57)) | ((codes >= 65) & (codes <= 90))
    ok |= (codes >= 97) & (codes <= 122)
    ok |= (codes >= 0x4E00) & (codes <= 0x9FFF)
    return ok.all(axis=1)


def _mask_fixed_width(
    values: Sequence[str],
    head: int,
    tail: int,
    char: str,
    slow: Callable[[str, str | None], str],
    entity: str | None,
) -> list[str]:
    """Mask a column with NumPy: values of one length become a fixed-width unicode array,
    viewed as a code-point matrix; rows made only of letters, digits and Han characters are
    masked by one slice assignment, the others (separators, too short) one by one with
    ``slow``. Same result as :func:`mask_positions` value by value."""
    n = len(values)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=n)
    groups: list[tuple[int, Any]]
    if n and lengths.min() == lengths.max():
        groups = [(int(lengths[0]), None)]
    else:
        groups = [(int(w), np.flatnonzero(lengths == w)) for w in np.unique(lengths)]
    out: list[str] = list(values)
    fill = ord(char)
    # a mobile number's ends count its 11 digits: a longer one (86...) keeps its prefix
    exact = 11 if entity == "CN_MOBILE" else None
    for width, idx in groups:
        group = values if idx is None else [values[i] for i in idx.tolist()]
        if width <= head + tail or (exact is not None and width != exact):
            masked = [slow(v, entity) for v in group]
        else:
            arr = np.array(group, dtype=f"<U{width}")
            codes = arr.view(np.uint32).reshape(len(group), width)
            plain = _plain_rows(codes)
            codes[plain, head : width - tail] = fill
            masked = arr.tolist()
            if not plain.all():
                for j in np.flatnonzero(~plain).tolist():
                    masked[j] = slow(group[j], entity)
        if idx is None:
            return masked
        for i, m in zip(idx.tolist(), masked, strict=True):
            out[i] = m
    return out


class Hash(_Keyed):
    """Keyed HMAC pseudonym (SHA-256 or SM3)."""

    name = "hash"

    def __init__(self, config: HashConfig, keys: KeyProvider | None) -> None:
        super().__init__(config, keys)
        self._mac_key = derive_key(self._key, f"hash:{config.algorithm}")
        self._n = config.length or 64
        hmac_digest(self._mac_key, "", config.algorithm)  # fail now if SM3 is missing

    def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
        mac = hmac_digest(self._mac_key, value, self.config.algorithm)
        return f"{self.config.prefix}{mac.hex()[: self._n]}"

    def _digests(self, messages: Iterable[bytes]) -> list[bytes]:
        return hmac_batch(self._mac_key, messages, self.config.algorithm)

    def apply_batch(
        self, values: Sequence[str], entity: str | None = None, subjects: Any = None
    ) -> list[str]:
        # One HMAC per distinct value (repeated values, such as join keys, are hashed once),
        # unless the first values show that the column hardly repeats; hex digits and
        # prefixes are made for the whole column at once.
        head = values[:4096]
        if len(set(head)) > 0.95 * len(head):
            distinct: Sequence[str] = values
        else:
            distinct = list(dict.fromkeys(values))
        out = _arrow.hex_strings(self._digests(map(str.encode, distinct)), self._n)
        if self.config.prefix:
            out = list(map(self.config.prefix.__add__, out))
        if distinct is values:
            return out
        return list(map(dict(zip(distinct, out, strict=True)).__getitem__, values))

    def apply_arrow(self, arr: Any, entity: str | None = None) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        head = arr.slice(0, 4096)
        if len(head) and pc.count_distinct(head).as_py() <= 0.95 * len(head):
            encoded = arr.dictionary_encode()
            uniques = encoded.dictionary.cast(pa.binary()).to_pylist()
            column = _arrow.hex_column(self._digests(uniques), self._n, self.config.prefix)
            return column.take(encoded.indices)
        messages = arr.cast(pa.binary()).to_pylist()
        return _arrow.hex_column(self._digests(messages), self._n, self.config.prefix)


class Encrypt(_Keyed):
    """Authenticated encryption (AES-GCM or SM4); the output is ``ENC.`` + base64url."""

    name = "encrypt"
    reversible = True

    def __init__(self, config: EncryptConfig, keys: KeyProvider | None) -> None:
        super().__init__(config, keys)
        self._enc_key = derive_key(self._key, f"encrypt:{config.algorithm}")
        seal(config.algorithm, self._enc_key, b"")  # fail now if SM4 is missing

    def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
        blob = seal(self.config.algorithm, self._enc_key, value.encode("utf-8"))
        return "ENC." + base64.urlsafe_b64encode(blob).decode("ascii").rstrip("=")

    def reverse(
        self,
        value: str,
        entity: str | None = None,
        *,
        role: str | None = None,
        subject: str | None = None,
    ) -> str:
        if not value.startswith("ENC."):
            raise InputError("not an encrypted value (no ENC. prefix)")
        body = value[4:]
        try:
            blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except ValueError:
            raise InputError("encrypted value is not base64url") from None
        return open_sealed(self.config.algorithm, self._enc_key, blob).decode("utf-8")


class Fpe(_Keyed):
    """FF3-1 format-preserving encryption that keeps identifiers valid."""

    name = "fpe"
    reversible = True

    def __init__(self, config: FpeConfig, keys: KeyProvider | None) -> None:
        super().__init__(config, keys)
        self._fpe = FormatPreservingEncryptor(
            derive_key(self._key, "fpe"),
            keep_region=config.keep_region,
            keep_birth_date=config.keep_birth_date,
        )

    def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
        return self._fpe.encrypt(value, entity)

    def apply_batch(
        self, values: Sequence[str], entity: str | None = None, subjects: Any = None
    ) -> list[str]:
        cache: dict[str, str] = {}
        out = []
        for v in values:
            p = cache.get(v)
            if p is None:
                p = cache[v] = self._fpe.encrypt(v, entity)
            out.append(p)
        return out

    def reverse(
        self,
        value: str,
        entity: str | None = None,
        *,
        role: str | None = None,
        subject: str | None = None,
    ) -> str:
        return self._fpe.decrypt(value, entity)


class Tokenize(_Keyed):
    """Random tokens from a vault; values encrypted at rest."""

    name = "tokenize"
    reversible = True

    def __init__(self, config: TokenizeConfig, keys: KeyProvider | None) -> None:
        super().__init__(config, keys)
        self.vault = TokenVault(
            config.vault,
            key=self._key,
            key_id=config.key,
            reader_roles=config.roles,
            prefix=config.prefix,
        )

    def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
        return self.vault.tokenize(value)

    def apply_batch(
        self, values: Sequence[str], entity: str | None = None, subjects: Any = None
    ) -> list[str]:
        return self.vault.tokenize_batch(values)

    def reverse(
        self,
        value: str,
        entity: str | None = None,
        *,
        role: str | None = None,
        subject: str | None = None,
    ) -> str:
        if role is None:
            raise ConfigError("detokenisation needs an explicit role (--role)")
        return self.vault.detokenize(value, role=role)


# ---------------------------------------------------------------------------- generalize
_GEOHASH = "0123456789bcdefghjkmnpqrstuvwxyz"
_GPS = re.compile(r"\s*(-?\d{1,3}(?:\.\d+)?)\s*[,，]\s*(-?\d{1,3}(?:\.\d+)?)\s*")
_DATE = re.compile(r"(\d{4})[-/年.]?(\d{1,2})[-/月.]?(\d{1,2})日?")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def geohash(lat: float, lon: float, precision: int) -> str:
    """The geohash cell of a point (Niemeyer's public-domain scheme).

    >>> geohash(39.908722, 116.397499, 6)
    'wx4g09'
    """
    lat_lo, lat_hi, lon_lo, lon_hi = -90.0, 90.0, -180.0, 180.0
    bits, ch, even = 0, 0, True
    out: list[str] = []
    while len(out) < precision:
        if even:
            mid = (lon_lo + lon_hi) / 2
            if lon >= mid:
                ch, lon_lo = ch * 2 + 1, mid
            else:
                ch, lon_hi = ch * 2, mid
        else:
            mid = (lat_lo + lat_hi) / 2
            if lat >= mid:
                ch, lat_lo = ch * 2 + 1, mid
            else:
                ch, lat_hi = ch * 2, mid
        even = not even
        bits += 1
        if bits == 5:
            out.append(_GEOHASH[ch])
            bits, ch = 0, 0
    return "".join(out)


class Generalize(Operator):
    """Coarser values: age bands, month/year, province/city/district, geohash or grid cells,
    resident-ID region prefix, number ranges. Values it cannot read become ``*``."""

    name = "generalize"
    _KIND_BY_ENTITY: ClassVar[dict[str, str]] = {
        "DATE_OF_BIRTH": "date",
        "ADDRESS": "address",
        "GPS_COORDINATE": "gps",
        "CN_RESIDENT_ID": "resident_id",
    }

    def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
        cfg = self.config
        kind = cfg.kind
        if kind == "auto":
            kind = self._KIND_BY_ENTITY.get(entity or "", "number")
        handler = getattr(self, f"_{kind}")
        result: str = handler(value.strip())
        return result

    def _band(self, x: float) -> str:
        w = self.config.width
        low = math.floor(x / w) * w
        return f"{low}-{low + w - 1}"

    def _age(self, value: str) -> str:
        m = _NUMBER.search(value)
        return "*" if m is None else self._band(float(m.group()))

    _number = _age

    def _date(self, value: str) -> str:
        m = _DATE.match(value)
        if m is None:
            return "*"
        year, month = m.group(1), int(m.group(2))
        if self.config.date_level == "year" or not 1 <= month <= 12:
            return year
        return f"{year}-{month:02d}"

    def _address(self, value: str) -> str:
        found = geo.locate(value)
        if found is None:
            return "*"
        unit = found.candidates[0]
        level = self.config.address_level
        order = ("province", "city", "county")
        if order.index(level) > order.index(unit.level if unit.level in order else "county"):
            level = unit.level
        try:
            return geo.generalize(unit.code, level, full_path=True)
        except UnknownKeyError:
            return geo.generalize(unit.code, "province")

    def _gps(self, value: str) -> str:
        m = _GPS.fullmatch(value)
        if m is None:
            return "*"
        lat, lon = float(m.group(1)), float(m.group(2))
        if self.config.gps_method == "geohash":
            return geohash(lat, lon, self.config.precision)
        d = self.config.precision
        step = 10.0**-d
        return f"{math.floor(lat / step) * step:.{d}f},{math.floor(lon / step) * step:.{d}f}"

    def _resident_id(self, value: str) -> str:
        digits = value.replace(" ", "")
        if len(digits) not in (15, 18) or not digits[:6].isdigit():
            return "*"
        return digits[:6] + "*" * (len(digits) - 6)


class DateShift(_Keyed):
    """Shift dates by a consistent keyed offset per person.

    The offset of a person is ``HMAC-SHA256(k, subject)`` (``k`` the HKDF sub-key
    ``date_shift`` of the rule's key), its first 8 bytes big-endian modulo ``2 * max_days +
    1``, minus ``max_days``. The subject is the person's value in the ``subject`` column (a
    patient or user id; an empty cell is the empty string) as it was in the input. With a
    ``subject`` column the shift is reversible for key holders, provided that column is in
    the output as it was (kept) or restored by a reversible operator; without one the
    offset comes from the date itself and cannot be undone.
    """

    name = "date_shift"
    needs_subject = True

    def __init__(self, config: DateShiftConfig, keys: KeyProvider | None) -> None:
        super().__init__(config, keys)
        self._mac_key = derive_key(self._key, "date_shift")
        self.reversible = config.subject is not None

    def offset(self, subject: str) -> int:
        """The offset in days for ``subject`` (same key and subject: same offset)."""
        max_days: int = self.config.max_days
        mac = hmac_digest(self._mac_key, subject, "hmac-sha256")
        return int.from_bytes(mac[:8], "big") % (2 * max_days + 1) - max_days

    @staticmethod
    def _shift(value: str, days: int) -> str | None:
        text = value.strip()
        m = _SHIFT_DATE.match(text)
        if m is None:
            return None
        try:
            day = datetime.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
            shifted = day + datetime.timedelta(days=days)
        except (ValueError, OverflowError):
            return None
        sep = m.group(2)
        return shifted.strftime(f"%Y{sep}%m{sep}%d") + text[m.end() :]

    def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
        shifted = self._shift(value, self.offset(value if subject is None else subject))
        return "*" if shifted is None else shifted

    def reverse(
        self,
        value: str,
        entity: str | None = None,
        *,
        role: str | None = None,
        subject: str | None = None,
    ) -> str:
        """The original date: ``value`` shifted back by the offset of ``subject``. A value
        that is not a date (``*``, written for unreadable input) is returned unchanged."""
        if subject is None:
            raise ConfigError(
                "date_shift: reversal needs the subject (the value of the rule's subject column)"
            )
        shifted = self._shift(value, -self.offset(subject))
        return value if shifted is None else shifted


_SHIFT_DATE = re.compile(r"(\d{4})([-/]?)(\d{2})\2(\d{2})")


class Waybill(Operator):
    """The privacy-waybill preset (隐私面单)."""

    name = "waybill"

    def __init__(self, config: WaybillConfig, keys: KeyProvider | None) -> None:
        super().__init__(config)
        self._vault: TokenVault | None = None
        self._mask = Mask(MaskConfig())
        self._prefixes = _DivisionPrefixes()
        if config.phone == "virtual":
            if keys is None:
                raise ConfigError("waybill with virtual numbers needs a key provider")
            self.key_ref = KeyRef(keys.name, config.key)
            self._vault = TokenVault(
                config.vault,
                key=keys.get_key(config.key),
                key_id=config.key,
                reader_roles=config.roles,
                prefix="",
                length=0,
                token_factory=_virtual_number,
            )

    def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
        if entity == "PERSON_NAME":
            name = value.strip()
            return name[:1] + "*" * max(len(name) - 1, 1)
        if entity == "CN_MOBILE":
            if self._vault is not None and cn_mobile.is_valid(value):
                return self._vault.tokenize(cn_mobile.compact(value))
            return self._mask.apply(value, "CN_MOBILE")
        if entity == "ADDRESS":
            found = geo.locate(value)
            if found is None:
                return mask_address(value)
            return value[: found.end]
        return self._mask.apply(value, entity)

    def apply_batch(
        self, values: Sequence[str], entity: str | None = None, subjects: Any = None
    ) -> list[str]:
        if entity == "ADDRESS":
            prefixes = self._prefixes
            out = []
            for v in values:
                end = prefixes.located(v)
                out.append(mask_address(v) if end is None else v[:end])
            return out
        if entity == "PERSON_NAME" or (entity == "CN_MOBILE" and self._vault is not None):
            return [self.apply(v, entity) for v in values]
        return self._mask.apply_batch(values, entity)

    def apply_arrow(self, arr: Any, entity: str | None = None) -> Any:
        if entity in ("PERSON_NAME", "ADDRESS") or (
            entity == "CN_MOBILE" and self._vault is not None
        ):
            return None
        return self._mask.apply_arrow(arr, entity)


def _virtual_number() -> str:
    """A random number in the 170 virtual-operator segment (虚拟运营商), used for privacy
    numbers: still a valid 11-digit mobile number."""
    return "170" + "".join(secrets.choice("0123456789") for _ in range(8))


# ---------------------------------------------------------------------------- registry
@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """How to build one operator: its name, config type and factory."""

    name: str
    config_type: type[Any]
    factory: Callable[[Any, KeyProvider | None], Operator]
    reversible: bool = False
    needs_key: bool = False


def config_key_id(spec: OperatorSpec, config: Any) -> str | None:
    """The key id that a rule with ``config`` needs from the key provider, or None.

    >>> reg = default_operators(plugins=False)
    >>> config_key_id(reg.spec("hash"), reg.parse("hash", {"key": "pseudonyms"}))
    'pseudonyms'
    >>> config_key_id(reg.spec("waybill"), reg.parse("waybill", {})) is None
    True
    """
    if isinstance(config, WaybillConfig):
        return config.key if config.phone == "virtual" else None
    if spec.needs_key:
        key = getattr(config, "key", None)
        return key if isinstance(key, str) else None
    return None


class OperatorRegistry:
    """Operators by name. Build the defaults with :func:`default_operators`."""

    def __init__(self, specs: Iterable[OperatorSpec] = ()) -> None:
        self._specs: dict[str, OperatorSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: OperatorSpec, *, replace: bool = False) -> None:
        """Add an operator (``replace`` to override one of the same name)."""
        if spec.name in self._specs and not replace:
            raise ConfigError(f"operator {spec.name!r} is already registered")
        self._specs[spec.name] = spec

    def names(self) -> list[str]:
        """Registered operator names, sorted."""
        return sorted(self._specs)

    def spec(self, name: str) -> OperatorSpec:
        """The spec of ``name``; :class:`ConfigError` if unknown."""
        try:
            return self._specs[name]
        except KeyError:
            raise ConfigError(f"unknown operator {name!r}") from None

    def parse(self, name: str, options: Mapping[str, Any]) -> Any:
        """Check ``options`` for operator ``name``: the typed, frozen config."""
        return parse_config(self.spec(name).config_type, options)

    def build(
        self, name: str, options: Mapping[str, Any] | Any, keys: KeyProvider | None = None
    ) -> Operator:
        """An operator from a name and options (a mapping or an already parsed config)."""
        spec = self.spec(name)
        config = options if isinstance(options, spec.config_type) else self.parse(name, options)
        return spec.factory(config, keys)


def _plain(cls: type[Operator]) -> Callable[[Any, KeyProvider | None], Operator]:
    return lambda config, keys: cls(config)


def default_operators(*, plugins: bool = True) -> OperatorRegistry:
    """The built-in operators, plus plug-ins from the ``piguard.operators`` entry points."""
    reg = OperatorRegistry(
        [
            OperatorSpec("redact", RedactConfig, _plain(Redact)),
            OperatorSpec("replace", ReplaceConfig, _plain(Replace)),
            OperatorSpec("mask", MaskConfig, _plain(Mask)),
            OperatorSpec("hash", HashConfig, Hash, needs_key=True),
            OperatorSpec("encrypt", EncryptConfig, Encrypt, reversible=True, needs_key=True),
            OperatorSpec("fpe", FpeConfig, Fpe, reversible=True, needs_key=True),
            OperatorSpec("tokenize", TokenizeConfig, Tokenize, reversible=True, needs_key=True),
            OperatorSpec("generalize", GeneralizeConfig, _plain(Generalize)),
            OperatorSpec("date_shift", DateShiftConfig, DateShift, needs_key=True),
            OperatorSpec("suppress", SuppressConfig, _plain(Suppress)),
            OperatorSpec("waybill", WaybillConfig, Waybill),
        ]
    )
    if plugins:
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            spec = ep.load()
            if not isinstance(spec, OperatorSpec):
                raise ConfigError(f"operator plug-in {ep.name!r} is not an OperatorSpec")
            reg.register(spec)
    return reg
