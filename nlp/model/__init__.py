"""Transformer-side code: the embedded default encoder (`encoder`), the predictor interfaces
that models and baselines share (`interfaces`) and the windowing of long paragraphs
(`windows`). The package imports none of them, so `import nlp.model.<x>` pays only for <x>."""
