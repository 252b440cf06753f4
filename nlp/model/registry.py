"""Loading a saved predictor by kind: the entity tagger or area classifier a config names
(a trained model folder, or a baseline), for `nlp evaluate`, `nlp predict` and `nlp bench`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PICKLED_WEIGHTS = ("pytorch_model.bin", "model.bin", "model.pt", "model.pth", "model.ckpt")


def model_folder(ref: str | Path) -> Path:
    """The local folder of a model reference: a folder as it is, or a Hugging Face hub id
    (`owner/name`) as its snapshot in the hub cache, downloaded when the hub can be reached
    (huggingface_hub falls back to the cache when it cannot, and HF_HUB_OFFLINE=1 never asks).
    A hub id that is neither cached nor reachable is an error naming it."""
    path = Path(ref)
    if path.is_dir():
        return path
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError

    try:
        return Path(snapshot_download(repo_id=str(ref)))
    except HFValidationError:
        raise FileNotFoundError(f"{ref}: no such model folder (and not a Hugging Face hub id)") from None
    except Exception as exc:  # noqa: BLE001 - network, missing repo, gated repo: all say the same to a user
        raise FileNotFoundError(
            f"{ref}: not a local folder, and the Hugging Face hub gave no copy of it ({type(exc).__name__}); "
            f"download it where the hub can be reached (`hf download {ref}`) or give the folder's path") from None


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



def load_tagger(kind: str, path: str | Path | None = None, device: str = "auto", precision: str = "fp32") -> Any:
    """An EntityTagger: "rules" (no path) or "model" (a folder written by `nlp train` or its
    hub id, run at `precision`, see nlp.model.precision)."""
    if kind == "rules":
        from nlp.rules.tagger import RuleTagger

        return RuleTagger()
    if kind == "model":
        from nlp.model.ner import NerTagger

        folder = model_folder(path)  # type: ignore[arg-type]
        check_weights(folder)
        return NerTagger.load(folder, device=device, precision=precision)
    raise ValueError(f"unknown entity tagger kind {kind!r} (expected rules or model)")


def load_area_classifier(kind: str, path: str | Path, device: str = "auto", precision: str = "fp32") -> Any:
    """An AreaClassifier: "model" (transformer) or "tfidf", from a folder written by `nlp train`
    or its hub id."""
    if kind == "model":
        from nlp.model.areas_encoder import EncoderAreaClassifier

        folder = model_folder(path)
        check_weights(folder)
        return EncoderAreaClassifier.load(folder, device=device, precision=precision)
    if kind == "tfidf":
        from nlp.model.areas_tfidf import TfidfAreaClassifier

        return TfidfAreaClassifier.load(model_folder(path))
    raise ValueError(f"unknown area classifier kind {kind!r} (expected model or tfidf)")
