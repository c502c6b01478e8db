"""The Translator on a real (tiny, random) model: direct, through English, cached, and never raising."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from nlu.translate import Translation, Translator, install_package
from nlu.translate import translator as translator_module
from nlu.translate.engine import PairModel
from nlu.translate.packages import InstalledPackage
from tests.nlu.translate.conftest import MakeArchive

REPORT = "Hay un bache enorme en la calle Main. La luz de la calle está rota."


def test_translates_with_a_direct_model(models_root: Path) -> None:
    result = Translator(models_root).translate(REPORT, "es", "en")
    assert result.translated and result.needed and result.via is None
    assert (result.source, result.target) == ("es", "en")
    assert result.text.strip() and result.text != REPORT  # gibberish, from a random model


def test_a_second_request_is_served_from_the_cache(models_root: Path) -> None:
    translator = Translator(models_root)
    first = translator.translate(REPORT, "es", "en")
    again = translator.translate(REPORT, "ES ", "en")  # codes are normalised
    assert again is first
    assert (translator.cache_info().hits, translator.cache_info().misses) == (1, 1)


def test_the_cache_is_bounded(models_root: Path) -> None:
    translator = Translator(models_root, cache_size=2)
    for word in ["uno", "dos", "tres"]:
        translator.translate(word, "es", "en")
    assert translator.cache_info().size == 2
    translator.translate("uno", "es", "en")  # evicted first, so computed again
    assert translator.cache_info().misses == 4


def test_goes_through_english_without_a_direct_model(models_root: Path) -> None:
    translator = Translator(models_root)
    result = translator.translate(REPORT, "es", "vi")
    assert result.translated and result.via == "en" and result.text.strip()
    assert [p.info.pair for p in translator.route("es", "vi") or ()] == [("es", "en"), ("en", "vi")]
    assert translator.pairs() == [("en", "vi"), ("es", "en")]


@pytest.mark.parametrize(("source", "target"), [("fr", "ko"), ("vi", "es"), ("en", "es")])
def test_a_missing_model_returns_the_text_as_written(models_root: Path, source: str, target: str) -> None:
    translator = Translator(models_root)
    assert translator.translate(REPORT, source, target) == Translation(REPORT, source, target, translated=False)
    assert not translator.can_translate(source, target)


def test_nothing_to_translate(models_root: Path) -> None:
    translator = Translator(models_root)
    assert translator.translate(REPORT, "es", "es") == Translation(REPORT, "es", "es", translated=False, needed=False)
    assert translator.translate("311-0042 !!", "es", "en").needed is False
    assert translator.translate("", "es", "en").needed is False


def test_too_long_a_text_is_passed_on_untranslated(models_root: Path) -> None:
    result = Translator(models_root, max_chars=50).translate(REPORT, "es", "en")
    assert result == Translation(REPORT, "es", "en", translated=False)


def test_no_folder_at_all_is_no_error(tmp_path: Path) -> None:
    translator = Translator(tmp_path / "nothing-installed")
    assert translator.translate(REPORT, "es", "en").translated is False and translator.pairs() == []


def test_a_model_that_fails_to_load_is_reported_not_raised(
    argos_archive: MakeArchive, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    install_package(argos_archive("es", "en"), tmp_path)
    (tmp_path / "es-en" / "model" / "model.bin").write_bytes(b"damaged after installation")
    translator = Translator(tmp_path)
    assert translator.translate(REPORT, "es", "en") == Translation(REPORT, "es", "en", translated=False)
    assert translator.translate("Otra frase.", "es", "en").translated is False  # not loaded again
    assert sum("does not load" in record.getMessage() for record in caplog.records) == 1


def test_a_failing_translation_is_reported_not_raised(models_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: PairModel, text: str) -> str:
        raise RuntimeError("out of memory")

    monkeypatch.setattr(PairModel, "translate", broken)
    assert Translator(models_root).translate(REPORT, "es", "en").translated is False


def test_multilingual_models_are_steered_by_their_target_prefix(argos_archive: MakeArchive, tmp_path: Path) -> None:
    install_package(argos_archive("en", "vi", target_prefix="__vi__"), tmp_path)
    result = Translator(tmp_path).translate("The street light is broken.", "en", "vi")
    assert result.translated and result.text.strip() and "__vi__" not in result.text


def test_models_load_once_and_lazily_under_concurrent_use(models_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[InstalledPackage] = []

    class CountingModel(PairModel):
        def __init__(self, package: InstalledPackage, threads: int = 1) -> None:
            loads.append(package)
            super().__init__(package, threads)

    monkeypatch.setattr(translator_module, "PairModel", CountingModel)
    translator = Translator(models_root)
    assert loads == []
    results: list[tuple[str, Translation]] = []
    texts = [f"La calle número {n % 4} tiene un bache." for n in range(16)]

    def work(text: str) -> None:
        results.append((text, translator.translate(text, "es", "vi")))

    threads = [threading.Thread(target=work, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 16 and all(r.translated and r.via == "en" for _, r in results)
    assert sorted(p.info.pair for p in loads) == [("en", "vi"), ("es", "en")]
    outputs = {text: {r.text for t, r in results if t == text} for text in texts}
    assert all(len(seen) == 1 for seen in outputs.values())  # decoding is deterministic, threads or not


def test_reload_sees_a_newly_installed_model(argos_archive: MakeArchive, tmp_path: Path) -> None:
    translator = Translator(tmp_path)
    assert translator.translate(REPORT, "es", "en").translated is False
    install_package(argos_archive("es", "en", "1.0"), tmp_path)
    assert translator.translate(REPORT, "es", "en").translated is False  # the installed set is read once
    translator.reload()
    assert translator.translate(REPORT, "es", "en").translated is True
