"""The PNG plots of evaluation reports and target tracking (matplotlib's Agg backend, so that no
display is needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

#: Font families that hold the Chinese glyphs of region and indicator names, best first
#: (Debian's fonts-noto-cjk gives the first; the others are what Windows, macOS and older Linux have).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans", "SimHei", "Microsoft YaHei", "PingFang", "WenQuanYi")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def use_cjk_font() -> bool:
    """Puts an installed CJK font first in matplotlib's sans-serif list, so that charts can show
    Chinese names; False (and no change) when none is installed, where callers label with codes
    and English names instead of boxes."""
    from matplotlib import font_manager, rcParams

    manager = font_manager.fontManager
    found = _first_cjk(manager)
    if found is None:  # matplotlib's font cache predates the fonts (installed after its first run)
        known = {f.fname for f in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # a font file FreeType cannot read: not ours to fix
                    continue
        found = _first_cjk(manager)
    if found is None:
        return False
    rcParams["font.sans-serif"] = [found, *[n for n in rcParams["font.sans-serif"] if n != found]]
    rcParams["axes.unicode_minus"] = False
    return True


def _first_cjk(manager) -> str | None:
    names = sorted({f.name for f in manager.ttflist})
    return next((n for want in CJK_FONTS for n in names if n.startswith(want)), None)


def f1_bars(scores: dict[str, dict[str, float]], path: Path, title: str) -> Path:
    """Grouped bars of F1 per label, one bar per system (e.g. model vs baseline)."""
    import numpy as np

    plt = _pyplot()
    labels = list(next(iter(scores.values())))
    x = np.arange(len(labels))
    width = 0.8 / len(scores)
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(labels) + 2), 4))
    for i, (system, values) in enumerate(scores.items()):
        ax.bar(x + (i - (len(scores) - 1) / 2) * width, [values[lab] for lab in labels], width, label=system)
    ax.set_xticks(x, labels, rotation=45 if len(labels) > 6 else 0, ha="right" if len(labels) > 6 else "center")
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)


def confusion_matrices(
    pairs: dict[str, tuple[Sequence[str], Sequence[str]]], labels: Sequence[str], path: Path
) -> Path:
    """One confusion matrix (rows gold, columns predicted; counts) per system, side by side."""
    import numpy as np

    plt = _pyplot()
    index = {label: i for i, label in enumerate(labels)}
    fig, axes = plt.subplots(1, len(pairs), figsize=(6.5 * len(pairs), 6), squeeze=False)
    for ax, (system, (gold, pred)) in zip(axes[0], pairs.items()):
        matrix = np.zeros((len(labels), len(labels)), dtype=int)
        for g, p in zip(gold, pred):
            matrix[index[g], index[p]] += 1
        ax.imshow(matrix, cmap="Blues")
        for (i, j), count in np.ndenumerate(matrix):
            if count:
                ax.text(j, i, str(count), ha="center", va="center",
                        color="white" if count > matrix.max() / 2 else "black", fontsize=8)
        ax.set_xticks(range(len(labels)), labels, rotation=90)
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted primary area")
        ax.set_ylabel("gold primary area")
        ax.set_title(f"{system}: accuracy {np.trace(matrix) / max(matrix.sum(), 1):.2f}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)


def target_vs_actual(points: Sequence[dict], path: Path, title: str) -> Path:
    """Target and actual of one indicator of one region over the years (a tracking series):
    the target as a bar from value to value_to for ranges, the actual as a line."""
    plt = _pyplot()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(points) + 3), 3.8))
    years = [p["year"] for p in points]
    targets = [(p["year"], float(p["target_value"]), float(p["target_value_to"] or p["target_value"]))
               for p in points if p["target_value"] not in ("", None)]
    actuals = [(p["year"], float(p["actual_value"])) for p in points if p["actual_value"] not in ("", None)]
    if targets:
        ax.vlines([t[0] for t in targets], [min(t[1:]) for t in targets], [max(t[1:]) for t in targets],
                  colors="tab:orange", linewidth=6, alpha=0.6)
        ax.plot([t[0] for t in targets], [t[1] for t in targets], "o", color="tab:orange", label="target")
    if actuals:
        ax.plot([a[0] for a in actuals], [a[1] for a in actuals], "-s", color="tab:blue", label="actual")
    ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 8 else 0)
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def stage_bars(seconds: dict[str, float], path: Path, title: str) -> Path:
    """Horizontal bars of seconds per stage (nlp bench's breakdown of the predict path)."""
    plt = _pyplot()
    names = list(seconds)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(names) + 1.2))
    ax.barh(names[::-1], [seconds[n] for n in names][::-1], color="tab:blue")
    for i, name in enumerate(names[::-1]):
        ax.text(seconds[name], i, f" {seconds[name]:.2f} s", va="center")
    ax.set_xlabel("seconds")
    ax.set_title(title)
    ax.set_xlim(0, max(seconds.values() or [1]) * 1.25 or 1)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)
