"""Speed and memory of the default pipeline on this machine; prints a Markdown table.

    .venv/bin/python bench/run.py [--repeat 24]

Measures: model load, a cold index build of the default corpus into a fresh folder, a no-op
re-index, and warm `retrieve` / `ask` latency over a fixed list of English and German questions.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag import RAG, Settings
from rag.answer import question_parts
from rag.embed import forget_queries

QUESTIONS = [
    "Why did the CSTO intervene in Kazakhstan?",
    "Wie viele Russen flohen vor der Teilmobilisierung nach Kasachstan?",
    "What fake news spread about a NATO facility in Almaty?",
    "Was sind die Jurten der Unbesiegbarkeit?",
    "How many foreign soldiers did the alliance send?",
    "Warum stiegen die Proteste in Kasachstan an?",
    "Who is Igor Krasnov?",
    "Wie reagierte das kasachische Außenministerium auf Sacharowa?",
    "How large is the ethnic Russian population of Kazakhstan?",
    "Welche Länder gehören der OVKS an?",
    # Two-part questions: each part is retrieved on its own too.
    "When did Tokayev ask the CSTO for help, and how many soldiers did it send?",
    "Wie viele Russen flohen nach Kasachstan, und welches Dokument brauchen sie für die Einreise?",
]
def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=24, help="warm ask() calls to time")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(index_dir=Path(tmp) / "chroma")
        rag = RAG(settings=settings)
        t = time.perf_counter()
        rag.embedder.embed(["warm-up"], "query")
        rows.append(("model load (first embed)", ms(time.perf_counter() - t)))
        stats = rag.index()
        rows.append(("index build, default corpus (cold)", f"{stats.seconds:.1f} s"))
        rows.append(("articles / chunks / sentences", f"{stats.articles} / {stats.chunks} / {stats.sentences}"))
        again = rag.index()
        rows.append(("re-index, nothing changed", f"{again.seconds:.2f} s ({again.added} embedded)"))
        t = time.perf_counter()
        rag.retrieve(QUESTIONS[0])
        rows.append(("first retrieve (loads BM25 + texts)", ms(time.perf_counter() - t)))
        retrieve_times: list[float] = []
        ask_times: list[float] = []
        one_part: list[float] = []
        two_part: list[float] = []
        # Recent query vectors are remembered; forgotten before each call, so every call embeds its question.
        for i in range(args.repeat):
            q = QUESTIONS[i % len(QUESTIONS)]
            forget_queries(rag.embedder)
            t = time.perf_counter()
            rag.retrieve(q)
            retrieve_times.append(time.perf_counter() - t)
            forget_queries(rag.embedder)
            t = time.perf_counter()
            rag.ask(q)
            ask_times.append(time.perf_counter() - t)
            (two_part if question_parts(q) else one_part).append(ask_times[-1])
        rows.append((f"retrieve, warm (median of {args.repeat})", ms(statistics.median(retrieve_times))))
        rows.append((f"ask, warm (median of {args.repeat})", ms(statistics.median(ask_times))))
        rows.append((f"ask, warm (max of {args.repeat})", ms(max(ask_times))))
        for name, times in (("one-part", one_part), ("two-part", two_part)):
            if times:
                rows.append((f"ask, warm, {name} questions (median of {len(times)})", ms(statistics.median(times))))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(("peak memory (RSS)", f"{peak:.0f} MB"))
    print(f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}\n")
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
