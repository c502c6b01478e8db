"""A tiny but real Argos Translate package, built here (nothing can be downloaded).

The weights are random, so translations are gibberish; everything around them (the
zip, metadata.json, CTranslate2's model folder, SentencePiece) is the real format.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import ctranslate2
import numpy as np
import sentencepiece

CORPUS = [
    "There is a big pothole on Main Street.",
    "The street light in front of my house is broken.",
    "Nobody picked up the trash this week.",
    "Someone painted graffiti on the school wall.",
    "A tree fell across the road after the storm.",
    "Water is leaking from the fire hydrant.",
    "Hay un bache enorme en la calle Main.",
    "La luz de la calle está rota desde el lunes.",
    "No recogieron la basura esta semana.",
    "Hay grafitis en la pared de la escuela.",
    "Có một ổ gà lớn trên đường Main.",
    "Đèn đường trước nhà tôi bị hỏng.",
    "Rác chưa được thu gom tuần này.",
    "主街上有一个大坑。",
    "我家门口的路灯坏了。",
    "这周没有人收垃圾。",
]
PREFIXES = ["__en__", "__es__", "__vi__"]  # for packages that steer a multilingual model
_SPECIALS = ["<blank>", "<unk>", "<s>", "</s>"]
_WIDTH, _FFN = 16, 32


def build_model_files(folder: Path, seed: int = 7) -> Path:
    """Writes sentencepiece.model and a one-layer CTranslate2 transformer under folder/model."""
    trained = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS * 3),
        model_writer=trained,
        vocab_size=120,
        hard_vocab_limit=False,
        character_coverage=1.0,
        minloglevel=2,
    )
    (folder / "sentencepiece.model").write_bytes(trained.getvalue())
    pieces = sentencepiece.SentencePieceProcessor(model_proto=trained.getvalue())
    learned = [pieces.id_to_piece(i) for i in range(pieces.get_piece_size())]
    vocabulary = _SPECIALS + PREFIXES + [p for p in learned if p not in ("<unk>", "<s>", "</s>")]

    spec = ctranslate2.specs.TransformerSpec.from_config(1, 2)
    rng = np.random.default_rng(seed)
    for name, value in spec.variables().items():
        if value is None:
            _assign(spec, name, _random_weight(name, len(vocabulary), rng))
    # Never end early nor emit a language token: every hypothesis runs to its length limit.
    bias = np.zeros(len(vocabulary), dtype=np.float32)
    bias[[vocabulary.index(token) for token in ["</s>", "<blank>", *PREFIXES]]] = -1e4
    spec.decoder.projection.bias = bias
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize()
    (folder / "model").mkdir(parents=True, exist_ok=True)
    spec.save(str(folder / "model"))
    return folder


def make_archive(
    model_files: Path,
    destination: Path,
    source: str,
    target: str,
    version: str = "1.0",
    *,
    folder: str | None = "translate-{source}_{target}-{version}",
    target_prefix: str = "",
) -> Path:
    """Zips the model as a published .argosmodel: one folder holding metadata.json, model/, sentencepiece.model."""
    metadata = {
        "package_version": version,
        "argos_version": "1.9",
        "from_code": source,
        "from_name": source.upper(),
        "to_code": target,
        "to_name": target.upper(),
    }
    if target_prefix:
        metadata["target_prefix"] = target_prefix
    top = "" if folder is None else folder.format(source=source, target=target, version=version).replace(".", "_") + "/"
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as bundle:
        if top:
            bundle.writestr(top, "")
        bundle.writestr(top + "metadata.json", json.dumps(metadata))
        bundle.writestr(top + "README.md", f"Test model {source} -> {target}\n")
        for path in sorted(model_files.rglob("*")):
            if path.is_file():
                bundle.write(path, top + path.relative_to(model_files).as_posix())
    return destination


def _random_weight(name: str, vocabulary: int, rng: np.random.Generator) -> np.ndarray:
    if name.endswith("gamma"):
        shape: tuple[int, ...] = (_WIDTH,)
        return np.ones(shape, dtype=np.float32)
    if name.endswith("beta"):
        return np.zeros((_WIDTH,), dtype=np.float32)
    if "embeddings" in name or "projection" in name:
        shape = (vocabulary, _WIDTH)
    elif "ffn/linear_0" in name:
        shape = (_FFN, _WIDTH)
    elif "ffn/linear_1" in name:
        shape = (_WIDTH, _FFN)
    elif "self_attention/linear_0" in name:
        shape = (3 * _WIDTH, _WIDTH)  # fused query, key and value
    elif "/attention/linear_1" in name:
        shape = (2 * _WIDTH, _WIDTH)  # encoder-decoder attention: fused key and value
    else:
        shape = (_WIDTH, _WIDTH)
    return rng.normal(0.0, 0.5, shape).astype(np.float32)


def _assign(spec: object, name: str, value: np.ndarray) -> None:
    # "decoder/layer_0/ffn/linear_0/weight": "layer_0" is item 0 of the list "layer".
    *path, leaf = name.split("/")
    node = spec
    for part in path:
        if hasattr(node, part):
            node = getattr(node, part)
        else:
            base, _, number = part.rpartition("_")
            node = getattr(node, base)[int(number)]
    setattr(node, leaf, value)
