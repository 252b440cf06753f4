"""The predictors: the interfaces they share (`interfaces`), the NER tagger (`ner`, with
`chars`, `windows` and `hints`), the policy-area classifiers (`areas`: the decision rule;
`areas_encoder`, `areas_tfidf`, `pooling`), the Hugging Face plumbing (`hf`), loading a saved
predictor by kind (`registry`) and the embedded default encoder (`encoder`). The package
imports none of them, so `import nlp.model.<x>` pays only for <x>."""
