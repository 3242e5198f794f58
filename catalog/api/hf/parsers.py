"""The Git-LFS batch API speaks JSON under its own media type."""

from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer

LFS_MEDIA_TYPE = "application/vnd.git-lfs+json"


class LfsJSONParser(JSONParser):
    media_type = LFS_MEDIA_TYPE


class LfsJSONRenderer(JSONRenderer):
    media_type = LFS_MEDIA_TYPE
