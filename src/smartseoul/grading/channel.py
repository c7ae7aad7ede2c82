"""The typed channel between a trainee's kernel and the grading judge.

Answers cross from the kernel to the judge as *data*, never as objects: JSON for scalars, lists,
tuples and dicts, Arrow IPC for pandas objects, GeoParquet (WKB geometries) for GeoPandas
objects, NumPy's ``.npy`` format without pickle for arrays. Nothing is ever unpickled. The judge
rebuilds exactly the types on an allow-list and rejects everything else with a reason a
trainee can read ("`x` is a _Anything, which the grader cannot read ..."): an object that
claims to equal anything, or a subclass with its own ``__eq__``, never reaches a check.

A trainee's *function* crosses as a handle: the judge gets a proxy that sends the arguments to
the kernel over the same channel, and gets the result (or the exception's type and message)
back, with a time limit per call enforced by the worker.

The same module runs on both sides. In the kernel it is the trainee's process, so a trainee can
break it there; all that gains them is answers the judge cannot read.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import types
from collections.abc import Callable
from typing import Any

MAX_BYTES = 64 * 1024**2  # all the data one export or one call may carry
MAX_MANIFEST = 2 * 1024**2
MAX_DEPTH = 16
MAX_ITEMS = 200_000
_BLOB = re.compile(r"^b[0-9]{1,6}$")

_NP_SCALARS = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
)


class Unreadable(ValueError):
    """An answer the judge will not rebuild; the message says why, in words for a trainee."""


def _type_label(value: Any) -> str:
    t = type(value)
    mod = (t.__module__ or "").split(".")[0]
    return t.__name__ if mod in ("builtins", "__main__", "") else f"{mod}.{t.__name__}"


# --- encoding (either side) ---------------------------------------------------------------------
class _Packer:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.items = 0
        self.size = 0

    def blob(self, data: bytes) -> str:
        self.size += len(data)
        if self.size > MAX_BYTES:
            raise Unreadable(f"it is larger than the grader accepts ({MAX_BYTES // 1024**2} MB in all)")
        name = f"b{len(self.blobs)}"
        self.blobs[name] = data
        return name

    def encode(self, value: Any, depth: int = 0) -> dict:
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise Unreadable("it is nested too deeply or holds too many items for the grader")
        t = type(value)
        if value is None:
            return {"t": "none"}
        if t is bool:
            return {"t": "bool", "v": value}
        if t is int:
            return {"t": "int", "v": str(value)}
        if t is float:
            return {"t": "float", "v": value.hex()}
        if t is str:
            return {"t": "str", "v": value}
        if t in (list, tuple):
            return {"t": t.__name__, "items": [self.encode(v, depth + 1) for v in value]}
        if t is dict:
            return {
                "t": "dict",
                "items": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()],
            }
        mod = (t.__module__ or "").split(".")[0]
        if mod == "numpy":
            return self._numpy(value)
        if mod == "pandas":
            return self._pandas(value)
        if mod == "geopandas":
            return self._geo(value)
        if mod == "shapely":
            import shapely

            if isinstance(value, shapely.Geometry) and t.__module__.startswith("shapely.geometry"):
                return {"t": "geometry", "blob": self.blob(shapely.to_wkb(value))}
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
            raise Unreadable(
                "it holds a function: only a function stored directly in the answer's name can be checked"
            )
        raise Unreadable(
            f"it is a {_type_label(value)}, which the grader cannot read. Answers must be numbers, "
            "text, True/False, lists, tuples, dicts, NumPy arrays, pandas or GeoPandas objects, or functions"
        )

    def _numpy(self, value: Any) -> dict:
        import numpy as np

        if type(value) is np.ndarray:
            if value.dtype.hasobject:
                raise Unreadable(
                    "it is a NumPy array of Python objects; the grader reads arrays of numbers, text or dates"
                )
            buf = io.BytesIO()
            np.save(buf, value, allow_pickle=False)
            return {"t": "ndarray", "blob": self.blob(buf.getvalue())}
        name = type(value).__name__
        if name in _NP_SCALARS and type(value) is getattr(np, name):
            v = value.item()
            return {
                "t": "np",
                "dtype": name,
                "v": v.hex() if isinstance(v, float) else str(int(v)) if not isinstance(v, bool) else v,
            }
        if type(value) in (np.datetime64, np.timedelta64):
            return {"t": type(value).__name__, "v": str(value)}
        raise Unreadable(f"it is a {_type_label(value)}, which the grader cannot read")

    def _pandas(self, value: Any) -> dict:
        import pandas as pd

        t = type(value)
        if t is pd.DataFrame:
            return {"t": "DataFrame", "blob": self.blob(_arrow_bytes(value)), "dtypes": _text_dtypes(value)}
        if t is pd.Series:
            frame = value.to_frame(name="__series__")
            return {
                "t": "Series",
                "name": self.encode(value.name, 1),
                "blob": self.blob(_arrow_bytes(frame)),
                "dtypes": _text_dtypes(frame),
            }
        if t is pd.Timestamp:
            return {
                "t": "Timestamp",
                "v": value.isoformat(),
                "tz": str(value.tz) if value.tz is not None else None,
                "unit": value.unit,
            }
        if t is pd.Timedelta:
            return {"t": "Timedelta", "v": str(value.value), "unit": value.unit}
        if value is pd.NaT:
            return {"t": "NaT"}
        if value is pd.NA:
            return {"t": "NA"}
        raise Unreadable(f"it is a {_type_label(value)}, which the grader cannot read")

    def _geo(self, value: Any) -> dict:
        import geopandas as gpd

        t = type(value)
        if t is gpd.GeoDataFrame:
            frame, kind = value, "GeoDataFrame"
        elif t is gpd.GeoSeries:
            frame, kind = (
                gpd.GeoDataFrame({"__series__": value}, geometry="__series__", crs=value.crs),
                "GeoSeries",
            )
        else:
            raise Unreadable(f"it is a {_type_label(value)}, which the grader cannot read")
        buf = io.BytesIO()
        try:
            frame.to_parquet(buf, index=True, geometry_encoding="WKB")
        except ValueError as exc:  # e.g. a GeoDataFrame without an active geometry column
            raise Unreadable(f"this {kind} could not be packed ({exc})") from exc
        out = {"t": kind, "blob": self.blob(buf.getvalue()), "dtypes": _text_dtypes(frame)}
        if kind == "GeoSeries":
            out["name"] = self.encode(value.name, 1)
        return out


def _text_tag(dtype: Any) -> str | None:
    """Arrow reads every text column back as pandas' default `str`: remember the others."""
    import pandas as pd

    if dtype == object:  # noqa: E721 (a NumPy dtype compares equal to the type it holds)
        return "object"
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is pd.NA:
        return f"string[{dtype.storage}]"
    return None


def _text_dtypes(frame: Any) -> dict:
    index = frame.index
    levels = [index.get_level_values(i).dtype for i in range(index.nlevels)]
    return {"columns": [_text_tag(d) for d in frame.dtypes], "index": [_text_tag(d) for d in levels]}


def _restore_text_dtypes(frame: Any, tags: Any) -> Any:
    import pandas as pd

    if not isinstance(tags, dict):
        return frame
    allowed = {"object", "string[python]", "string[pyarrow]"}
    cols, idx = tags.get("columns") or [], tags.get("index") or []
    if len(cols) == frame.shape[1]:
        for pos, tag in enumerate(cols):
            if tag in allowed and str(frame.dtypes.iloc[pos]) != tag:
                frame.isetitem(pos, frame.iloc[:, pos].astype(tag))
    if len(idx) == frame.index.nlevels and any(tag in allowed for tag in idx):
        levels = [frame.index.get_level_values(i) for i in range(frame.index.nlevels)]
        levels = [lv.astype(tag) if tag in allowed else lv for lv, tag in zip(levels, idx)]
        frame.index = (
            levels[0] if len(levels) == 1 else pd.MultiIndex.from_arrays(levels, names=frame.index.names)
        )
    return frame


def _arrow_bytes(frame: Any) -> bytes:
    import pyarrow as pa

    try:
        table = pa.Table.from_pandas(frame, preserve_index=True)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise Unreadable(
            f"a column could not be packed as data ({type(exc).__name__}: {str(exc)[:200]}); "
            "keep one kind of value per column"
        ) from exc
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def pack(values: dict[str, Any], functions_by_name: bool = True) -> tuple[dict, dict[str, bytes]]:
    """Manifest and blobs for named values: missing, unreadable and function entries say so."""
    p = _Packer()
    out: dict[str, dict] = {}
    for name, value in values.items():
        if functions_by_name and type(value) is types.FunctionType:
            out[name] = {"t": "function", "name": name}
            continue
        try:
            out[name] = p.encode(value)
        except Unreadable as exc:
            out[name] = {"t": "unreadable", "why": str(exc)}
        except Exception as exc:
            out[name] = {"t": "unreadable", "why": f"it could not be packed ({type(exc).__name__})"}
    return {"names": out}, p.blobs


# --- decoding (the judge, and the kernel for a call's arguments) ---------------------------------
class _Unpacker:
    def __init__(self, blobs: dict[str, bytes], proxy: Callable[[str], Callable] | None):
        self.blobs, self.proxy = blobs, proxy

    def blob(self, node: dict) -> bytes:
        name = node.get("blob")
        if not isinstance(name, str) or name not in self.blobs:
            raise Unreadable("part of the answer's data is missing")
        return self.blobs[name]

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH or not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise Unreadable("the answer's data is malformed")
        t = node["t"]
        v = node.get("v")
        if t == "none":
            return None
        if t == "bool" and type(v) is bool:
            return v
        if t == "int" and type(v) is str and len(v) <= 4300:
            return int(v)
        if t == "float" and type(v) is str:
            return float.fromhex(v)
        if t == "str" and type(v) is str:
            return v
        if t in ("list", "tuple") and type(node.get("items")) is list:
            items = [self.decode(x, depth + 1) for x in node["items"]]
            return items if t == "list" else tuple(items)
        if t == "dict" and type(node.get("items")) is list:
            out = {}
            for pair in node["items"]:
                if type(pair) is not list or len(pair) != 2:
                    raise Unreadable("the answer's data is malformed")
                key = self.decode(pair[0], depth + 1)
                if type(key) not in (str, int, float, bool, tuple) and key is not None:
                    raise Unreadable("a dict key is of a type the grader cannot read")
                out[key] = self.decode(pair[1], depth + 1)
            return out
        if t == "np" and node.get("dtype") in _NP_SCALARS:
            import numpy as np

            kind = getattr(np, node["dtype"])
            if node["dtype"].startswith("float"):
                return kind(float.fromhex(str(v)))
            return kind(v) if node["dtype"] == "bool" else kind(int(str(v)))
        if t in ("datetime64", "timedelta64") and type(v) is str:
            import numpy as np

            return getattr(np, t)(v)
        if t == "ndarray":
            import numpy as np

            return np.load(io.BytesIO(self.blob(node)), allow_pickle=False)
        if t in ("DataFrame", "Series"):
            import pyarrow as pa

            frame = pa.ipc.open_stream(self.blob(node)).read_all().to_pandas()
            frame = _restore_text_dtypes(frame, node.get("dtypes"))
            if t == "DataFrame":
                return frame
            if list(frame.columns) != ["__series__"]:
                raise Unreadable("the answer's data is malformed")
            return frame["__series__"].rename(self.decode(node.get("name", {"t": "none"}), depth + 1))
        if t in ("GeoDataFrame", "GeoSeries"):
            import geopandas as gpd

            frame = _restore_text_dtypes(gpd.read_parquet(io.BytesIO(self.blob(node))), node.get("dtypes"))
            if t == "GeoDataFrame":
                return frame
            if "__series__" not in frame.columns:
                raise Unreadable("the answer's data is malformed")
            return frame.geometry.rename(self.decode(node.get("name", {"t": "none"}), depth + 1))
        if t == "geometry":
            import shapely

            return shapely.from_wkb(self.blob(node))
        if t == "Timestamp" and type(v) is str:
            import pandas as pd

            ts = pd.Timestamp(v)
            return ts.as_unit(node["unit"]) if node.get("unit") in ("s", "ms", "us", "ns") else ts
        if t == "Timedelta" and type(v) is str:
            import pandas as pd

            td = pd.Timedelta(int(v), unit="ns")
            return td.as_unit(node["unit"]) if node.get("unit") in ("s", "ms", "us", "ns") else td
        if t == "NaT":
            import pandas as pd

            return pd.NaT
        if t == "NA":
            import pandas as pd

            return pd.NA
        if t == "function" and self.proxy is not None and type(node.get("name")) is str:
            return self.proxy(node["name"])
        raise Unreadable("the answer's data is of a kind the grader does not accept")


def unpack(
    manifest: dict, blobs: dict[str, bytes], proxy: Callable[[str], Callable] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """(values, {name: why}) for a manifest made by :func:`pack`; missing names are left out."""
    values: dict[str, Any] = {}
    why: dict[str, str] = {}
    names = manifest.get("names") if isinstance(manifest, dict) else None
    if not isinstance(names, dict):
        return values, {"*": "the answers could not be read from the kernel"}
    u = _Unpacker(blobs, proxy)
    for name, node in names.items():
        if not isinstance(name, str) or not name.isidentifier():
            continue
        if isinstance(node, dict) and node.get("t") == "missing":
            continue
        if isinstance(node, dict) and node.get("t") == "unreadable":
            why[name] = str(node.get("why", "it could not be read"))[:500]
            continue
        try:
            values[name] = u.decode(node)
        except Unreadable as exc:
            why[name] = str(exc)
        except Exception as exc:
            why[name] = f"its data could not be read ({type(exc).__name__})"
    return values, why


# --- files in a folder (kernel side) and frames on a pipe (judge side) ----------------------------
def write_dir(folder: str, manifest: dict, blobs: dict[str, bytes]) -> None:
    os.makedirs(folder, mode=0o700, exist_ok=True)
    for name, data in blobs.items():
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(data)
    with open(os.path.join(folder, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh)


def read_dir(folder: str, limit: int = MAX_BYTES) -> tuple[dict, dict[str, bytes]]:
    """Read a folder another process wrote, trusting nothing: regular files only (no links, no
    FIFOs), known names only, within a byte budget. Raises Unreadable."""
    try:
        dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        raise Unreadable("the kernel did not hand over its answers") from exc
    try:
        budget = limit
        blobs: dict[str, bytes] = {}
        manifest_bytes = b""
        for name in os.listdir(dfd):
            if name != "manifest.json" and not _BLOB.match(name):
                continue
            data = read_regular(dfd, name, MAX_MANIFEST if name == "manifest.json" else budget)
            if name == "manifest.json":
                manifest_bytes = data
            else:
                budget -= len(data)
                blobs[name] = data
        if not manifest_bytes:
            raise Unreadable("the kernel did not hand over its answers")
        try:
            manifest = json.loads(manifest_bytes.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise Unreadable("the answers handed over by the kernel are malformed") from exc
        return manifest, blobs
    finally:
        os.close(dfd)


def read_regular(dfd: int, name: str, limit: int) -> bytes:
    """One plain file below a folder another process controls: no link, no FIFO, within `limit`."""
    import stat

    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dfd)
    except OSError as exc:
        raise Unreadable("a file handed over by the kernel is not a plain file") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Unreadable("a file handed over by the kernel is not a plain file")
        if st.st_size > limit:
            raise Unreadable(
                f"the answers are larger than the grader accepts ({MAX_BYTES // 1024**2} MB in all)"
            )
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise Unreadable(
                    f"the answers are larger than the grader accepts ({MAX_BYTES // 1024**2} MB in all)"
                )
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def send_frame(fh: Any, header: dict, blobs: dict[str, bytes] | None = None) -> None:
    """One message on a pipe: a length-prefixed JSON header, then the blobs it lists."""
    blobs = blobs or {}
    head = json.dumps({**header, "_blobs": [[k, len(v)] for k, v in blobs.items()]}).encode("utf-8")
    fh.write(struct.pack(">I", len(head)) + head)
    for data in blobs.values():
        fh.write(data)
    fh.flush()


def recv_frame(fh: Any) -> tuple[dict, dict[str, bytes]]:
    raw = _read_exact(fh, 4)
    (n,) = struct.unpack(">I", raw)
    if n > MAX_MANIFEST * 4:
        raise Unreadable("a message on the judge's channel is too large")
    header = json.loads(_read_exact(fh, n).decode("utf-8"))
    blobs: dict[str, bytes] = {}
    total = 0
    for name, size in header.pop("_blobs", []):
        total += int(size)
        if total > MAX_BYTES + MAX_MANIFEST:
            raise Unreadable("a message on the judge's channel is too large")
        blobs[str(name)] = _read_exact(fh, int(size))
    return header, blobs


def _read_exact(fh: Any, n: int) -> bytes:
    """Exactly n bytes. A pipe gives at most its buffer (64 KiB) per read, so the pieces are
    joined once at the end (adding them one by one copied a large answer over and over)."""
    chunks, got = [], 0
    while got < n:
        chunk = fh.read(n - got)
        if not chunk:
            raise EOFError("the other end of the channel closed")
        chunks.append(chunk)
        got += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


# --- what the worker asks the kernel to run (through user_expressions) ----------------------------
def export(namespace: dict, names: list[str], folder: str) -> str:
    """Kernel side: write the named answers into `folder` for the worker to hand to the judge."""
    values = {n: namespace[n] for n in names if n in namespace}
    manifest, blobs = pack(values)
    for n in names:
        manifest["names"].setdefault(n, {"t": "missing"})
    write_dir(folder, manifest, blobs)
    return "exported"


def call(namespace: dict, name: str, folder_in: str, folder_out: str) -> str:
    """Kernel side: call the trainee's function `name` with the judge's arguments, write the result."""
    manifest, blobs = read_dir(folder_in)
    values, why = unpack(manifest, blobs)
    func = namespace.get(name)
    if not isinstance(func, types.FunctionType):
        kind = "NameError" if func is None else "TypeError"
        write_dir(
            folder_out, {"raised": kind, "message": f"`{name}` is not a function defined in the notebook"}, {}
        )
        return "called"
    if why:
        write_dir(folder_out, {"raised": "ValueError", "message": "the arguments could not be read"}, {})
        return "called"
    args, kwargs = values.get("args", ()), values.get("kwargs", {})
    try:
        result = func(*args, **kwargs)
    except Exception as exc:
        write_dir(folder_out, {"raised": type(exc).__name__, "message": str(exc)[:2000]}, {})
        return "called"
    manifest, blobs = pack({"result": result}, functions_by_name=False)
    write_dir(folder_out, manifest, blobs)
    return "called"
