"""Writing files so that no reader ever sees half of one.

Grading results, dataset manifests, Parquet partitions and the book's generated pages are all
read by other processes while they are written (a resumed grading run, a second build, a
trainee's kernel). Each is written to a temporary file in the same folder and then renamed over
the target, which is atomic on one file system.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path, fsync: bool = False, private: bool = False) -> Iterator[Path]:
    """A temporary path next to `path`; on success it replaces `path`, on error it is removed.

    For writers that want a file name (for example `pyarrow.parquet.write_table`). The file gets
    the usual permissions (the umask decides), or owner-only ones with `private`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666))
    try:
        yield tmp
        if fsync:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes | str, fsync: bool = True, private: bool = False) -> None:
    """Write `data` (text is UTF-8) so that readers see the old file or the new one, never a mix."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path, fsync=fsync, private=private) as tmp:
        tmp.write_bytes(raw)


def write_if_changed(path: Path, text: str) -> bool:
    """Write only when the content differs, so an unchanged file keeps its mtime (warm rebuilds
    stay warm). True when the file was written."""
    path = Path(path)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    atomic_write(path, text, fsync=False)
    return True
