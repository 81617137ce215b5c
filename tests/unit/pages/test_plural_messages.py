"""A message with a count says "1 card", "2 cards": every count goes through ngettext or
``{% blocktranslate count %}``, never a fixed plural or "card(s)"."""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "tests", "bench", "locale", "var", "node_modules", "migrations", "static"}
FIXED_PLURAL = re.compile(r"(?<!http)\(s\)")  # "card(s)", but not "http(s)"
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}
# A count placeholder followed by a plural noun ("%(count)s cards", "%(left)s tries").
COUNTED_NOUN = re.compile(
    r"%\((n|count|left|days|hours|units|years|points|balance|rows|\w+_count)\)[sd] "
    r"(?!is\b|was\b|has\b|this\b|its\b)([a-z]+s)\b"
)
BLOCKTRANS_WITHOUT_COUNT = re.compile(
    r"\{%\s*blocktrans(?:late)?\b(?![^%]*\bcount\b)[^%]*%\}(.*?)\{%", re.S
)
TEMPLATE_COUNTED_NOUN = re.compile(
    r"\{\{ (n|count|left|days|hours|units|years|points|rows) \}\} "
    r"(?!is\b|was\b|has\b)([a-z]+s)\b"
)


def _our_files(pattern: str):
    for path in ROOT.rglob(pattern):
        if not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


def _gettext_messages():
    for path in _our_files("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            first = node.args[-1] if name in {"pgettext", "pgettext_lazy"} else node.args[0]
            if (
                name in GETTEXT_NAMES
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", first.value


def test_no_python_message_counts_with_a_fixed_plural():
    offenders = [
        f"{where}: {text!r}"
        for where, text in _gettext_messages()
        if FIXED_PLURAL.search(text) or COUNTED_NOUN.search(text)
    ]
    assert offenders == []


def test_no_template_message_counts_with_a_fixed_plural():
    offenders = []
    for path in _our_files("*.html"):
        offenders += _template_offenders(path)
    for path in _our_files("*.txt"):
        offenders += _template_offenders(path)
    assert offenders == []


def _template_offenders(path: Path) -> list[str]:
    found = []
    for match in BLOCKTRANS_WITHOUT_COUNT.finditer(path.read_text(encoding="utf-8")):
        text = match.group(1)
        if FIXED_PLURAL.search(text) or TEMPLATE_COUNTED_NOUN.search(text):
            found.append(f"{path.relative_to(ROOT)}: {text.strip()[:80]!r}")
    return found


def test_card_lookup_tries_read_in_both_forms():
    message = "The card number and PIN do not match (%(left)s try left)."
    plural = "The card number and PIN do not match (%(left)s tries left)."
    with translation.override("en"):
        assert ngettext(message, plural, 1) % {"left": 1} == (
            "The card number and PIN do not match (1 try left)."
        )
        assert ngettext(message, plural, 2) % {"left": 2} == (
            "The card number and PIN do not match (2 tries left)."
        )
