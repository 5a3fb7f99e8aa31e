"""Ad-tag snippets made to pass the site's Content Security Policy (FE-02, P07).

``script-src`` allows our own files and scripts carrying the response's nonce, nothing
inline without it. Each ``<script>`` start tag of a snippet gets the nonce (any nonce it
came with is dropped, so a snippet cannot bring one of its own). Inline event handlers
(``onload="…"``), ``javascript:`` URLs and inline styles are not given anything and stay
blocked; the snippet's scripts may load from another origin (the nonce allows the file),
but their requests still meet ``connect-src``/``img-src`` 'self' unless settings widen them.
"""

import re

from django.utils.html import escape

_SCRIPT_START = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_NONCE_ATTRIBUTE = re.compile(r"""\snonce\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


def with_nonce(snippet: str, nonce: str) -> str:
    """``snippet`` with ``nonce="<nonce>"`` on every ``<script>`` start tag."""
    attribute = f' nonce="{escape(nonce)}"'

    def add(match):
        return f"<script{attribute}{_NONCE_ATTRIBUTE.sub('', match.group(1))}>"

    return _SCRIPT_START.sub(add, snippet)
