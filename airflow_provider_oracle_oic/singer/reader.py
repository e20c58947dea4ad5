"""A Singer message reader whose errors name the line, never echo it (a line can hold a secret)."""

from __future__ import annotations

import json
import typing as t

from singer_sdk.singerlib.encoding.simple import SimpleSingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine


class InputLineError(InvalidInputLine):
    """A line that is not a Singer message; the message names its number."""


class SafeSingerReader(SimpleSingerReader):
    """Counts lines; malformed ones raise `InputLineError` with the line number and no content."""

    line_number = 0

    def deserialize_json(self, line: str) -> dict:
        self.line_number += 1
        if any("\udc80" <= char <= "\udcff" for char in line):
            # Python hands undecodable stdin bytes over as surrogate escapes.
            raise InputLineError(f"line {self.line_number}: is not UTF-8 text; Singer input must be UTF-8")
        try:
            message = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputLineError(
                f"line {self.line_number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                "each line must be one Singer message"
            ) from None
        if not isinstance(message, dict):
            raise InputLineError(f"line {self.line_number}: a Singer message must be a JSON object")
        return message

    def assert_line_requires(self, line_dict: dict, requires: set[str]) -> None:
        missing = requires - set(line_dict)
        if missing:
            raise InputLineError(
                f"line {self.line_number}: missing required key(s) {', '.join(sorted(missing))}"
            )

    def _process_unknown_message(self, message_dict: dict[str, t.Any]) -> None:
        raise InputLineError(f"line {self.line_number}: unknown message type {message_dict.get('type')!r}")
