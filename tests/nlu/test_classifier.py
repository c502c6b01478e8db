"""The character n-gram classifier: training, saving, loading and fast prediction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlu.classifier import TextClassifier

EXAMPLES = [
    ("big pothole on main st", "road"), ("hole in the road", "road"), ("bache enorme en la calle", "road"),
    ("路面有个大坑", "road"), ("яма на дороге", "road"), ("crater in the street", "road"),
    ("twou nan lari a", "road"), ("butas sa kalsada", "road"), ("ổ gà trên đường", "road"),
    ("streetlight out", "light"), ("the lamp post is dark", "light"), ("farola apagada", "light"),
    ("路灯不亮", "light"), ("не горит фонарь", "light"), ("light pole is out again", "light"),
    ("limyè lari a etenn", "light"), ("patay ang ilaw sa poste", "light"), ("đèn đường bị hư", "light"),
    ("rats everywhere", "rodents"), ("ratas en el patio", "rodents"), ("老鼠很多", "rodents"),
    ("крысы во дворе", "rodents"), ("saw a rat near the trash", "rodents"), ("rat nan lakou a", "rodents"),
    ("maraming daga", "rodents"), ("có chuột", "rodents"), ("mice and rats in the alley", "rodents"),
]  # fmt: skip


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    texts, labels = zip(*EXAMPLES, strict=True)
    return TextClassifier.fit(list(texts) * 2, list(labels) * 2)


@pytest.mark.parametrize(
    "text",
    ["pothole on elm", "路灯坏了", "ratas!!", "", "   ", "x", "🙂", "a b  c", "ÉNORME BACHE", "яма " * 300],
)
def test_fast_prediction_equals_scikit_learn(model: TextClassifier, text: str) -> None:
    logits = model.sklearn_logits([text])[0] / model.temperature
    expected = np.exp(logits - logits.max())
    expected /= expected.sum()
    predicted = dict(model.predict(text).ranked)
    assert [predicted[label] for label in model.labels] == pytest.approx(list(expected), abs=1e-3)


def test_learns_and_ranks_every_label(model: TextClassifier) -> None:
    prediction = model.predict("there is a huge hole in the road")
    assert prediction.label == "road"
    assert [label for label, _ in prediction.ranked][0] == "road"
    assert sorted(label for label, _ in prediction.ranked) == ["light", "road", "rodents"]
    assert sum(p for _, p in prediction.ranked) == pytest.approx(1.0, abs=1e-3)


def test_save_and_load_give_the_same_predictions(model: TextClassifier, tmp_path: Path) -> None:
    model.save(tmp_path / "m")
    loaded = TextClassifier.load(tmp_path / "m")
    assert loaded.labels == model.labels and loaded.temperature == model.temperature
    for text in ("farola apagada en la esquina", "老鼠", "hole"):
        assert loaded.predict(text) == model.predict(text)
    assert not any(p.suffix == ".pkl" for p in (tmp_path / "m").iterdir())


def test_accents_are_folded_unless_asked_not_to() -> None:
    texts = ["café crème", "cafe creme", "niño", "nino"]
    folded = TextClassifier.fit(texts * 3, ["a", "a", "b", "b"] * 3, calibrate=False)
    assert folded.predict("CAFÉ").label == "a" and folded.predict("NIÑO").label == "b"
    kept = TextClassifier.fit(texts * 3, ["a", "a", "b", "b"] * 3, calibrate=False, fold_accents=False)
    assert kept.fold_accents is False


def test_temperature_is_fitted(model: TextClassifier) -> None:
    assert 0.05 <= model.temperature <= 20.0 and model.temperature != 1.0
