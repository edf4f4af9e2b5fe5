"""Saving and loading fitted models: a versioned envelope, loaded only from a trusted directory.

Unpickling runs code: a pickle names callables that the loader calls, so a model file written
by someone else is a program they get to run. That is why :func:`load_model` checks, BEFORE it
unpickles a single byte, that

1. the path, after resolving symlinks, lies inside ``trusted_dir``;
2. the file is a regular file owned by this user (or root), and neither it nor any directory
   from ``trusted_dir`` down to it is writable by group or others;
3. the file starts with the magic line and a JSON header of a known envelope version;
4. the payload matches the header's SHA-256 (a torn or edited file);
5. with a ``key``: the header carries an HMAC-SHA256 and it matches (someone without the key
   wrote or edited it). The HMAC covers the header (meta included) and the payload;
6. the PyOD and scikit-learn major.minor versions equal the running ones (refit instead: their
   pickles are not stable across releases).

Each refusal is a :class:`~tooltrail.detectors.errors.ModelFileError` whose message names the
rule. The unpickler then only resolves globals from tooltrail, PyOD, scikit-learn, NumPy,
SciPy and a few builtins. That narrows mistakes; it is not a sandbox, and the checks above are
the protection.

File layout: ``MAGIC`` line, one line of JSON header, then the pickle payload (protocol 5).
Files are written atomically (temporary file in the same directory, fsync, rename, fsync of
the directory) with mode 0600.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
import pickle
import platform
import stat
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import ModelFileError

__all__ = ["ENVELOPE_VERSION", "FORMAT", "MAGIC", "load_model", "save_model"]

log = logging.getLogger(__name__)

MAGIC = b"#tooltrail-model\n"
FORMAT = "tooltrail-model"
ENVELOPE_VERSION = 1
_KNOWN_ENVELOPES = frozenset({ENVELOPE_VERSION})
_MAX_HEADER = 1 << 20
_HMAC_CONTEXT = b"tooltrail-model-hmac-v1\n"
_ALLOWED_ROOTS = frozenset({"tooltrail", "pyod", "sklearn", "numpy", "scipy", "collections"})
_ALLOWED_BUILTINS = frozenset(
    {"bool", "bytearray", "bytes", "complex", "dict", "float", "frozenset", "int", "list"}
    | {"object", "range", "set", "slice", "str", "tuple"}
)


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _major_minor(version: str | None) -> str | None:
    return None if version is None else ".".join(version.split(".")[:2])


def _dumps(header: Mapping[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def _mac(key: bytes, header_bytes: bytes, payload: bytes) -> str:
    return hmac.new(key, _HMAC_CONTEXT + header_bytes + b"\n" + payload, "sha256").hexdigest()


def _inside(trusted: Path, target: Path) -> bool:
    return target == trusted or trusted in target.parents


def save_model(
    model: Any,
    path: str | os.PathLike[str],
    *,
    trusted_dir: str | os.PathLike[str],
    meta: Mapping[str, Any] | None = None,
    key: bytes | None = None,
) -> None:
    """Write ``model`` to ``path`` (inside ``trusted_dir``) atomically, mode 0600.

    ``meta`` must be JSON-serializable; it comes back from :func:`load_model`. With ``key`` the
    header carries an HMAC-SHA256 over header and payload. On any failure no file is left.
    """
    trusted = Path(trusted_dir).resolve(strict=True)
    target = Path(path)
    try:
        dest = target.parent.resolve(strict=True) / target.name
    except FileNotFoundError as exc:
        raise ModelFileError(f"{target.parent}: the directory does not exist") from exc
    if not _inside(trusted, dest.parent):
        raise ModelFileError(f"{dest}: outside the trusted directory {trusted}")
    try:
        payload = pickle.dumps(model, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise ModelFileError(f"{type(model).__name__} cannot be pickled: {exc}") from exc
    header: dict[str, Any] = {
        "format": FORMAT,
        "envelope": ENVELOPE_VERSION,
        "tooltrail": _version("tooltrail"),
        "python": platform.python_version(),
        "pyod": _version("pyod"),
        "sklearn": _version("scikit-learn"),
        "numpy": _version("numpy"),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "payload_bytes": len(payload),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "meta": dict(meta or {}),
    }
    try:
        header_bytes = _dumps(header)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"meta is not JSON-serializable: {exc}") from exc
    if key is not None:
        header["hmac_sha256"] = _mac(key, header_bytes, payload)
        header_bytes = _dumps(header)
    _write_atomically(dest, MAGIC + header_bytes + b"\n" + payload)
    log.info("saved %s to %s (%d bytes)", header["model_class"], dest, len(payload))


def _write_atomically(dest: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _check_mode(where: Path, st: os.stat_result, what: str) -> None:
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ModelFileError(
            f"{where}: {what} is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})"
        )


def _read_trusted(path: str | os.PathLike[str], trusted_dir: str | os.PathLike[str]) -> bytes:
    """The file's bytes, after the path, ownership and permission rules (1 and 2)."""
    try:
        trusted = Path(trusted_dir).resolve(strict=True)
        resolved = Path(path).resolve(strict=True)
    except (FileNotFoundError, RuntimeError) as exc:
        raise ModelFileError(f"{path}: not found ({exc})") from exc
    if not _inside(trusted, resolved.parent):
        raise ModelFileError(f"{path}: resolves to {resolved}, outside the trusted directory")
    folder = resolved.parent
    while True:
        _check_mode(folder, folder.stat(), "the trusted directory")
        if folder == trusted:
            break
        folder = folder.parent
    fd = os.open(resolved, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ModelFileError(f"{resolved}: not a regular file")
        if st.st_uid not in (os.geteuid(), 0):
            raise ModelFileError(f"{resolved}: owned by another user (uid {st.st_uid})")
        _check_mode(resolved, st, "the model file")
        return f.read()


def _parse_header(where: str, data: bytes) -> tuple[dict[str, Any], bytes]:
    """Header and payload, after the magic and envelope rules (3)."""
    if not data.startswith(MAGIC):
        raise ModelFileError(f"{where}: bad magic: not a tooltrail model file")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + _MAX_HEADER)
    if end < 0:
        raise ModelFileError(f"{where}: malformed header: no end of header line")
    try:
        header = json.loads(data[len(MAGIC) : end])
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{where}: malformed header: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"{where}: malformed header: format is not {FORMAT!r}")
    if header.get("envelope") not in _KNOWN_ENVELOPES:
        raise ModelFileError(f"{where}: unknown envelope version {header.get('envelope')!r}")
    return header, data[end + 1 :]


def _check_contents(where: str, header: dict[str, Any], payload: bytes, key: bytes | None) -> None:
    """Digest, HMAC and library version rules (4, 5, 6)."""
    digest = hashlib.sha256(payload).hexdigest()
    if not hmac.compare_digest(digest, str(header.get("payload_sha256"))):
        raise ModelFileError(f"{where}: payload digest mismatch (torn or edited file)")
    if key is not None:
        mac = header.pop("hmac_sha256", None)
        if mac is None:
            raise ModelFileError(f"{where}: hmac missing: a key was given, the file has no HMAC")
        if not hmac.compare_digest(_mac(key, _dumps(header), payload), str(mac)):
            raise ModelFileError(f"{where}: hmac mismatch: not written with this key")
    for field, dist in (("pyod", "pyod"), ("sklearn", "scikit-learn")):
        saved, running = _major_minor(header.get(field)), _major_minor(_version(dist))
        if saved is not None and saved != running:
            raise ModelFileError(
                f"{where}: {field} version mismatch: saved with {saved}, running {running}; refit"
            )


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        root = module.split(".", 1)[0]
        if root in _ALLOWED_ROOTS or (module == "builtins" and name in _ALLOWED_BUILTINS):
            return super().find_class(module, name)
        raise ModelFileError(f"payload references a disallowed global {module}.{name}")


def load_model(
    path: str | os.PathLike[str],
    *,
    trusted_dir: str | os.PathLike[str],
    key: bytes | None = None,
    expect: type | None = None,
) -> tuple[Any, dict[str, Any]]:
    """The model and its ``meta`` saved by :func:`save_model`, after every rule in the module
    docstring; any broken rule raises ``ModelFileError`` naming it, before unpickling. The
    payload must be an ``expect`` instance (default: anything with ``fit`` and
    ``decision_function``)."""
    data = _read_trusted(path, trusted_dir)
    where = str(path)
    header, payload = _parse_header(where, data)
    _check_contents(where, header, payload, key)
    try:
        model = _Unpickler(io.BytesIO(payload)).load()
    except ModelFileError:
        raise
    except Exception as exc:
        raise ModelFileError(f"{where}: payload does not unpickle: {exc}") from exc
    if expect is not None:
        if not isinstance(model, expect):
            raise ModelFileError(
                f"{where}: payload is a {type(model).__name__}, not a {expect.__name__}"
            )
    elif not (
        callable(getattr(model, "fit", None))
        and callable(getattr(model, "decision_function", None))
    ):
        raise ModelFileError(f"{where}: payload is a {type(model).__name__}, not a detector")
    meta = header.get("meta")
    return model, dict(meta) if isinstance(meta, dict) else {}
