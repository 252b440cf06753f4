"""Loading YAML run configs: parse, apply `--set` overrides, check against the schema.

A config file names its kind with the top-level key `task`: `ner`, `areas`, `tfidf` (training
and evaluation) or `predict` (batch inference); each kind's schema is in nlp.config.schema. A
config is checked against it before any work starts, so that a typo or a missing file stops
the run at once with a `ConfigError` naming the file and the dotted key, e.g.
`configs/ner.yaml: training.epochs: expected int, got 'ten'`.

Overrides (`--set training.epochs=3`) address any key by its dotted path; the value is parsed
as a YAML scalar (`3` -> int, `true` -> bool, `[a, b]` -> list, `null` -> None).

Paths: a relative path written in the config file is resolved against the file's folder, so a
config works from any directory (the shipped configs say `../models/ner`); a path given with
`--set`, and a schema default, is resolved against the current directory, as a path typed on a
command line is. Paths are stored absolute. Input paths (gold folder, splits file, extra BIO
files) must exist when the config is loaded. A model reference (`model.name_or_path`,
`ner.path`, …) is a local folder, or else a Hugging Face hub id such as `bert-base-chinese`
(accepted without a network check, loading it needs the hub or its cache): see `_model_ref`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml

from nlp.config.errors import ConfigError, _KeyError
from nlp.config.schema import SCHEMAS, AreasConfig, Config
from nlp.spec import AREA_LABELS, ENTITY_LABELS

log = logging.getLogger(__name__)

_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")

#: The policy-area model's old name, accepted for one release with a warning: `task: cls` in a
#: training config, the `cls:` section of a predict config (and `--set cls.…`).
DEPRECATED_AREAS = "cls"


@dataclass(frozen=True)
class _Origin:
    """Where the relative paths of a config resolve: values written in the file against the
    file's folder, values given with `--set` (the dotted keys in `overridden`, and everything
    under them) against the current directory."""

    file_dir: Path
    overridden: frozenset[str] = frozenset()

    def base(self, key: str) -> Path:
        if any(key == k or key.startswith((f"{k}.", f"{k}[")) for k in self.overridden):
            return Path.cwd()
        return self.file_dir


def load_config(
    path: str | Path, overrides: Sequence[str] = (), *, tasks: Sequence[str] | None = None
) -> Config:
    """Config of the YAML file at `path` with `overrides` ("dotted.key=value") applied.

    `tasks`, when given, are the kinds the caller accepts (e.g. TRAIN_TASKS or ("predict",));
    a file of another kind is an error. Raises ConfigError (naming the file and dotted key)."""
    source = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{source}: is a folder, not a config file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{source}: not a UTF-8 text file (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise ConfigError(f"{source}: cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: invalid YAML: {' '.join(str(exc).split())}") from None
    raw = {} if raw is None else raw
    try:
        if not isinstance(raw, dict):
            raise _KeyError("", f"expected a mapping at the top level, got {type(raw).__name__}")
        _rename_deprecated(raw, source)
        overridden = set()
        for item in overrides:
            if raw.get("task") == "predict" and item.startswith(f"{DEPRECATED_AREAS}."):
                log.warning("--set %s: the predict key %r is deprecated, write areas", item, DEPRECATED_AREAS)
                item = "areas" + item[len(DEPRECATED_AREAS):]
            overridden.add(_apply_override(raw, item))
        _rename_deprecated(raw, f"{source} (--set)")
        kind = raw.get("task")
        if kind not in SCHEMAS:
            raise _KeyError("task", f"expected one of {list(SCHEMAS)}, got {kind!r}")
        if tasks is not None and kind not in tasks:
            raise _KeyError("task", f"this command needs a config of task {' or '.join(tasks)}, got {kind!r}")
        config = _build(SCHEMAS[kind], raw, "", _Origin(Path(path).resolve().parent, frozenset(overridden)))
        config.check()
        if isinstance(config, AreasConfig) and config.blend.tfidf_config is not None:
            try:  # checked now, not after the encoder has trained
                load_config(config.blend.tfidf_config, tasks=("tfidf",))
            except ConfigError as exc:
                raise _KeyError("blend.tfidf_config", str(exc)) from None
    except _KeyError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return config


def _rename_deprecated(raw: dict, source: str) -> None:
    """`task: cls` -> `task: areas`, and a predict config's `cls` section -> `areas`, each
    with a warning; a file with both the old and the new section is an error."""
    if raw.get("task") == DEPRECATED_AREAS:
        log.warning("%s: task %r is deprecated, write task: areas", source, DEPRECATED_AREAS)
        raw["task"] = "areas"
    if raw.get("task") == "predict" and DEPRECATED_AREAS in raw:
        if "areas" in raw:
            raise _KeyError(DEPRECATED_AREAS, "is the deprecated name of `areas`; give only `areas`")
        log.warning("%s: the predict key %r is deprecated, write areas", source, DEPRECATED_AREAS)
        raw["areas"] = raw.pop(DEPRECATED_AREAS)


def parse_override(item: str) -> tuple[list[str], Any]:
    """("a.b.c=value") -> (["a", "b", "c"], value parsed as a YAML scalar or flow collection)."""
    key, sep, value = item.partition("=")
    if not sep or not key.strip() or any(not part for part in key.strip().split(".")):
        raise _KeyError(f"--set {item}", "expected dotted.key=value")
    try:
        parsed = yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError as exc:
        raise _KeyError(f"--set {item}", f"value is not valid YAML: {exc}") from None
    return key.strip().split("."), parsed


def _apply_override(raw: dict, item: str) -> str:
    """Sets the key of `item` in `raw`; returns the dotted key."""
    keys, value = parse_override(item)
    node = raw
    for depth, part in enumerate(keys[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise _KeyError(".".join(keys[: depth + 1]), f"is not a section, cannot set {'.'.join(keys)}")
        node = child
    node[keys[-1]] = value
    return ".".join(keys)


def _build(cls: type, raw: Any, prefix: str, origin: _Origin) -> Any:
    """Instance of dataclass `cls` from mapping `raw`; unknown keys and wrong types raise."""
    if not isinstance(raw, dict):
        raise _KeyError(prefix.rstrip("."), f"expected a mapping, got {raw!r}")
    hints = typing.get_type_hints(cls, include_extras=True)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in raw:
        if key not in names:
            raise _KeyError(f"{prefix}{key}", f"unknown key (expected one of: {', '.join(names)})")
    values = {}
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        where = origin
        if f.name in raw:
            value = raw[f.name]
        elif dataclasses.is_dataclass(hints[f.name]):
            value = {}  # a missing section: its own defaults apply
        elif f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            # Defaults go through the same checks as given values (a default input path must exist).
            value = _plain(f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default)
            where = _Origin(Path.cwd())  # a default is written in no file
        else:
            raise _KeyError(key, "required key is missing")
        values[f.name] = _convert(value, hints[f.name], key, where)
    return cls(**values)


def _convert(value: Any, hint: Any, key: str, where: _Origin) -> Any:
    """`value` checked against type `hint`, with paths resolved (see _Origin) and checked."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        if args[1] == "model":
            return _model_ref(_convert(value, args[0], key, where), where.base(key))
        return _convert_special(_convert(value, args[0], key, where), args[1], key)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, f"{key}.", where)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(value, inner, key, where)
    if origin is Literal:
        if value not in args:
            raise _KeyError(key, f"expected one of {list(args)}, got {value!r}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise _KeyError(key, f"expected a list, got {value!r}")
        return [_convert(v, args[0], f"{key}[{i}]", where) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _KeyError(key, f"expected a mapping, got {value!r}")
        return {_convert(k, args[0], key, where): _convert(v, args[1], f"{key}.{k}", where) for k, v in value.items()}
    return _convert_plain(value, hint, key, where.base(key))


def _convert_plain(value: Any, hint: type, key: str, base: Path) -> Any:
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        # PyYAML reads 5e-5 (no dot) as a string: accept numeric strings for floats only.
        float: isinstance(value, (int, float)) and not isinstance(value, bool) or _is_float_text(value),
        str: isinstance(value, str),
        Path: isinstance(value, str) and bool(value),
    }[hint]
    if not ok:
        raise _KeyError(key, f"expected {'path' if hint is Path else hint.__name__}, got {value!r}")
    if hint is float:
        return float(value)
    if hint is Path:
        return _resolve(value, base)
    return value


def _is_float_text(value: Any) -> bool:
    try:
        return isinstance(value, str) and float(value) is not None
    except ValueError:
        return False


def _resolve(value: str, base: Path) -> Path:
    """Absolute, with `..` folded (`configs/../models/ner` -> `models/ner`; symlinks kept)."""
    return Path(os.path.normpath(base / Path(value).expanduser()))


#: The bounded number kinds of the schema (nlp.config.schema: Count, NonNegative, Rate, Share).
_BOUNDS = {">0": (lambda v: v > 0, "> 0"), ">=0": (lambda v: v >= 0, ">= 0"), "0..1": (lambda v: 0 <= v <= 1, "in [0, 1]")}


def _convert_special(value: Any, kind: str, key: str) -> Any:
    if kind == "file" and not value.is_file():
        raise _KeyError(key, f"file not found: {value}")
    if kind == "dir" and not value.is_dir():
        raise _KeyError(key, f"folder not found: {value}")
    if kind in _BOUNDS and not _BOUNDS[kind][0](value):
        raise _KeyError(key, f"must be {_BOUNDS[kind][1]}, got {value!r}")
    if kind == "label" and value not in ENTITY_LABELS:
        raise _KeyError(key, f"unknown entity label {value!r} (expected one of: {', '.join(ENTITY_LABELS)})")
    if kind == "area" and value not in AREA_LABELS:
        raise _KeyError(key, f"unknown policy area {value!r} (expected one of: {', '.join(AREA_LABELS)})")
    return value


def _model_ref(value: str, base: Path) -> str:
    """A local folder (returned absolute) or a Hugging Face hub id (returned as written).

    A value names a local path when it is a folder, starts with `.`, `/` or `~`, starts under
    `models/` (where `nlp train` writes) or under an existing folder; anything else shaped like
    a hub id (`name` or `owner/name`) is one. A local path is returned whether or not it exists:
    whether a missing one is an error depends on the rest of the config (the schema's checks)."""
    local = _resolve(value, base)
    first = Path(value).parts[0]
    if local.is_dir() or first == "models" or (base / first).is_dir() or not _HUB_ID.fullmatch(value):
        return str(local)
    return value


def to_dict(config: Config) -> dict[str, Any]:
    """Plain, JSON-serialisable form (paths as strings) for nlp_model.json and reports."""
    return _plain(dataclasses.asdict(config))


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
