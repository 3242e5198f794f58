"""`list_repo_likers` and `list_liked_repos`, paged by `Link` as the client expects."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.hf.paging import keyset_page
from catalog.api.serializers import iso
from catalog.api.views import HubAPIView

LIKES_ORDER = ["-created_at", "-id"]
LIKES_KINDS = ["datetime", "int"]


class Likers(HubAPIView):
    def get(self, request: Request, owner: str, name: str) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        page, headers = keyset_page(
            request, selectors.model_likers(model), ordering=LIKES_ORDER, kinds=LIKES_KINDS
        )
        body = [
            {
                "user": like.user.get_username(),
                "fullname": like.user.get_full_name() or like.user.get_username(),
                "avatarUrl": "",
                "type": "user",
            }
            for like in page
        ]
        return Response(body, headers=headers)


class UserLikes(HubAPIView):
    def get(self, request: Request, username: str) -> Response:
        likes = selectors.user_likes(username=username, viewer=request.user)
        page, headers = keyset_page(request, likes, ordering=LIKES_ORDER, kinds=LIKES_KINDS)
        body = [
            {
                "createdAt": iso(like.created_at),
                "repo": {"name": like.model.full_name, "type": "model"},
            }
            for like in page
        ]
        return Response(body, headers=headers)
