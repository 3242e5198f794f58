"""`list_repo_likers` and `list_liked_repos`, paged by `Link` as the client expects."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.hf.paging import PAGED, keyset_page
from catalog.api.hf.serializers import LikerSerializer, UserLikeSerializer
from catalog.api.views import HubAPIView

LIKES_ORDER = ["-created_at", "-id"]
LIKES_KINDS = ["datetime", "int"]


class Likers(HubAPIView):
    @extend_schema(parameters=PAGED, responses=LikerSerializer(many=True))
    def get(self, request: Request, owner: str, name: str) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        page, headers = keyset_page(
            request, selectors.model_likers(model), ordering=LIKES_ORDER, kinds=LIKES_KINDS
        )
        return Response(LikerSerializer(page, many=True).data, headers=headers)


class UserLikes(HubAPIView):
    @extend_schema(parameters=PAGED, responses=UserLikeSerializer(many=True))
    def get(self, request: Request, username: str) -> Response:
        likes = selectors.user_likes(username=username, viewer=request.user)
        page, headers = keyset_page(request, likes, ordering=LIKES_ORDER, kinds=LIKES_KINDS)
        return Response(UserLikeSerializer(page, many=True).data, headers=headers)
