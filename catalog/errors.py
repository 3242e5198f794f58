"""Domain errors. Each carries the HTTP status it maps to and a message a person can act on;
the API turns them into `{"error": ...}` and the pages into form errors."""

import re

# What any reader of client input says when it meets RecursionError (JSON, NDJSON, YAML).
TOO_DEEP = "The request is nested too deeply to read; send flatter data."
# What the edges say when the database refuses a value a client sent (DataError).
UNSTORABLE = (
    "The request holds a value the database cannot take (a NUL character, an unpaired "
    "surrogate or a number out of range); remove it and try again."
)


class HubError(Exception):
    status = 400
    code = "BadRequest"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(HubError):
    status = 400
    code = "BadRequest"


class Unauthorized(HubError):
    status = 401
    code = "Unauthorized"


class Forbidden(HubError):
    status = 403
    code = "Forbidden"


class NotFound(HubError):
    status = 404
    code = "NotFound"


class RepoNotFound(NotFound):
    code = "RepoNotFound"


class RepoMoved(RepoNotFound):
    """The model was moved (renamed): callers that know redirects answer 307 to `location`;
    the rest answer 404, as for any name no model has."""

    def __init__(self, message: str, *, old: str, new: str) -> None:
        super().__init__(message)
        self.old, self.new = old, new

    def location(self, path: str) -> str:
        """`path` (a request's full path) with the old "owner/name" replaced by the new one."""
        pattern = rf"/{re.escape(self.old)}(?=/|\?|$|\.git/)"
        return re.sub(pattern, f"/{self.new}", path, count=1)


class RevisionNotFound(NotFound):
    code = "RevisionNotFound"


class EntryNotFound(NotFound):
    code = "EntryNotFound"


class Conflict(HubError):
    status = 409
    code = "Conflict"


class PreconditionFailed(HubError):
    status = 412
    code = "PreconditionFailed"


class PayloadTooLarge(HubError):
    status = 413
    code = "PayloadTooLarge"


class RangeNotSatisfiable(HubError):
    status = 416
    code = "RangeNotSatisfiable"


class TooManyRequests(HubError):
    status = 429
    code = "TooManyRequests"
