"""Reads one file out of a multipart/form-data body as it streams in.

Starlette's form parser does not cap file parts, so the body is parsed here and each
byte of the file is handed to a sink that counts it (and may refuse it) before any
more of the body is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header
from starlette.requests import ClientDisconnect, Request

from services.errors import BadRequest, TooLarge, ValidationFailed

# Room for the part headers and any small fields beside the file.
_ENVELOPE = 64 * 1024


@dataclass
class FilePart:
    filename: str | None = None
    content_type: str | None = None


@dataclass
class _State:
    wanted: str
    sink: Callable[[bytes], None]
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_name: bytes = b""
    header_value: bytes = b""
    writing: bool = False
    found: FilePart | None = None

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def header_value_part(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        self.headers[self.header_name.lower()] = self.header_value
        self.header_name, self.header_value = b"", b""

    def part_begin(self) -> None:
        self.headers, self.writing = {}, False

    def headers_finished(self) -> None:
        disposition, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        if disposition != b"form-data" or name != self.wanted or self.found is not None:
            return
        if b"filename" not in params:
            raise _missing(self.wanted, "must be a file, not a text field")
        raw_type = self.headers.get(b"content-type")
        self.found = FilePart(
            filename=params[b"filename"].decode("utf-8", "replace"),
            content_type=raw_type.decode("latin-1") if raw_type else None,
        )
        self.writing = True

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.writing:
            self.sink(data[start:end])

    def part_end(self) -> None:
        self.writing = False


def _missing(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{name}: {message}", details={"errors": {name: [message]}})


async def receive_file(
    request: Request, *, field: str, sink: Callable[[bytes], None], max_size: int
) -> FilePart:
    """Stream the part named `field` into `sink`; the rest of the body is discarded."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadRequest(f"Send the file as multipart/form-data in a field named '{field}'")
    limit = max_size + _ENVELOPE
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"Attachments are at most {max_size // (1024 * 1024)} MB")
    state = _State(wanted=field, sink=sink)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": state.part_begin,
            "on_part_data": state.part_data,
            "on_part_end": state.part_end,
            "on_header_field": state.header_field,
            "on_header_value": state.header_value_part,
            "on_header_end": state.header_end,
            "on_headers_finished": state.headers_finished,
        },
    )
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise TooLarge(f"Attachments are at most {max_size // (1024 * 1024)} MB")
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        raise BadRequest("Malformed multipart body") from None
    except ClientDisconnect:
        raise BadRequest("The upload was interrupted before it was complete") from None
    # The parser takes a body cut short for a finished one: only the closing boundary
    # proves that the file arrived whole.
    if parser.state != MultipartState.END:
        raise BadRequest("The multipart body ended before its closing boundary")
    if state.found is None:
        raise _missing(field, "is required")
    return state.found
