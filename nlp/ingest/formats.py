"""Text out of the formats reports are published in: PDF (pdfplumber), web pages (the
standard library's html.parser) and Word .docx (python-docx).

Each extractor turns the file's bytes into one plain text, which is the unit's raw text:
every offset ingestion records (raw_start, raw_map) points into exactly this string, so
`extract_text(path)` gives back what the offsets refer to. The extractors only choose which
text of the file to keep (no page numbers, no site chrome); cleaning (nlp.ingest.clean)
then works on it as on a .txt file, PDF line breaks included."""

from __future__ import annotations

import io
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from nlp.ingest.clean import TERMINAL
from nlp.ingest.decode import decode_bytes


class ExtractError(ValueError):
    """A file its format's library cannot read (damaged, encrypted, no text layer)."""


# --- PDF -----------------------------------------------------------------------------------

#: A page-number line: `- 3 -`, `— 3 —`, `3`, `第3页`, `3/20`, `第 3 页 共 20 页`.
PAGE_NUMBER = re.compile(r"[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?\s*(?:(?:/|共)\s*\d{1,4}\s*页?)?[-—–\s]*")


def pdf_text(data: bytes) -> tuple[str, int]:
    """(text, page count) of a PDF: the pages' lines in order, without the lines that are page
    numbers or a running header/footer (the same first or last line on most pages), which
    would otherwise land inside the paragraph that runs across the page break. Lines the
    layout shows to go on (see _continues) are joined here, where the positions are known; the
    other breaks are left to the cleaning (rejoin_broken_lines), as in a PDF saved as text."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text_lines(return_chars=False) for page in pdf.pages]
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for a damaged file
        raise ExtractError(f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    running = _running_lines([[line["text"] for line in page] for page in pages])
    lines = [line for page in pages for k, line in enumerate(page)
             if not ((k == 0 or k == len(page) - 1) and (PAGE_NUMBER.fullmatch(line["text"]) or line["text"].strip() in running))]
    if not any(line["text"].strip() for line in lines):
        raise ExtractError(f"the PDF's {len(pages)} pages hold no text layer (a scan?); run OCR on it first")
    joins = _continues(lines)
    return "".join(line["text"] + ("" if join else "\n") for line, join in zip(lines, joins + [True])), len(pages)


def _continues(lines: list[dict]) -> list[bool]:
    """For each line but the last, whether its paragraph goes on in the next line: the line
    fills the text width (ends within 1.5 characters of the right margin: ragged-right text
    leaves up to one) and the next one starts
    at the left margin, not indented. A full line that ends a sentence (。, TERMINAL) goes on only where
    the document indents its paragraphs, for there a new paragraph would be indented."""
    widths = sorted((ln["x1"] - ln["x0"]) / len(ln["text"]) for ln in lines if len(ln["text"]) >= 10)
    if not widths:
        return [False] * (len(lines) - 1)
    char = widths[len(widths) // 2]
    left, right = min(ln["x0"] for ln in lines), max(ln["x1"] for ln in lines)
    indented = [ln["x0"] > left + char / 2 for ln in lines]
    indents = sum(indented) >= 0.05 * len(lines)
    return [line["x1"] >= right - 1.5 * char and not indented[i + 1] and (indents or line["text"][-1] not in TERMINAL)
            for i, line in enumerate(lines[:-1])]


def _running_lines(pages: list[list[str]]) -> set[str]:
    """First/last lines repeated on more than half of the pages (3 pages at least)."""
    if len(pages) < 3:
        return set()
    edges = Counter(line.strip() for page in pages if page for line in {page[0], page[-1]} if line.strip())
    return {line for line, n in edges.items() if n > len(pages) / 2}


# --- Word ----------------------------------------------------------------------------------


def docx_text(data: bytes) -> str:
    """The body of a .docx in document order: one line per paragraph, one per table row
    (cells joined by a tab, a merged cell once)."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    lines.append("\t".join(dict.fromkeys(cell.text for cell in row.cells)))
            else:
                lines.append(block.text)
    except Exception as exc:  # noqa: BLE001 - zipfile, lxml and python-docx each raise their own
        raise ExtractError(f"not a readable Word .docx file ({type(exc).__name__}: {exc})") from None
    return "\n".join(lines)


# --- HTML ----------------------------------------------------------------------------------

#: Elements that are never the report: code, styles, forms and the site's frame.
SKIP_TAGS = {"script", "style", "noscript", "template", "head", "nav", "header", "footer", "aside", "form",
             "button", "select", "iframe", "svg", "menu"}
#: class/id words of site chrome (menus, breadcrumbs, share bars, link lists).
CHROME_HINT = re.compile(r"(?:^|[\s_-])(?:nav|navbar|menu|header|footer|foot|sidebar|side|breadcrumb|crumb|share|"
                         r"toolbar|links?|related|copyright|banner|ad|ads|comment)s?(?:$|[\s_-])", re.IGNORECASE)
#: class/id words of the block that holds an article on government and news sites.
CONTENT_HINT = re.compile(r"content|article|zoom|trs_editor|main|detail|text|正文", re.IGNORECASE)
BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "main",
              "table", "blockquote", "pre", "ul", "ol", "dd", "dt", "hr", "center"}
VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}
#: A line break in the HTML source between two Chinese characters or punctuation marks (“ — …).
_WIDE = r"[\u2010-\u206f\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
CJK_BREAK = re.compile(rf"(?<={_WIDE})[ \t\r\n\f]*\n[ \t\r\n\f]*(?={_WIDE})")


class _Node:
    """An element of the page: its tag, class/id words and children (nodes and strings)."""

    def __init__(self, tag: str, attrs: str, parent: "_Node | None") -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[_Node | str] = []

    def text_length(self) -> int:
        return sum(len(c.strip()) if isinstance(c, str) else c.text_length() for c in self.children)

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, _Node):
                yield from child.walk()


class _TreeBuilder(HTMLParser):
    """A forgiving element tree (unclosed tags end with their parent), chrome left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.node = _Node("#root", "", None)
        # The chrome element being skipped and how deep its tag nests: counting only its own
        # tag, an unclosed <li> or <p> inside a menu does not swallow the rest of the page.
        self.skip_tag: str | None = None
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_tag is not None:
            self.skip_depth += tag == self.skip_tag
            return
        words = " ".join(v or "" for k, v in attrs if k in ("class", "id", "role"))
        if tag in VOID_TAGS:
            if tag in BLOCK_TAGS:
                self.node.children.append(_Node(tag, words, self.node))
        elif tag in SKIP_TAGS or CHROME_HINT.search(words) or "navigation" in words:
            self.skip_tag, self.skip_depth = tag, 1
        else:
            child = _Node(tag, words, self.node)
            self.node.children.append(child)
            self.node = child

    def handle_endtag(self, tag: str) -> None:
        if self.skip_tag is not None:
            self.skip_depth -= tag == self.skip_tag
            if not self.skip_depth:
                self.skip_tag = None
            return
        node = self.node
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:  # a stray end tag is ignored
            self.node = node.parent

    def handle_data(self, data: str) -> None:
        if self.skip_tag is None:
            self.node.children.append(data)


def html_text(data: bytes, name: str, errors: str = "strict") -> tuple[str, str]:
    """(main text, encoding) of a web page: the page decoded as a .txt file is, the site's
    chrome (scripts, styles, nav/header/footer/aside, menus by class or id) left out, and
    of the rest the block that holds the report: the longest <article>/<main> or element
    whose class/id names content (TRS_Editor, zoom, article-content...), else the body,
    with the page's <h1> above it when it stands outside (the title names year and region).
    Blocks end lines; other whitespace runs are one space, none at a line break between two
    Chinese characters (a break in the HTML source is no space in the text)."""
    page, encoding = decode_bytes(data, name, errors)
    builder = _TreeBuilder()
    builder.feed(page)
    builder.close()
    candidates = [n for n in builder.root.walk() if n.tag in ("article", "main") or CONTENT_HINT.search(n.attrs)]
    best = max(candidates, key=_Node.text_length, default=None)
    main = best if best is not None and best.text_length() >= builder.root.text_length() / 3 else builder.root
    parts: list[str] = []
    title = next((n for n in builder.root.walk() if n.tag == "h1"), None)
    if title is not None and main is not builder.root and title not in set(main.walk()):
        _render(title, parts)  # the report's title, shown above the content block
        parts.append("\x00")
    _render(main, parts)
    text = CJK_BREAK.sub("", "".join(parts))
    lines = (re.sub(r"[ \t\r\n\f]+", " ", line).strip(" ") for line in text.split("\x00"))
    return "\n".join(line for line in lines if line), encoding


def _render(node: _Node, parts: list[str]) -> None:
    """The node's text into `parts`, a NUL at each block boundary (split into lines later)."""
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag in BLOCK_TAGS:
            parts.append("\x00")
            _render(child, parts)
            parts.append("\x00")
        else:
            _render(child, parts)


# --- by path -------------------------------------------------------------------------------


def extract_text(path: Path) -> str:
    """The raw text ingestion reads from a .pdf, .html/.htm/.xhtml or .docx file: what the
    offsets of its paragraphs point into."""
    data = Path(path).read_bytes()
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return pdf_text(data)[0]
    if suffix == ".docx":
        return docx_text(data)
    return html_text(data, str(path))[0]
