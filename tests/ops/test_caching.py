"""Immutable answers for pinned revisions (catalog.api.caching): cache headers, ETag, 304,
and never a shared-cache `public` for an authenticated request or a private model."""

from __future__ import annotations

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from catalog.api.caching import body_etag, etag_matches, immutable_etag_response, is_pinned

BODY = {"id": "alice/m", "sha": "a" * 40, "siblings": [{"rfilename": "w.raw"}]}


class Pinned(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    public = True

    def get(self, request):
        return immutable_etag_response(request, Response(BODY), public=self.public)


def call(view=Pinned, **headers):
    request = APIRequestFactory().get("/api/models/alice/m/revision/v1", **headers)
    response = view.as_view()(request)
    response.render()
    return response


def test_public_pinned_answer_is_cacheable_for_a_year_and_revalidates():
    first = call()
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=31536000, immutable"
    assert first["ETag"] == body_etag(BODY) and "Authorization" in first["Vary"]
    again = call(HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and again["Cache-Control"] == first["Cache-Control"]
    assert call(HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_private_model_or_personal_request_is_private():
    class PrivateModel(Pinned):
        public = False

    assert call(PrivateModel)["Cache-Control"].startswith("private,")
    assert call(HTTP_AUTHORIZATION="Bearer hub_x")["Cache-Control"].startswith("private,")


@pytest.mark.parametrize(
    ("revision", "pinned"),
    [("v3", True), ("a" * 40, True), ("main", False), ("stable", False), ("v0", False)],
)
def test_only_shas_and_version_numbers_are_pinned(revision, pinned):
    assert is_pinned(revision) is pinned


def test_etags_ignore_key_order_and_match_lists_and_weak_tags():
    assert body_etag({"a": 1, "b": 2}) == body_etag({"b": 2, "a": 1})
    tag = body_etag(BODY)
    assert etag_matches(f'"x", {tag}', tag) and etag_matches(f"W/{tag}", tag)
    assert etag_matches("*", tag) and not etag_matches(None, tag)
