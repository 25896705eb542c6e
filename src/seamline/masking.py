"""Secrets never reach a report, or a recorded stub, in clear.

Two layers:

* by position: credential headers (`Authorization`, `Cookie`, ...), and any
  header, JSON field, query or form parameter, or database column whose name
  looks like a secret (`password`, `api_key`, `cardNumber`, ...);
* by value: every value masked by position is remembered, and scrubbed from
  free text (log lines, tracebacks, truncated bodies, error messages) wherever
  it turns up. Text is also searched for `name=value` / `"name": "value"`
  pairs and `Bearer ...` credentials.

A report is built in two passes for this reason: the first one learns the
secret values from every structured record, the second masks with all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_plus

MASK = "[masked]"

DEFAULT_SECRET_NAMES: tuple[str, ...] = (
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "access_key",
    "private_key",
    "card",
    "cvv",
    "cvc",
    "authorization",
    "cookie",
    "credential",
)

# Values this short cannot be scrubbed from free text without destroying it
# ("1", "true", a cookie's "dark", a card brand's "visa"); they are still masked
# wherever their name says they are secret.
MIN_SCRUBBED_LENGTH = 6
_CACHED_LENGTH = 256
_CACHE_ENTRIES = 200_000

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_AUTH_SCHEMES = ("bearer", "basic", "digest", "negotiate", "token", "aws4-hmac-sha256")
# name=value, name: value, "name": "value", 'name': 'value' (the value quoted or bare)
_KEY_VALUE = re.compile(
    r"(?P<key>[A-Za-z][\w.-]*)(?P<sep>[\"']?\s*[:=]\s*)"
    r"(?P<scheme>(?i:bearer|basic|digest|negotiate)\s+)?"
    r"(?:(?P<q>[\"'])(?P<quoted>(?:\\.|(?!(?P=q))[^\\\n])*)|(?P<bare>[^\s\"'&,;<>)}\]]+))"
)
_BARE_CREDENTIAL = re.compile(
    r"\b(?P<scheme>Bearer|Basic|Digest|Negotiate)\s+(?P<cred>[\w.~+/=-]+)"
)
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][\w+.-]*://[^\s:/@]+:)(?P<password>[^\s@/]+)@")


def name_words(name: str) -> tuple[str, ...]:
    """`X-Api-Key` -> (x, api, key); `cardNumber` -> (card, number); `APIKey` -> (api, key)."""
    return tuple(word.lower() for word in _WORDS.findall(name))


class SecretNames:
    """Decides whether a name (header, field, parameter, column) names a secret.

    A name matches a pattern when a run of its words spells the pattern (or its
    plural): `api_key` matches `X-API-Key`, `apiKey` and `apikey`; `card`
    matches `card_number` but not `discard`.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        self._spelled = frozenset("".join(name_words(p)) for p in self.patterns)
        # For `mentions`: the longest word of each pattern, and the patterns as a
        # regex over lower-cased text (re.IGNORECASE is 20x slower on big bodies).
        self._words = {max(name_words(p), key=len) for p in self.patterns if name_words(p)}
        joined = "|".join(r"[\W_]?".join(map(re.escape, name_words(p))) for p in self.patterns)
        self._mention = re.compile(joined or r"(?!)")
        self.matches = lru_cache(maxsize=4096)(self._matches)

    def mentions(self, text: str) -> bool:
        """Whether `text` may hold a secret's name: a quick look before slower searches."""
        lowered = text.lower()
        return any(word in lowered for word in self._words) and bool(self._mention.search(lowered))

    def _matches(self, name: str) -> bool:
        words = name_words(name)
        for start in range(len(words)):
            spelled = ""
            for word in words[start:]:
                spelled += word
                if spelled in self._spelled or (
                    spelled.endswith("s") and spelled[:-1] in self._spelled
                ):
                    return True
        return False


class Masker:
    """Masks secrets in headers, JSON, URLs and free text; remembers what it masked."""

    def __init__(self, names: SecretNames, known_values: Iterable[str] = ()) -> None:
        self.names = names
        self.masked_values: set[str] = set()
        scrubbed = {v for v in known_values if len(v) >= MIN_SCRUBBED_LENGTH}
        self._scrub = _literal_alternation(scrubbed)
        self._text_cache: dict[str, str] = {}

    def _remember(self, value: object) -> str:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            self.masked_values.add(str(value))
        return MASK

    # -- by position ----------------------------------------------------------

    def headers(self, pairs: Iterable[Sequence[object]]) -> list[list[str]]:
        """[name, value] pairs masked; anything that is not a pair is left out."""
        return [
            [str(pair[0]), self.header(str(pair[0]), str(pair[1]))]
            for pair in pairs
            if len(pair) == 2
        ]

    def header(self, name: str, value: str) -> str:
        lowered = name.lower()
        if lowered in ("authorization", "proxy-authorization"):
            return self._credentials(value)
        if lowered == "cookie":
            return "; ".join(self._cookie(part) for part in value.split(";"))
        if lowered == "set-cookie":
            first, _, attributes = value.partition(";")
            return self._cookie(first) + (f";{attributes}" if attributes else "")
        if self.names.matches(name):
            return self._remember(value)
        return self.text(value)

    def _credentials(self, value: str) -> str:
        scheme, _, credentials = value.strip().partition(" ")
        if credentials and scheme.lower() in _AUTH_SCHEMES:
            self._remember(credentials.strip())
            return f"{scheme} {MASK}"
        return self._remember(value)

    def _cookie(self, pair: str) -> str:
        name, equals, value = pair.strip().partition("=")
        if not equals:
            return self._remember(name) if name else name
        self._remember(value)
        return f"{name}={MASK}"

    def json(self, value: Any, secret: bool = False) -> Any:
        """A copy of a JSON value with the values under secret-looking keys masked."""
        # type() rather than isinstance(): parsed JSON holds exact types, and bodies
        # hold hundreds of thousands of values.
        kind = type(value)
        if kind is str:
            return self._remember(value) if secret else self.text(value)
        if kind is dict:
            matches = self.names.matches
            return {
                key: self.json(item, secret or matches(str(key))) for key, item in value.items()
            }
        if kind is list:
            return [self.json(item, secret) for item in value]
        if secret and value is not None and kind is not bool:
            # Booleans and nulls say whether something is there, never what it is.
            return self._remember(value)
        return value

    def row(self, row: dict[str, Any] | None) -> dict[str, Any] | None:
        """A database row: columns named like secrets are masked."""
        return None if row is None else self.json(row)

    def query(self, query: str) -> str:
        """`a=1&token=x` -> `a=1&token=[masked]` (order and encoding kept)."""
        return "&".join(self._query_pair(pair) for pair in query.split("&"))

    def _query_pair(self, pair: str) -> str:
        name, equals, value = pair.partition("=")
        if equals and self.names.matches(unquote_plus(name)):
            self._remember(unquote_plus(value))
            return f"{name}={MASK}"
        return self.text(pair)

    def target(self, target: str) -> str:
        """A request target or URL, with secret query parameters masked."""
        path, question, query = target.partition("?")
        return self.text(path) + (question + self.query(query) if question else "")

    # -- by value and pattern, in free text -----------------------------------

    def text(self, text: str) -> str:
        # Bodies repeat the same short strings (names, ids, statuses) thousands of times.
        if len(text) > _CACHED_LENGTH:
            return self._text(text)
        masked = self._text_cache.get(text)
        if masked is None:
            if len(self._text_cache) >= _CACHE_ENTRIES:
                self._text_cache.clear()
            masked = self._text_cache[text] = self._text(text)
        return masked

    def _text(self, text: str) -> str:
        if not text:
            return text
        if self.names.mentions(text):
            text = _KEY_VALUE.sub(self._key_value, text)
        if self._scrub is not None:
            text = self._scrub.sub(MASK, text)
        if "://" in text:
            text = _URL_PASSWORD.sub(self._url_password, text)
        if " " in text:
            text = _BARE_CREDENTIAL.sub(self._bare_credential, text)
        return text

    def _key_value(self, match: re.Match[str]) -> str:
        if not self.names.matches(match["key"]):
            return match[0]
        quote = match["q"] or ""
        value = match["quoted"] if quote else match["bare"]
        if value.startswith(MASK[:-1]):
            return match[0]  # masked already
        self._remember(value)
        scheme = match["scheme"] or ""
        # the closing quote was not consumed by the match and stays in the text
        return f"{match['key']}{match['sep']}{scheme}{quote}{MASK}"

    def _url_password(self, match: re.Match[str]) -> str:
        self._remember(match["password"])
        return f"{match['head']}{MASK}@"

    def _bare_credential(self, match: re.Match[str]) -> str:
        self._remember(match["cred"])
        return f"{match['scheme']} {MASK}"


def _literal_alternation(values: set[str]) -> re.Pattern[str] | None:
    """One regex matching any of `values`, longest first, shaped as a trie.

    A trie keeps the regex fast with thousands of values (one per test's token
    is common): at each position of the text only one branch is followed.
    """
    if not values:
        return None
    trie: dict[str, Any] = {}
    for value in values:
        node = trie
        for char in value:
            node = node.setdefault(char, {})
        node[""] = {}
    return re.compile(_trie_pattern(trie))


def _trie_pattern(node: dict[str, Any]) -> str:
    # Follow single-child chains iteratively: values can be long tokens (JWTs).
    prefix = ""
    while len(node) == 1 and "" not in node:
        (char, node), *_ = node.items()
        prefix += re.escape(char)
    branches = [re.escape(char) + _trie_pattern(child) for char, child in node.items() if char]
    if not branches:
        return prefix
    group = "(?:" + "|".join(branches) + ")"
    return prefix + (group + "?" if "" in node else group)
