"""drf-spectacular's settings for the schema at /api/schema, and the paths it cannot see:
plain Django views (downloads are streamed by sendfile; Git-LFS uploads go to a signed URL).
Everything else is derived from the DRF views and serializers."""

PATH = {"in": "path", "required": True, "schema": {"type": "string"}}


def _error(text: str) -> dict:
    return {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_DOWNLOAD = {
    "get": {
        "operationId": "file_download",
        "summary": "Download one file of a version",
        "description": "revision: `main`, an alias, `vN` or the 40-hex revision. "
        "ETag and X-Linked-Etag are the sha256; X-Repo-Commit the revision. With S3 "
        "storage the answer is a 302 to a presigned URL.",
        "parameters": [{"name": n, **PATH} for n in ("owner", "name", "revision", "path")]
        + [
            {
                "name": "Range",
                "in": "header",
                "schema": {"type": "string"},
                "description": "bytes=a-b, bytes=a- or bytes=-n",
            }
        ],
        "responses": {
            "200": {"description": "The file", "content": {"application/octet-stream": {}}},
            "206": {
                "description": "The requested range",
                "content": {"application/octet-stream": {}},
            },
            "302": {"description": "Redirect to a presigned S3 URL"},
            "304": {"description": "Not modified (If-None-Match)"},
            "401": _error("Bad token"),
            "404": _error("No such model, revision or file"),
            "416": _error("Range outside the file"),
        },
    },
}

_LFS_UPLOAD = {
    "put": {
        "operationId": "lfs_object_upload",
        "summary": "Upload one Git-LFS object to the URL the batch API signed",
        "description": "The `href` of an `upload` action from "
        "`POST /{owner}/{name}.git/info/lfs/objects/batch`: the body is the object's bytes, "
        "exactly `size` of them; they are hashed while they stream and kept only if their "
        "sha256 is `oid`. The signed token names the user, model, oid and size.",
        "security": [],
        "parameters": [
            {"name": "oid", **PATH, "description": "sha256 of the object, 64 hex digits"},
            {
                "name": "token",
                "in": "query",
                "required": True,
                "schema": {"type": "string"},
                "description": "The signature from the batch answer (expires in minutes).",
            },
        ],
        "requestBody": {"required": True, "content": {"application/octet-stream": {}}},
        "responses": {
            "200": {"description": "Stored in the user's staging area, verified"},
            "400": _error("Length or sha256 differ from what was announced"),
            "401": _error("The signed URL is invalid, expired or for another object"),
            "404": _error("The model or user of the URL no longer exists"),
            "413": _error("Larger than the hub's file size limit or the staging quota"),
            "429": _error("Too many uploads"),
        },
    },
}

OPENAPI_SETTINGS = {
    "TITLE": "the hub API",
    "DESCRIPTION": (
        "Catalog, versions, downloads and fine-tuning of pretrained models. Paths and JSON "
        "fields follow the Hugging Face Hub API where one exists. Every error is "
        '`{"error": "..."}` with the matching HTTP status.'
    ),
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two `status` enums (evaluations, fine-tune jobs): name the job's, from its one home.
    "ENUM_NAME_OVERRIDES": {
        "FineTuneStatusEnum": "catalog.models.FineTuneJob.Status",
        "VersionStatusEnum": "catalog.models.Version.Status",
    },
    "APPEND_PATHS": {
        "/{owner}/{name}/resolve/{revision}/{path}": _DOWNLOAD,
        "/api/lfs/objects/{oid}": _LFS_UPLOAD,
    },
}
