"""One installed language pair, run directly with CTranslate2 and SentencePiece.

The ``argostranslate`` package would pull in PyTorch (with CUDA) and Stanza; the
models themselves need only these two small native libraries. Decoding follows what
Argos Translate does with the same models (beam 4, length penalty 0.2, unknown
tokens copied from the source), so translations match theirs.
"""

from __future__ import annotations

import ctranslate2
import sentencepiece

from nlu.translate.packages import MODEL_DIR, SENTENCEPIECE, InstalledPackage, PackageInfo
from nlu.translate.sentences import has_letters, join_sentences, split_sentences

BEAM_SIZE = 4
LENGTH_PENALTY = 0.2
MAX_BATCH = 32
MAX_INPUT_TOKENS = 400
# Output is bounded by the input's length too: a model stuck repeating itself stops early.
MAX_OUTPUT_TOKENS = 256
_WORD_MARK = "\u2581"  # SentencePiece's "a word starts here"


class PairModel:
    """Thread-safe: CTranslate2 queues concurrent batches, and SentencePiece encoding is read-only."""

    def __init__(self, package: InstalledPackage, threads: int = 1) -> None:
        self.info: PackageInfo = package.info
        self._pieces = sentencepiece.SentencePieceProcessor(model_file=str(package.path / SENTENCEPIECE))
        self._model = ctranslate2.Translator(
            str(package.path / MODEL_DIR),
            device="cpu",
            compute_type="default",  # as the package was quantised (int8 for published models)
            inter_threads=1,
            intra_threads=threads,
        )

    def translate(self, text: str) -> str:
        segments = split_sentences(text)
        outputs = [segment.text for segment in segments]
        wanted = [index for index, segment in enumerate(segments) if has_letters(segment.text)]
        if wanted:
            batch = [self._pieces.encode(segments[i].text, out_type=str)[:MAX_INPUT_TOKENS] for i in wanted]
            for index, translated in zip(wanted, self._run(batch), strict=True):
                # An empty output would silently drop the sentence; its original says more.
                outputs[index] = translated or segments[index].text
        return join_sentences([(out, seg.gap) for out, seg in zip(outputs, segments, strict=True)], self.info.target)

    def _run(self, batch: list[list[str]]) -> list[str]:
        prefix = self.info.target_prefix
        longest = max(len(tokens) for tokens in batch)
        results = self._model.translate_batch(
            batch,
            target_prefix=[[prefix]] * len(batch) if prefix else None,
            beam_size=BEAM_SIZE,
            length_penalty=LENGTH_PENALTY,
            replace_unknowns=True,
            max_batch_size=MAX_BATCH,
            max_decoding_length=min(MAX_OUTPUT_TOKENS, 2 * longest + 16),
        )
        return [self._detokenize(result.hypotheses[0]) for result in results]

    def _detokenize(self, tokens: list[str]) -> str:
        prefix = self.info.target_prefix
        if prefix and tokens and tokens[0] == prefix:
            tokens = tokens[1:]
        # Joined by hand as Argos does: copied source tokens need not be in the target vocabulary.
        return "".join(tokens).replace(_WORD_MARK, " ").strip()
