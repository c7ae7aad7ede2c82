"""Smaller figures for slow connections: the book's PNG images with a palette of 256 colours.

The notebooks' figures (matplotlib charts and maps) are flat colours and antialiased text, saved
by matplotlib as full-colour PNG files. With a palette of 256 colours they shrink by about three
quarters and look the same: we keep the smaller file only when its colours differ from the
original by at most MAX_MEAN_ERROR levels (of 255) on average, so that text and lines stay
legible. Runs when Sphinx has written the book (sphinx_ext, `build-finished`), on `_images/` of
each book; compressed files are kept in the build's doctree folder, so an unchanged figure is not
compressed again."""

from __future__ import annotations

import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The largest average colour difference per channel (0 to 255) we accept for a figure.
MAX_MEAN_ERROR = 4.0
#: Keep the palette version only if it saves at least this share of the file.
MIN_SAVING = 0.10


@dataclass
class Compression:
    files: int = 0
    compressed: int = 0
    bytes_before: int = 0
    bytes_after: int = 0


def palette_png(data: bytes) -> bytes | None:
    """The image as a 256-colour PNG, or None when that would change its colours too much."""
    from PIL import Image, ImageChops, ImageStat

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if image.mode == "P":
            return None  # already a palette image
        rgba = image.convert("RGBA")
    palette = rgba.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    error = max(ImageStat.Stat(ImageChops.difference(palette.convert("RGBA"), rgba)).mean)
    if error > MAX_MEAN_ERROR:
        return None
    out = io.BytesIO()
    palette.save(out, "PNG", optimize=True)
    return out.getvalue()


def compress_folder(folder: Path, cache: Path) -> Compression:
    """Replace each PNG in `folder` by its palette version where that saves weight."""
    result = Compression()
    cache.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.glob("*.png")):
        data = path.read_bytes()
        result.files += 1
        result.bytes_before += len(data)
        cached = cache / (hashlib.sha256(data).hexdigest() + ".png")
        if not cached.exists():
            smaller = palette_png(data)
            # an empty file in the cache says "keep the original"
            cached.write_bytes(smaller if smaller and len(smaller) <= len(data) * (1 - MIN_SAVING) else b"")
        if cached.stat().st_size:
            shutil.copyfile(cached, path)
            result.compressed += 1
            result.bytes_after += cached.stat().st_size
        else:
            result.bytes_after += len(data)
    return result


def compress_book(app) -> None:
    """`_images/` of the book Sphinx has just written (called by sphinx_ext after the build)."""
    images = Path(app.outdir) / "_images"
    if images.is_dir():
        done = compress_folder(images, Path(app.doctreedir) / "smartseoul-images")
        if done.compressed:
            logger.info(
                f"figures: {done.compressed} of {done.files} PNG files with a 256-colour palette, "
                f"{done.bytes_before / 1e6:.1f} MB -> {done.bytes_after / 1e6:.1f} MB"
            )
