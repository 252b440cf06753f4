"""Machine reading of Chinese government work reports (政府工作报告).

Pipeline stages, one sub-package or module each:
ingest -> annotate -> rules (baseline) -> data -> model -> evaluate -> predict.
"""

from nlp._version import __version__

__all__ = ["__version__", "load"]


def load(*args, **kwargs):  # type: ignore[no-untyped-def]
    """`nlp.api.load`: a Reader over trained models (imported on first use: `import nlp` stays light)."""
    from nlp.api import load as _load

    return _load(*args, **kwargs)
