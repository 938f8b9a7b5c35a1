"""Organiser-written Markdown to safe HTML."""

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark with tables; raw HTML in the source is escaped by the parser, and nh3 then
# keeps only an allow-list of tags and attributes, so nothing executable reaches the page.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


#: Rendered texts kept, by their source: the output depends on the text alone, and an event
#: page shows the same description on every request (a quarter of its time otherwise).
CACHE_SIZE = 256


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to sanitised HTML safe to put in a page or an email."""
    return Markup(_sanitised_html(text or ""))


@lru_cache(maxsize=CACHE_SIZE)
def _sanitised_html(text: str) -> str:
    return nh3.clean(
        _md.render(text),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|blockquote|pre)>|<br\s*/?>|<hr\s*/?>")


def markdown_to_text(text: str | None) -> str:
    """Markdown as plain text, for calendar descriptions and plain-text email."""
    return _plain_text(text or "")


@lru_cache(maxsize=CACHE_SIZE)
def _plain_text(text: str) -> str:
    rendered = _md.render(text).replace("<li>", "<li>- ")
    rendered = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", rendered)
    rendered = _BLOCK_END.sub("\n", rendered)
    plain = html.unescape(nh3.clean(rendered, tags=set()))
    plain = re.sub(r"[ \t]+", " ", plain)
    plain = re.sub(r"\n{3,}", "\n\n", plain).replace("\n\n- ", "\n- ")
    return plain.strip()
