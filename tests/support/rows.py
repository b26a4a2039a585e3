"""Raw rows of the conversation store as one searchable text, for the privacy tests."""

from __future__ import annotations

import json
from typing import Any, Iterable, List, Sequence


def readable(rows: Iterable[Sequence[Any]]) -> str:
    """Every column of every row, with JSON data also decoded (ø, not \\u00f8)."""
    parts: List[str] = []
    for row in rows:
        for column in row:
            parts.append(str(column))
            if isinstance(column, str) and column.startswith("{"):
                parts.append(json.dumps(json.loads(column), ensure_ascii=False))
    return "\n".join(parts)
