"""Small helpers with no dependencies beyond the standard library."""

from piguard._util.atomic import atomic_write

__all__ = ["atomic_write"]
