"""piguard: personal-information protection for Chinese Internet+ services.

Find, grade, de-identify, anonymise and audit personal information (个人信息) under
PIPL 2021 and GB/T 35273-2020. The public surface is listed in ``__all__``; everything
else is internal and may change.
"""

from piguard._version import __version__
from piguard.detect import Finding, Scanner
from piguard.errors import PiguardError

__all__ = ["Finding", "PiguardError", "Scanner", "__version__"]
