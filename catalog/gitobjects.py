"""What a git repository on the Hugging Face Hub would hold for a file: inline (a git blob)
or in Git-LFS (a pointer file in git, the bytes in LFS), and the git object id of that blob or
pointer, which the Hub reports as `blobId` / tree `oid`. Pure functions, no storage access.

The rule is the one the hub's `preupload` answers with, so a file is LFS here exactly when
the client was told to send it through LFS: a weight-like suffix, more than INLINE_MAX_BYTES,
or a NUL byte in its first 512 bytes (binary)."""

from __future__ import annotations

import hashlib

INLINE_MAX_BYTES = 1024 * 1024  # larger files go through LFS (the Hub's own limit is 10 MB)
SAMPLE_BYTES = 512  # what the client sends to preupload, and what decides "binary"
LFS_SUFFIXES = (
    ".safetensors",
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".onnx",
    ".gguf",
    ".h5",
    ".msgpack",
    ".pkl",
    ".pickle",
    ".npy",
    ".npz",
    ".zip",
    ".tar",
    ".gz",
    ".tflite",
)


def stored_in_lfs(path: str, size: int, sample: bytes) -> bool:
    """Whether the Hub would keep this file in Git-LFS (`sample`: its first 512 bytes)."""
    return (
        size > INLINE_MAX_BYTES
        or b"\x00" in sample[:SAMPLE_BYTES]
        or path.lower().endswith(LFS_SUFFIXES)
    )


def lfs_by_name_or_size(path: str, size: int) -> bool:
    """The part of the rule that needs no bytes: True means LFS whatever the content."""
    return size > INLINE_MAX_BYTES or path.lower().endswith(LFS_SUFFIXES)


def git_blob_oid(data: bytes) -> str:
    """git's object id of a file's bytes (`git hash-object`)."""
    header = b"blob %d\x00" % len(data)
    return hashlib.sha1(header + data, usedforsecurity=False).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    """The Git-LFS pointer file git holds in place of an LFS object."""
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()
    )


def lfs_pointer_oid(sha256: str, size: int) -> str:
    """The Hub's `blobId` of an LFS file: the git object id of its pointer file."""
    return git_blob_oid(lfs_pointer(sha256, size))


def git_meta(*, path: str, sha256: str, size: int, head: bytes, data: bytes | None) -> dict:
    """`{"lfs": bool, "git_oid": str}` for a file, stored in VersionFile.metadata. `head` is
    its first 512 bytes; `data` its whole content, needed only when it is not LFS."""
    if stored_in_lfs(path, size, head):
        return {"lfs": True, "git_oid": lfs_pointer_oid(sha256, size)}
    if data is None or len(data) != size:
        raise ValueError("an inline file's git oid needs all of its bytes")
    return {"lfs": False, "git_oid": git_blob_oid(data)}
