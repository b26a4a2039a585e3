"""Build the Danish spaCy pipeline that Rasa's SpacyNLP loads by path.

`da_core_news_sm` cannot be installed from PyPI, so the bot builds its own: spaCy's
Danish language (tokenizer rules, stop words) plus the lookup lemmatizer with the
Danish table from `spacy-lookups-data`. It has no word vectors; the NLU pipeline
gets its features from lemmas and character n-grams instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

PIPELINE_NAME = "da_herning"


def build_danish_pipeline(target: Path) -> Path:
    """Write the pipeline to `target` (replacing an older build) and return it."""
    import spacy

    nlp = spacy.blank("da")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup table from spacy-lookups-data
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["description"] = (
        "spaCy's Danish tokenizer with the lookup lemmatizer from spacy-lookups-data"
    )
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    return target


def lemmas(model: str, text: str) -> list:
    """Lemmas of `text` under the pipeline `model` (a path or an installed name)."""
    import spacy

    return [token.lemma_ for token in spacy.load(model)(text)]
