"""Loading a saved predictor by kind: the entity tagger or area classifier a config names
(a trained model folder, or a baseline), for `nlp evaluate`, `nlp predict` and `nlp bench`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PICKLED_WEIGHTS = ("pytorch_model.bin", "model.bin", "model.pt", "model.pth", "model.ckpt")


def check_weights(model_dir: Path) -> None:
    """Raises ValueError naming the file when a model folder's weights cannot be trusted or
    read: pickled weights only (a pickle runs code when loaded, so they are never loaded), or
    a model.safetensors that is truncated or damaged. Checked before anything else is read,
    so that the error names the file instead of a deserialiser's traceback."""
    from safetensors import safe_open

    model_dir = Path(model_dir)
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        pickled = [name for name in PICKLED_WEIGHTS if (model_dir / name).is_file()]
        if pickled:
            raise ValueError(f"{model_dir / pickled[0]}: pickled weights are not loaded (a pickle can run code); "
                             "save the model with save_pretrained(..., safe_serialization=True) to get model.safetensors")
        raise FileNotFoundError(f"{model_dir}: no model.safetensors in the model folder")
    for path in sorted(model_dir.glob("*.safetensors")):  # the encoder's, and a head of its own
        try:
            with safe_open(str(path), framework="pt") as handle:
                handle.keys()
        except Exception as exc:  # noqa: BLE001 - safetensors raises its own error types
            raise ValueError(f"{path}: unreadable weights, the file is damaged or truncated ({exc})") from None



def load_tagger(kind: str, path: Path | None = None, device: str = "auto", precision: str = "fp32") -> Any:
    """An EntityTagger: "rules" (no path) or "model" (a folder written by `nlp train`, run at
    `precision`, see nlp.model.precision)."""
    if kind == "rules":
        from nlp.rules.tagger import RuleTagger

        return RuleTagger()
    if kind == "model":
        from nlp.model.ner import NerTagger

        check_weights(Path(path))  # type: ignore[arg-type]
        return NerTagger.load(Path(path), device=device, precision=precision)  # type: ignore[arg-type]
    raise ValueError(f"unknown entity tagger kind {kind!r} (expected rules or model)")


def load_area_classifier(kind: str, path: Path, device: str = "auto", precision: str = "fp32") -> Any:
    """An AreaClassifier: "model" (transformer) or "tfidf", from a folder written by `nlp train`."""
    if kind == "model":
        from nlp.model.areas_encoder import EncoderAreaClassifier

        check_weights(Path(path))
        return EncoderAreaClassifier.load(Path(path), device=device, precision=precision)
    if kind == "tfidf":
        from nlp.model.areas_tfidf import TfidfAreaClassifier

        return TfidfAreaClassifier.load(Path(path))
    raise ValueError(f"unknown area classifier kind {kind!r} (expected model or tfidf)")
