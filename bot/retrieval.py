"""Passage retrieval over the two policy texts: a second signal beside the classifier.

The texts themselves (`data/knowledge/policy_texts/<document id>.txt`, verbatim copies
of the sources) are split into paragraphs; a paragraph belongs to the section whose
heading (`heading:` in sections.yml) came last before it, and where two sections share
a heading ("Sundhedsfremme") to the one whose answer shares the most words with it.
Each section's own title and answer are passages too. BM25 (the `bm25s` library)
over Danish Snowball stems (`PyStemmer`) scores a message against every passage; a
section scores as its best passage. A question put in the policy's own words ("en
koordineret, kvalificeret og målrettet indsats") then finds its section even when no
training example is like it. `bot.intent_model` weighs these scores in.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Pattern, Sequence, Tuple

import numpy as np

TEXTS_DIR = "policy_texts"
ENGLISH_TERMS = "english_terms.yml"  # English words of the policy's subjects, in Danish
_WORD = re.compile(r"[^\W\d_]+")
_BULLET = re.compile(r"\n\s*•\s*")


# ASCII spellings of the Danish letters, read back ("boern" -> "børn"); not folded the
# other way, which would make "får" (gets) and "far" (father) one word.
_DIGRAPHS = (("ae", "æ"), ("oe", "ø"), ("aa", "å"))


def _stop_words() -> frozenset:
    from spacy.lang.da.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _danish(word: str) -> str:
    for ascii_spelling, letter in _DIGRAPHS:
        word = word.replace(ascii_spelling, letter)
    return word


@dataclass
class PolicyIndex:
    """BM25 over the policy's passages; `scores(text)` per section id."""

    section_ids: List[str]
    passage_sections: np.ndarray  # passage -> column in section_ids
    retriever: Any
    stemmer: Any
    stop_words: frozenset
    english: Dict[str, str] = field(default_factory=dict)
    english_pattern: Optional[Pattern[str]] = field(default=None, repr=False)

    def in_danish(self, text: str) -> str:
        """`text` with the English terms of the policy's subjects put in Danish, when
        it reads as English (a Danish message keeps its loan words: "support")."""
        from bot.text import looks_english

        if self.english_pattern is None or not looks_english(text):
            return text
        return self.english_pattern.sub(lambda m: self.english[m.group(1)], text.lower())

    def tokens(self, text: str) -> List[str]:
        words = [_danish(w) for w in _WORD.findall((text or "").lower())]
        words = [w for w in words if w not in self.stop_words]
        return [s for s in self.stemmer.stemWords(words) if len(s) > 1]

    def scores(self, text: str) -> Dict[str, float]:
        """log(1 + best BM25 score of the section's passages) for every section."""
        query = [t for t in self.tokens(self.in_danish(text or ""))
                 if t in self.retriever.vocab_dict]
        best = np.zeros(len(self.section_ids))
        if query:
            per_passage = self.retriever.get_scores(query)
            np.maximum.at(best, self.passage_sections, per_passage)
        return {sid: math.log1p(float(v)) for sid, v in zip(self.section_ids, best, strict=True)}


def paragraphs(text: str) -> List[str]:
    """Paragraphs (blank-line separated), bullets as paragraphs of their own."""
    parts: List[str] = []
    for block in re.split(r"\n\s*\n", text):
        parts.extend(p.strip() for p in _BULLET.split("\n" + block) if p.strip())
    return parts


HEADING_BONUS = 2  # words a paragraph's own heading is worth when it is assigned


def assign(paras: Sequence[str], sections: Sequence[Tuple[str, str, str]],
           tokens: Callable[[str], List[str]]) -> List[Tuple[str, str]]:
    """(section id, paragraph) pairs; `sections` are (id, heading, answer) of one text.

    A paragraph goes to the section with which it shares the most stems (title and
    answer), its heading's sections counting `HEADING_BONUS` more: the texts repeat
    their content under other headings (the accessible copy of the policy, the
    introduction), so the heading alone misplaces whole pages.
    """
    headings: Dict[str, List[str]] = {h.strip().rstrip(":"): [] for _, h, _ in sections}
    for sid, heading, _ in sections:
        headings[heading.strip().rstrip(":")].append(sid)
    vocab = {sid: set(tokens(answer)) for sid, _, answer in sections}
    current: List[str] = []
    pairs = []
    for para in paras:
        key = para.strip().rstrip(":")
        if key in headings:
            current = headings[key]
            continue
        words = set(tokens(para))
        if not words:
            continue
        score = {sid: len(words & vocab[sid]) + (HEADING_BONUS if sid in current else 0)
                 for sid in vocab}
        best = max(score, key=lambda sid: score[sid])
        if score[best] > 0:
            pairs.append((best, para))
    return pairs


def build_index(knowledge: Any, knowledge_dir: Path) -> PolicyIndex:
    """The index over `knowledge`'s sections and the texts in `knowledge_dir`."""
    import bm25s
    import Stemmer

    sections = list(knowledge.sections.values())
    index = PolicyIndex([s.id for s in sections], np.zeros(0, dtype=int), None,
                        Stemmer.Stemmer("danish"), _stop_words())
    pairs = [(s.id, f"{s.title}. {s.answer}") for s in sections]
    for document in {s.document.id for s in sections}:
        path = knowledge_dir / TEXTS_DIR / f"{document}.txt"
        if path.exists():
            own = [(s.id, s.heading, f"{s.title}. {s.answer}") for s in sections
                   if s.document.id == document]
            pairs += assign(paragraphs(path.read_text(encoding="utf-8")), own, index.tokens)
    column = {sid: i for i, sid in enumerate(index.section_ids)}
    index.passage_sections = np.array([column[sid] for sid, _ in pairs])
    retriever = bm25s.BM25()
    retriever.index([index.tokens(text) for _, text in pairs], show_progress=False)
    index.retriever = retriever
    index.english = english_terms(knowledge_dir / ENGLISH_TERMS)
    if index.english:  # longest first: "special school" before "school"
        terms = sorted(index.english, key=len, reverse=True)
        index.english_pattern = re.compile(
            r"\b(" + "|".join(re.escape(t) for t in terms) + r")\b")
    return index


def english_terms(path: Path) -> Dict[str, str]:
    """{english term: danish words} from `path` (none when the file is missing)."""
    import yaml

    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    terms = raw.get("terms") if isinstance(raw, dict) else None
    if not isinstance(terms, dict):
        raise ValueError(f"{path}: 'terms' must map English terms to Danish words")
    return {str(k).strip().lower(): str(v) for k, v in terms.items() if str(k).strip()}
