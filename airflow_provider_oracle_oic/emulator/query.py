"""The `q` filter language and the list envelope (docs/oic-reference.md §2, §11.6)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import bad_request

TERM = re.compile(r"\s*(\w+)\s*:\s*(?:'([^']*)'|/((?:[^/\\]|\\.)*)/)\s*(?:,|$)")
DEFAULT_LIMIT = 100
T = TypeVar("T")


@dataclass(frozen=True)
class Term:
    """One `key:'exact'` or `key:/regex/` condition."""

    key: str
    exact: str | None
    pattern: re.Pattern[str] | None

    def matches(self, value: str | None) -> bool:
        if value is None:
            return False
        if self.pattern is not None:
            return self.pattern.search(value) is not None
        return value == self.exact


def parse_q(q: str | None, keys: Sequence[str]) -> list[Term]:
    """Parse `{k:'v', k2:/re/}`; a malformed filter or unknown key is a 400 naming it."""
    if q is None or not q.strip():
        return []
    text = q.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise bad_request(f"q '{q}' must be wrapped in braces, e.g. {{name:'Exact Name'}}")
    body, terms, position = text[1:-1], [], 0
    while position < len(body.rstrip()):
        match = TERM.match(body, position)
        if match is None:
            raise bad_request(
                f"q '{q}' is malformed near '{body[position:]}'; use key:'value' or key:/regex/"
            )
        key, exact, regex = match.groups()
        if key not in keys:
            raise bad_request(f"q key '{key}' is not supported here; use one of {', '.join(keys)}")
        try:
            pattern = re.compile(regex) if regex is not None else None
        except re.error as exc:
            raise bad_request(f"q regex /{regex}/ is invalid: {exc}") from None
        terms.append(Term(key, exact, pattern))
        position = match.end()
    return terms


def filter_items(items: list[T], terms: list[Term], field: Callable[[T, str], str | None]) -> list[T]:
    return [item for item in items if all(term.matches(field(item, term.key)) for term in terms)]


def page(
    items: list[Any],
    limit: int | None,
    offset: int | None,
    render: Callable[[Any], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The list envelope; `totalResults` is the number of matches before paging. Only the page's items
    are `render`ed (a view may cost a scan of the whole store)."""
    limit = DEFAULT_LIMIT if limit is None else limit
    offset = offset or 0
    if limit < 1 or offset < 0:
        raise bad_request("limit must be at least 1 and offset at least 0")
    chunk = items[offset : offset + limit]
    if render is not None:
        chunk = [render(item) for item in chunk]
    return {
        "items": chunk,
        "hasMore": offset + len(chunk) < len(items),
        "limit": limit,
        "offset": offset,
        "totalResults": len(items),
    }
