"""ONNX external data must name a file uploaded alongside the model, nothing else.

A runtime resolves `location` relative to the .onnx file's folder; an absolute path,
`..` or a Windows path would make it read (and later serve) files from the server.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path, PurePosixPath

from catalog.inspect.errors import InspectionError
from catalog.inspect.onnx_info import external_locations, load_model
from catalog.scanning.errors import Rejected

_DRIVE = re.compile(r"^[A-Za-z]:")


def scan_onnx(path: Path, repo_path: str, sibling_paths: set[str] | None) -> None:
    try:
        model = load_model(path)
    except InspectionError as exc:
        raise Rejected(f"is not a valid ONNX model ({exc})") from None
    for location in external_locations(model):
        problem = location_problem(location, repo_path, sibling_paths)
        if problem:
            raise Rejected(
                f"ONNX external data location {location!r} {problem}; external data must be "
                "a file uploaded in the same folder tree as the model"
            )


def location_problem(location: str, repo_path: str, sibling_paths: set[str] | None) -> str:
    """Why `location` is unacceptable, or "" when it is fine."""
    if not location:
        return "is empty"
    if "\x00" in location or "\\" in location:
        return "contains a backslash or NUL character"
    if _DRIVE.match(location):
        return "has a drive letter"
    if location.startswith("/"):
        return "is absolute"
    if ".." in PurePosixPath(location).parts:
        return "climbs out of the model folder with '..'"
    target = posixpath.normpath(posixpath.join(posixpath.dirname(repo_path), location))
    if sibling_paths is not None and target not in sibling_paths:
        return f"points to {target!r}, which is not a file of this upload"
    return ""
