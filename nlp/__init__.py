"""Machine reading of Chinese government work reports (政府工作报告).

Pipeline stages, one sub-package or module each:
ingest -> annotate -> rules (baseline) -> data -> model -> evaluate -> predict.
"""

__version__ = "0.1.0"
