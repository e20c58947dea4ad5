"""A Singer message reader whose errors name the line, never echo it (a line can hold a secret)."""

from __future__ import annotations

import io
import json
import sys
import typing as t
from collections.abc import Iterator

import msgspec
from singer_sdk.singerlib.encoding.simple import SimpleSingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine

BLOCK = 1 << 20


class InputLineError(InvalidInputLine):
    """A line that is not a Singer message; the message names its number."""


def binary_lines(stream: t.BinaryIO) -> Iterator[bytes | bytearray]:
    """The lines of `stream` as bytes, read in 1 MiB blocks.

    A text-mode line iterator builds a long line from many small pieces whose freed memory the
    process keeps: a line holding a 64 MB archive in base64 cost 85 MB more peak memory that way. A
    long line here grows in one buffer and is parsed from it without ever becoming a `str`.
    """
    pending = bytearray()
    while block := stream.read(BLOCK):
        start = 0
        while (end := block.find(b"\n", start)) != -1:
            if pending:
                pending += memoryview(block)[start:end]
                yield pending
                pending = bytearray()
            else:
                yield block[start:end]
            start = end + 1
        pending += memoryview(block)[start:]
    if pending:
        yield pending


class SafeSingerReader(SimpleSingerReader):
    """Counts lines; malformed ones raise `InputLineError` with the line number and no content."""

    line_number = 0

    @property
    def default_input(self) -> t.IO[str]:
        return t.cast(t.IO[str], binary_lines(sys.stdin.buffer))

    def process_lines(self, file_input: t.Any, callbacks: t.Any) -> t.Any:
        # `--input FILE` arrives as a text file: read its bytes, so that a line that is not UTF-8 is
        # refused by number like one on stdin, not by the decoder's traceback.
        if isinstance(getattr(file_input, "buffer", None), io.BufferedIOBase):
            file_input = binary_lines(file_input.buffer)
        try:
            return super().process_lines(file_input, callbacks)
        finally:
            # The SDK keeps the last line for its error messages; the deployment runs after the
            # last line, and that line may carry a whole archive.
            self._current_message = None

    def deserialize_json(self, line: str | bytes | bytearray) -> dict:
        self.line_number += 1
        if isinstance(line, str) and any("\udc80" <= char <= "\udcff" for char in line):
            # Python hands undecodable stdin bytes over as surrogate escapes.
            raise InputLineError(f"line {self.line_number}: is not UTF-8 text; Singer input must be UTF-8")
        try:
            message = msgspec.json.decode(line)
        except (msgspec.DecodeError, UnicodeDecodeError):
            message = self._strict_json(line)
        if not isinstance(message, dict):
            raise InputLineError(f"line {self.line_number}: a Singer message must be a JSON object")
        return message

    def _strict_json(self, line: str | bytes | bytearray) -> t.Any:
        """What the standard parser makes of a line msgspec refused (NaN, say), or the error it names.

        Only refused lines get here, so the checks below never copy a long line that parsed.
        """
        if not line.strip():
            raise InputLineError(f"line {self.line_number}: is empty; each line must be one Singer message")
        try:
            text = line if isinstance(line, str) else bytes(line).decode("utf-8")
        except UnicodeDecodeError:
            raise InputLineError(
                f"line {self.line_number}: is not UTF-8 text; Singer input must be UTF-8"
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputLineError(
                f"line {self.line_number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                "each line must be one Singer message"
            ) from None

    def assert_line_requires(self, line_dict: dict, requires: set[str]) -> None:
        missing = requires - set(line_dict)
        if missing:
            raise InputLineError(
                f"line {self.line_number}: missing required key(s) {', '.join(sorted(missing))}"
            )

    def _process_unknown_message(self, message_dict: dict[str, t.Any]) -> None:
        raise InputLineError(f"line {self.line_number}: unknown message type {message_dict.get('type')!r}")
