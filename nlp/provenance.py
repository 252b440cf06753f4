"""What produced a result: the commit, the date and the package versions, recorded in every
model folder (nlp_model.json) and evaluation report (metrics.json, report.md), so that a
figure can be traced to the code and libraries that gave it."""

from __future__ import annotations

import datetime as _dt
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from nlp._version import __version__

PACKAGES = ("torch", "transformers", "datasets", "seqeval", "scikit-learn", "numpy", "safetensors")


def git_commit(folder: Path | None = None) -> str | None:
    """The checked-out commit of the project's source tree (with `+dirty` when files differ
    from it), None outside a git checkout (an installed wheel)."""
    folder = folder or Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "") if commit else None


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages results depend on (None: not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version(), "nlp": __version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def provenance(**extra: Any) -> dict[str, Any]:
    """{commit, date, packages, **extra} (extra: e.g. the training seed)."""
    return {"commit": git_commit(), "date": _dt.datetime.now().isoformat(timespec="seconds"),
            "packages": package_versions(), **extra}
