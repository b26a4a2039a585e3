"""Personal data the bot must not take into a callback request: CPR numbers.

A CPR number is ddmmyy-ssss with a real date; the dash may be a space or left out.
Modulus 11 no longer holds for every number issued since 2007, so it is not checked.
"""

from __future__ import annotations

import re
from datetime import date

_CPR = re.compile(r"(?<![\d])(\d{2})(\d{2})(\d{2})[ \-]?(\d{4})(?![\d])")


def _real_date(day: str, month: str, year: str) -> bool:
    try:
        # The century does not matter for the check, except for 29 February.
        date(2000 + int(year), int(month), int(day))
    except ValueError:
        try:
            date(1900 + int(year), int(month), int(day))
        except ValueError:
            return False
    return True


def contains_cpr(text: str) -> bool:
    """True when `text` holds something shaped like a CPR number with a real date."""
    return any(_real_date(m[1], m[2], m[3]) for m in _CPR.finditer(text))
