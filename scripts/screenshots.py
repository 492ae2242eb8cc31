"""Screenshots of the chat for the docs: `python scripts/screenshots.py` (headless Chromium, default index).

Starts the app on a free loopback port (building the default index first if there is none), asks one
English question and saves docs/screenshots/desktop.png (1280×900), mobile.png (390×844) and
article.png (the article viewer opened at the last cited passage, 1280×900).
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import ui  # noqa: E402
from rag import RAG  # noqa: E402

OUT = PROJECT / "docs" / "screenshots"
QUESTION = "Why did the CSTO intervene in Kazakhstan?"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
WAIT_MS = 120_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ask(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator(".rag-status")).to_contain_text("Index ready", timeout=WAIT_MS)
    box = page.locator("#rag-question textarea")
    box.fill(QUESTION)
    box.press("Enter")
    expect(page.locator('[data-testid="bot"] .rag-meta')).to_have_count(1, timeout=WAIT_MS)
    expect(page.locator("#rag-sources mark").first).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(600)  # let the layout settle


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rag = RAG()
    ui.ensure_index(rag)
    app = ui.build_app(rag)
    port = free_port()
    app.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
               footer_links=["api"])
    url = f"http://127.0.0.1:{port}/"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
            desktop = browser.new_page(viewport={"width": 1280, "height": 900})
            ask(desktop, url)
            desktop.screenshot(path=str(OUT / "desktop.png"))
            desktop.locator("#rag-open label").last.click()  # the last source: scrolled into the article
            expect(desktop.locator("#rag-viewer mark.rag-passage")).to_be_visible(timeout=WAIT_MS)
            desktop.wait_for_timeout(800)
            desktop.screenshot(path=str(OUT / "article.png"))
            mobile = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            ask(mobile, url)
            # the question at the top of the screen: the answer and its first source below it
            top = "document.querySelector('#rag-chat').getBoundingClientRect().top + window.scrollY - 8"
            mobile.evaluate(f"window.scrollTo(0, {top})")
            mobile.wait_for_timeout(400)
            mobile.screenshot(path=str(OUT / "mobile.png"))
            browser.close()
    finally:
        app.close()
    for name in ("desktop.png", "mobile.png", "article.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
