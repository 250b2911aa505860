"""The record types of the taxonomy: frozen, typed, and plain enough to export as JSON."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Grade(enum.StrEnum):
    """The two grades of personal information of GB/T 35273-2020 (clauses 3.1 and 3.2)."""

    #: 一般个人信息: personal information that is not sensitive.
    ORDINARY = "ordinary"
    #: 个人敏感信息: personal information listed in Table B.1 (or sensitive by the children rule).
    SENSITIVE = "sensitive"

    @property
    def name_zh(self) -> str:
        """The Chinese name of the grade.

        >>> Grade.SENSITIVE.name_zh
        '个人敏感信息'
        """
        return "个人敏感信息" if self is Grade.SENSITIVE else "一般个人信息"


@dataclass(frozen=True, slots=True)
class Example:
    """One example of a category, in Chinese (the standard's wording) and English."""

    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class HealthDataLevel:
    """A GB/T 39725-2020 health-data level (第1级 to 第5级, §6.2).

    The full text of GB/T 39725-2020 was not available (cn_standards.md §7.1, §10): the five
    levels are confirmed only by secondary sources and the level given for a category follows a
    project's interpretation, so ``verified`` is False for every level piguard ships.
    """

    level: int
    basis: str
    verified: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Category:
    """One category of personal information, addressed by a dotted key such as ``basic.phone``.

    ``source`` cites the clause that defines it (GB/T 35273-2020 Table A.1 row and, when it is
    sensitive, the Table B.1 row). ``extension`` marks categories piguard adds that the standard
    does not list; their ``note`` says why and how their sensitivity was decided.
    """

    key: str
    name_zh: str
    name_en: str
    sensitive: bool
    source: str
    examples: tuple[Example, ...] = ()
    health_level: HealthDataLevel | None = None
    extension: bool = False
    note: str = ""

    @property
    def grade(self) -> Grade:
        """Ordinary or sensitive, from ``sensitive``."""
        return Grade.SENSITIVE if self.sensitive else Grade.ORDINARY

    @property
    def group(self) -> str:
        """The key of the Table A.1 group this category belongs to (``basic`` …)."""
        return self.key.split(".", 1)[0]

    @property
    def parent(self) -> str | None:
        """The key of the parent category, None for a group."""
        head, sep, _ = self.key.rpartition(".")
        return head if sep else None

    @property
    def is_group(self) -> bool:
        """True for the 13 top-level groups of Table A.1."""
        return "." not in self.key
