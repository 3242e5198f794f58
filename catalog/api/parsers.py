"""Request body parsers for the API, the one place bodies are read.

- JSON bodies must be objects: every endpoint reads named fields (`request.data.get`), so a
  list, string, number or null is refused here with a 400 that says so.
- No text may hold a NUL or an unpaired surrogate (JSON can carry both, forms NUL): the
  database cannot store or compare them, so they are refused here, not deep in a query.
  Nor may a JSON number overflow to infinity (1e999), which int() cannot take.
- Nesting too deep for the parser (RecursionError) is a 400 too."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from django.conf import settings
from django.http import QueryDict
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, FormParser, JSONParser, MultiPartParser

from catalog.errors import TOO_DEEP

JSON_KINDS = {
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
}
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = (
    "Text in the request holds a NUL character (\\u0000) or an unpaired surrogate "
    "(\\ud800-\\udfff); remove it and try again."
)


class JSONObjectParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> dict:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        return values_check(json_object_check(data))


class TextFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return fields_check(super().parse(stream, media_type, parser_context))


def json_object_check(data: object) -> dict:
    if not isinstance(data, dict):
        kind = "null" if data is None else JSON_KINDS.get(type(data), type(data).__name__)
        raise ParseError(
            f'The request body must be a JSON object ({{"field": value, ...}}), not {kind}.'
        )
    return data


def values_check(value):
    """Every string (keys too) and number in a parsed JSON value, walked without recursion."""
    pending: list = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item):
                raise ParseError(UNSTORABLE_MESSAGE)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise ParseError("A number in the request is too large (it overflows to infinity).")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, Iterable) and not isinstance(item, bytes):
            pending.extend(item)
    return value


def form_fields(request) -> QueryDict:
    """The form fields of a multipart-only view, without its files (`request.data` holds
    both; DRF gives a plain {} for an empty body)."""
    return request.POST if isinstance(request.data, QueryDict) else QueryDict()


def fields_check(data: QueryDict) -> QueryDict:
    values_check([*data.keys(), *(value for _, values in data.lists() for value in values)])
    return data


class RawNameMultiPartParser(DjangoMultiPartParser):
    """Keeps the client's file name as sent, so repo-path validation can refuse `../x`,
    `/abs`, `a\\b` or NUL bytes with a clear 400 instead of Django silently trimming them."""

    def sanitize_file_name(self, file_name: str) -> str | None:
        return file_name or None


class RepoMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        try:
            parser = RawNameMultiPartParser(meta, stream, request.upload_handlers, encoding)
            data, files = parser.parse()
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error: {exc}") from exc
        return DataAndFiles(fields_check(data), files)
