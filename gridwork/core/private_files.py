"""Files that hold personal data (uploads, error reports), readable by Gridwork's own user only.

Made with their mode at creation (no moment when they are readable by others, whatever the umask),
in folders that no one else may enter.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """The folder, made if missing, and closed to other users even if it was made open before."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        os.chmod(path, DIR_MODE)
    return path


def create_private(path: Path, *, exclusive: bool = False) -> IO[bytes]:
    """A new file open for binary writing, mode 0600; `exclusive`: fail if it exists already."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (os.O_EXCL if exclusive else 0)
    descriptor = os.open(path, flags | getattr(os, "O_BINARY", 0), FILE_MODE)
    if not exclusive:
        os.chmod(path, FILE_MODE)  # a file that was there keeps its mode through os.open
    return os.fdopen(descriptor, "wb")


def touch_private(path: Path) -> Path:
    """An empty 0600 file at `path`, for a library that then opens the path itself to write it."""
    create_private(path).close()
    return path
