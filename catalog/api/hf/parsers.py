"""The Git-LFS batch API speaks JSON under its own media type."""

from rest_framework.renderers import JSONRenderer

from catalog.api.parsers import JSONObjectParser

LFS_MEDIA_TYPE = "application/vnd.git-lfs+json"


class LfsJSONParser(JSONObjectParser):
    media_type = LFS_MEDIA_TYPE


class LfsJSONRenderer(JSONRenderer):
    media_type = LFS_MEDIA_TYPE
