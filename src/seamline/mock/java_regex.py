"""Java regular expressions (what WireMock's `matches` takes) in Python's `re` dialect.

Python 3.11's `re` already has possessive quantifiers (`a++`) and atomic groups
(`(?>...)`), so most Java patterns compile as they are. The rest is rewritten here:
POSIX and Unicode classes (`\\p{Alpha}`, `\\p{L}`, `\\P{Lu}`), `\\Q...\\E` quoting,
named groups `(?<name>...)` and `\\k<name>`, `\\z`/`\\Z`, `\\h`, `\\R`, `\\e`,
`\\x{...}`. What cannot be expressed (class intersection `[a-z&&[^c]]`) is a clear
error at load time rather than a silent mismatch.
"""

from __future__ import annotations

import functools
import re

# \p{...} names, Java's POSIX-like ones (US-ASCII, as Java defaults) and the common
# Unicode categories (approximated with what `re` knows: \w without digits/_ for letters).
_CLASSES = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
    "javaLowerCase": "a-z",
    "javaUpperCase": "A-Z",
    "javaWhitespace": "\\s",
    "L": "^\\W\\d_",
    "IsL": "^\\W\\d_",
    "IsAlphabetic": "^\\W\\d_",
    "IsLetter": "^\\W\\d_",
    "IsLatin": "A-Za-z\\u00c0-\\u024f",
    "InLatin": "A-Za-z\\u00c0-\\u024f",
    "Lu": "A-Z\\u00c0-\\u00d6\\u00d8-\\u00de\\u0391-\\u03a9\\u0410-\\u042f",
    "IsUppercase": "A-Z\\u00c0-\\u00d6\\u00d8-\\u00de\\u0391-\\u03a9\\u0410-\\u042f",
    "Ll": "a-z\\u00df-\\u00f6\\u00f8-\\u00ff\\u03b1-\\u03c9\\u0430-\\u044f",
    "IsLowercase": "a-z\\u00df-\\u00f6\\u00f8-\\u00ff\\u03b1-\\u03c9\\u0430-\\u044f",
    "N": "\\d",
    "Nd": "\\d",
    "IsDigit": "\\d",
    "IsWhite_Space": "\\s",
    "IsWhiteSpace": "\\s",
    "P": "!-/:-@\\[-`{-~\\u00a1-\\u00bf\\u2010-\\u2027",
    "IsPunctuation": "!-/:-@\\[-`{-~",
    "S": "$+<=>^`|~\\u00a2-\\u00a9",
    "Sc": "$\\u00a2-\\u00a5\\u20a0-\\u20cf",
}
_TOKEN = re.compile(
    r"\\Q(?P<quoted>.*?)(?:\\E|$)"
    r"|\\(?P<neg>[pP])(?:\{(?P<name>\w+)\}|(?P<short>[A-Z]))"
    r"|\(\?<(?P<group>[A-Za-z][A-Za-z0-9]*)>"
    r"|\\k<(?P<ref>[A-Za-z][A-Za-z0-9]*)>"
    r"|\\x\{(?P<hex>[0-9a-fA-F]+)\}"
    r"|\\(?P<esc>[zZhHRe])"
    r"|\\(?P<ascii>[dwsDWS])"
    r"|(?P<class_open>\[\^?\]?)|(?P<class_close>\])"
    r"|(?P<and>&&)"
    r"|\\.|.",
    re.DOTALL,
)


class JavaRegexError(ValueError):
    """A Java construct with no Python equivalent."""


def _property(negated: bool, name: str, in_class: bool) -> str:
    body = _CLASSES.get(name) or _CLASSES.get(name.removeprefix("Is"))
    if body is None:
        raise JavaRegexError(f"unsupported character class \\p{{{name}}}")
    if body.startswith("^"):  # a negated class cannot nest inside another class in `re`
        if in_class:
            return "a-zA-Z\\u00c0-\\u024f\\u0370-\\u03ff\\u0400-\\u04ff"
        return f"[{body[1:]}]" if negated else f"[{body}]"
    if in_class:
        if negated:
            raise JavaRegexError(f"\\P{{{name}}} inside a character class is not supported")
        return body
    return f"[^{body}]" if negated else f"[{body}]"


_ESCAPES = {
    "z": r"\Z",
    "Z": r"(?=\n?\Z)",
    "h": r"[ \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000]",
    "H": r"[^ \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000]",
    "R": r"(?:\r\n|[\n\x0b\f\r\x85\u2028\u2029])",
    "e": r"\x1b",
}


# Java's \d, \w and \s are ASCII-only by default; Python's are Unicode.
_ASCII = {"d": "0-9", "w": "a-zA-Z_0-9", "s": " \\t\\n\\x0b\\f\\r"}


def _ascii_class(letter: str, in_class: bool) -> str:
    body = _ASCII.get(letter.lower(), "")
    if in_class:  # a negated set cannot nest: keep Python's (Unicode) \D \W \S there
        return body if letter.islower() else "\\" + letter
    return f"[{body}]" if letter.islower() else f"[^{body}]"


def translate(regex: str) -> str:
    """`regex` (Java syntax) as a Python pattern with the same meaning."""
    out: list[str] = []
    depth = 0  # inside a character class
    for token in _TOKEN.finditer(regex):
        kind = token.lastgroup
        text = token.group(0)
        if kind == "quoted":
            out.append(re.escape(token.group("quoted")))
        elif kind in ("name", "short"):
            out.append(_property(token.group("neg") == "P", token.group(kind), depth > 0))
        elif kind == "group":
            out.append(f"(?P<{token.group('group')}>")
        elif kind == "ref":
            out.append(f"(?P={token.group('ref')})")
        elif kind == "hex":
            out.append(f"\\U{int(token.group('hex'), 16):08x}")
        elif kind == "esc":
            esc = token.group("esc")
            out.append(_ESCAPES[esc] if depth == 0 or esc not in "zZR" else "\\" + esc)
        elif kind == "ascii":
            out.append(_ascii_class(token.group("ascii"), depth > 0))
        elif kind == "class_open":
            out.append(text if depth == 0 else "\\[")
            depth += 1 if depth == 0 else 0
        elif kind == "class_close":
            out.append(text)
            depth = 0
        elif kind == "and" and depth > 0:
            raise JavaRegexError("character class intersection (&&) is not supported")
        else:
            out.append(text)
    return "".join(out)


@functools.lru_cache(maxsize=512)
def compile_java(regex: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a Java regex (cached); raises `re.error` or `JavaRegexError` with the reason."""
    return re.compile(translate(regex), flags)
