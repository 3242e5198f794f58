"""What the OpenAPI schema of the Hugging Face Hub protocol routes (catalog.api.hf) cannot
derive from their serializers: the NDJSON commit body and the DELETE that carries a body.
Each route's shapes are declared beside it, with the serializers that validate and render
them (catalog.api.hf.serializers). Imported by catalog.api.openapi."""

from __future__ import annotations

from catalog.api.schema import HubAutoSchema

NDJSON = {
    "type": "string",
    "description": 'One JSON object a line: {"key": "header", "value": {"summary": ...}}, then '
    '"file" (inline, base64), "lfsFile", "deletedFile" or "deletedFolder" lines.',
    "example": '{"key": "header", "value": {"summary": "Add notes"}}\n'
    '{"key": "file", "value": {"path": "notes.txt", "content": "aGk=", "encoding": "base64"}}\n',
}


class DeleteWithBody(HubAutoSchema):
    """`HfApi.delete_repo` sends its JSON body with DELETE: document it like a POST's."""

    def _get_request_body(self, direction="request"):
        method, self.method = self.method, "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = method
