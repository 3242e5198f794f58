"""Request body parsers for the API. JSON bodies must be objects: every endpoint reads named
fields (`request.data.get`), so a list, string, number or null is refused here, once, with a
400 that says so, instead of failing inside a view."""

from __future__ import annotations

from django.conf import settings
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, JSONParser, MultiPartParser

from catalog.errors import TOO_DEEP

JSON_KINDS = {
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
}


class JSONObjectParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> dict:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        return json_object_check(data)


def json_object_check(data: object) -> dict:
    if not isinstance(data, dict):
        kind = "null" if data is None else JSON_KINDS.get(type(data), type(data).__name__)
        raise ParseError(
            f'The request body must be a JSON object ({{"field": value, ...}}), not {kind}.'
        )
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
            return DataAndFiles(data, files)
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error: {exc}") from exc
