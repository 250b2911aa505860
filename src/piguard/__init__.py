"""piguard: personal-information protection for Chinese Internet+ services.

Find, grade, de-identify, anonymise and audit personal information (个人信息) under
PIPL 2021 and GB/T 35273-2020. The public surface is listed in ``__all__``; everything
else is internal and may change.
"""

from typing import TYPE_CHECKING, Any

from piguard._version import __version__
from piguard.errors import PiguardError

if TYPE_CHECKING:
    from piguard.detect import Finding, Scanner

__all__ = ["Finding", "PiguardError", "Scanner", "__version__"]


def __getattr__(name: str) -> Any:
    # The scanner is imported on first use, so that ``import piguard.geo`` (or the start of
    # any command that does not scan) does not pay for the detection engine's imports.
    if name in ("Finding", "Scanner"):
        from piguard import detect

        return getattr(detect, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
