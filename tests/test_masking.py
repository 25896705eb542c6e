"""Secrets are masked by position (names) and by value (anywhere they turn up in text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seamline.masking import (
    DEFAULT_SECRET_NAMES,
    MASK,
    MIN_SCRUBBED_LENGTH,
    Masker,
    SecretNames,
)

NAMES = SecretNames(DEFAULT_SECRET_NAMES)


@pytest.mark.parametrize(
    "name",
    ["password", "X-Api-Key", "apiKey", "APIKey", "apikey", "api_key", "card_number", "cardNumber",
     "cvv", "cvv2", "client_secret", "secrets", "access_token", "refresh-token", "Authorization",
     "password_hash", "Proxy-Authorization", "Set-Cookie"],
)  # fmt: skip
def test_names_that_look_like_secrets_match(name):
    assert NAMES.matches(name)


@pytest.mark.parametrize(
    "name", ["discard", "cardinality", "content-type", "tokenizer_name", "email", "amount", "id"]
)
def test_names_that_only_contain_a_secret_word_inside_another_word_do_not(name):
    assert not NAMES.matches(name)


def test_the_list_of_names_is_configurable():
    names = SecretNames(("ssn",))
    assert names.matches("customer_ssn")
    assert not names.matches("password")


def test_credential_headers_keep_their_scheme_and_cookie_names_but_not_the_values():
    masker = Masker(NAMES)
    masked = masker.headers(
        [
            ("Authorization", "Bearer abc.def.ghi"),
            ("Proxy-Authorization", "Basic dXNlcjpwYXNz"),
            ("Cookie", "session=s3ss10n; theme=dark"),
            ("Set-Cookie", "session=s3ss10n; Path=/; HttpOnly"),
            ("X-Api-Key", "k-123456"),
            ("Accept", "application/json"),
        ]
    )
    assert masked == [
        ["Authorization", f"Bearer {MASK}"],
        ["Proxy-Authorization", f"Basic {MASK}"],
        ["Cookie", f"session={MASK}; theme={MASK}"],
        ["Set-Cookie", f"session={MASK}; Path=/; HttpOnly"],
        ["X-Api-Key", MASK],
        ["Accept", "application/json"],
    ]
    assert {"abc.def.ghi", "dXNlcjpwYXNz", "s3ss10n", "k-123456"} <= masker.masked_values


def test_json_values_under_secret_keys_are_masked_at_any_depth_keeping_the_shape():
    masked = Masker(NAMES).json(
        {
            "user": {"email": "a@b.c", "password": "hunter22"},
            "card": {"number": 4242424242424242, "exp": "12/30"},
            "has_card": True,
            "tokens": ["t1", "t2"],
            "cvv": None,
        }
    )
    assert masked == {
        "user": {"email": "a@b.c", "password": MASK},
        "card": {"number": MASK, "exp": MASK},
        "has_card": True,  # whether there is one is not a secret
        "tokens": [MASK, MASK],
        "cvv": None,
    }


def test_query_parameters_are_masked_by_name_in_targets():
    masker = Masker(NAMES)
    assert masker.target("/orders?access_token=qat_1&page=2&api%5Fkey=zz") == (
        f"/orders?access_token={MASK}&page=2&api%5Fkey={MASK}"
    )
    assert masker.target("/plain/path") == "/plain/path"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("login password=hunter22 user=ada", f"login password={MASK} user=ada"),
        ('{"password": "correct horse", "n": 1}', f'{{"password": "{MASK}", "n": 1}}'),
        ("{'api_key': 'k 1'}", f"{{'api_key': '{MASK}'}}"),
        ('{"password": "with \\"quote\\" inside"}', f'{{"password": "{MASK}"}}'),
        ("Authorization: Bearer eyJ.abc", f"Authorization: Bearer {MASK}"),
        ("sent header authorization: bearer zzzz", f"sent header authorization: bearer {MASK}"),
        ("curl -H 'X: Bearer abc123'", f"curl -H 'X: Bearer {MASK}'"),
        ("dsn=postgresql://app:pw99@127.0.0.1/db", f"dsn=postgresql://app:{MASK}@127.0.0.1/db"),
        ("GET /x?token=abc&page=2", f"GET /x?token={MASK}&page=2"),
        ("nothing to hide here", "nothing to hide here"),
        (f"password={MASK} twice", f"password={MASK} twice"),
    ],
)
def test_free_text_is_masked_where_it_names_a_secret(text, expected):
    assert Masker(NAMES).text(text) == expected


def test_values_learned_from_records_are_scrubbed_from_any_text():
    learner = Masker(NAMES)
    learner.json({"card_number": "4242424242424242", "cvv": "123"})
    masker = Masker(NAMES, learner.masked_values)
    assert masker.text("charged 4242424242424242 ok") == f"charged {MASK} ok"
    # too short to scrub from prose without destroying it: masked only by position
    assert masker.text("retry 123 times") == "retry 123 times"


def test_short_common_values_under_secret_names_are_not_scrubbed_from_all_text():
    learner = Masker(NAMES)
    assert learner.header("Cookie", "theme=dark") == f"theme={MASK}"
    learner.json({"card": {"brand": "visa"}})
    masker = Masker(NAMES, learner.masked_values)
    assert masker.text("declined visa card in dark mode") == "declined visa card in dark mode"


def test_thousands_of_learned_values_are_all_scrubbed():
    values = {f"tok_{n:05d}_{n * 7919 % 10007:05d}" for n in range(5000)}
    masker = Masker(NAMES, values)
    masked = masker.text(" | ".join(sorted(values)[::7]))
    assert [value for value in values if value in masked] == []
    assert masked.count(MASK) == len(range(0, 5000, 7))
    assert masker.text("tok_ is not a token") == "tok_ is not a token"


# Secrets: printable runs without brackets (the mask's own characters) that the mask
# does not spell; prose between them: characters no secret holds.
secret_values = st.text(
    st.characters(min_codepoint=33, max_codepoint=0x24F, exclude_characters="[]|"),
    min_size=MIN_SCRUBBED_LENGTH,
    max_size=40,
).filter(lambda value: value not in MASK)
prose = st.text(alphabet=" \t\n|", max_size=5)


@settings(max_examples=300, deadline=None)
@given(secrets=st.lists(secret_values, min_size=1, max_size=20), between=prose)
def test_no_learned_secret_survives_in_text_around_it(secrets, between):
    masked = Masker(NAMES, secrets).text(between + between.join(secrets) + between)
    assert [secret for secret in secrets if secret in masked] == []
