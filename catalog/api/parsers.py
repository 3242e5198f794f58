from __future__ import annotations

from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from rest_framework.parsers import MultiPartParser


class RawNameMultiPartParser(DjangoMultiPartParser):
    """Keeps the client's file name as sent, so repo-path validation can refuse `../x`,
    `/abs`, `a\\b` or NUL bytes with a clear 400 instead of Django silently trimming them."""

    def sanitize_file_name(self, file_name: str) -> str | None:
        return file_name or None


class RepoMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        from django.conf import settings
        from django.http.multipartparser import MultiPartParserError
        from rest_framework.exceptions import ParseError
        from rest_framework.parsers import DataAndFiles

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
