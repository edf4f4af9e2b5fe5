"""Redaction checked against rule sets we did not write: detect-secrets (PyPI) and secretlint's
recommended preset (npm, pinned in tests/oracles/package-lock.json).

Every string such a scanner flags in a corpus sample (``_secret_corpus``) must be gone once the
sample went through our ``Redactor``; every rule of the rule set must flag at least one sample (so
a rule added upstream, or a sample that stopped being realistic, fails here). For the regex rules
of detect-secrets, hypothesis also generates strings from the rule's own regex. The oracles run in
the test process only; the emitter never imports them. Versions and exclusions: docs/redaction.md.
"""

from __future__ import annotations

import json
import shutil
import string
import subprocess
from pathlib import Path
from typing import Any

import pytest
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tooltrail.emitter import Redactor

from ._secret_corpus import OPTIONS, Sample, corpus

ORACLES = Path(__file__).parents[1] / "oracles"
PRESET = ORACLES / "node_modules/@secretlint/secretlint-rule-preset-recommend/package.json"
#: detect-secrets plugins not used as oracles, and why (docs/redaction.md says the same)
DETECT_SECRETS_EXCLUDED = {
    # flags every quoted hex string of 3+ bits/char: git SHAs, UUIDs, our own hashes. Hex secrets
    # are caught by their prefix (dop_v1_, dapi, SK, AC ...), a key name, or a key-name hint.
    "HexHighEntropyString",
}
#: secretlint rules of the preset that flag no secret themselves
SECRETLINT_EXCLUDED = {"secretlint-rule-filter-comments"}
REDACTOR = Redactor(OPTIONS)
SAMPLES = corpus()


def _plugins() -> list[Any]:
    return [
        cls()
        for cls in get_mapping_from_secret_type_to_class().values()
        if cls.__name__ not in DETECT_SECRETS_EXCLUDED
    ]


PLUGINS = _plugins()


def detect_secrets_flags(text: str) -> list[tuple[str, str]]:
    """(plugin, flagged value) for each line of ``text``."""
    return [
        (type(plugin).__name__, found.secret_value)
        for line in text.split("\n")
        for plugin in PLUGINS
        for found in plugin.analyze_line(filename="sample.txt", line=line, line_number=1)
        if found.secret_value
    ]


def placements(sample: Sample) -> list[str]:
    return [sample.text, f"please use {sample.text} for the deploy", f'{{"v": "{sample.text}"}}']


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.format)
def test_nothing_detect_secrets_flags_survives(sample: Sample) -> None:
    for text in placements(sample):
        redacted = REDACTOR.redact_str(text, {})
        for plugin, value in detect_secrets_flags(text):
            assert value not in redacted, (plugin, redacted)


def test_every_detect_secrets_rule_is_exercised_by_the_corpus() -> None:
    seen = {plugin for s in SAMPLES for plugin, _ in detect_secrets_flags(s.text)}
    assert seen == {type(p).__name__ for p in PLUGINS}


# the regex rules whose own patterns make realistic samples: (plugin, index in its denylist).
# The keyword/assignment rules (AWS's second pattern, Cloudant, IBM, Softlayer, Keyword) need a
# context the regex alone does not give; the corpus samples above cover them.
REGEX_RULES = [
    ("AWSKeyDetector", 0), ("ArtifactoryDetector", 0), ("ArtifactoryDetector", 1),
    ("AzureStorageKeyDetector", 0), ("DiscordBotTokenDetector", 0), ("GitHubTokenDetector", 0),
    *(("GitLabTokenDetector", i) for i in range(7)), ("MailchimpDetector", 0),
    ("OpenAIDetector", 0), ("PypiTokenDetector", 0), ("PypiTokenDetector", 1),
    ("SendGridDetector", 0), ("SlackDetector", 0), ("SlackDetector", 1),
    ("SquareOAuthDetector", 0), ("StripeDetector", 0), ("TelegramBotTokenDetector", 0),
    ("TwilioKeyDetector", 0), ("TwilioKeyDetector", 1),
]  # fmt: skip
_BY_NAME = {type(p).__name__: p for p in PLUGINS}
_ASCII = string.ascii_letters + string.digits + "+/=_-.:\"' \\"


@st.composite
def rule_samples(draw: st.DrawFn) -> tuple[str, str]:
    name, index = draw(st.sampled_from(REGEX_RULES))
    pattern = _BY_NAME[name].denylist[index]
    text = draw(st.from_regex(pattern.pattern, fullmatch=True, alphabet=_ASCII))
    return name, text


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_samples())
def test_strings_generated_from_detect_secrets_regexes_are_redacted(case: tuple[str, str]) -> None:
    name, text = case
    plugin = _BY_NAME[name]
    for line in (text, f"x {text} y"):
        redacted = REDACTOR.redact_str(line, {})
        for found in plugin.analyze_line(filename="sample.txt", line=line, line_number=1):
            if found.secret_value:
                assert found.secret_value not in redacted, (name, line, redacted)


# -- secretlint -------------------------------------------------------------------------------


def _is_json(text: str) -> bool:
    """secretlint's GCP rule reads only .json files"""
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def secretlint(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, str]]]:
    """{sample format: [(rule, flagged text)]} from one secretlint run over the whole corpus."""
    binary = ORACLES / "node_modules/.bin/secretlint"
    assert shutil.which("node"), "node is missing: secretlint needs Node 20+"
    assert binary.exists(), "secretlint is missing: run `npm ci` in tests/oracles"
    folder = tmp_path_factory.mktemp("secretlint")
    names = {}
    for i, sample in enumerate(SAMPLES):
        for j, text in enumerate(placements(sample)):
            path = folder / f"{i:03d}-{j}.{'json' if _is_json(text) else 'txt'}"
            path.write_text(text + "\n")
            names[path.name] = sample.format
    config = folder / ".secretlintrc.json"
    preset = "@secretlint/secretlint-rule-preset-recommend"
    config.write_text(json.dumps({"rules": [{"id": preset}]}))
    run = subprocess.run(
        [str(binary), "--secretlintrc", str(config), "--format", "json", "--no-maskSecrets",
         str(folder / "*.txt"), str(folder / "*.json")],
        cwd=ORACLES, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert run.returncode in (0, 1), run.stderr  # 1: something was found
    found: dict[str, list[tuple[str, str]]] = {}
    for report in json.loads(run.stdout):
        content = report["sourceContent"]
        for message in report["messages"]:
            start, end = message["range"]
            found.setdefault(names[Path(report["filePath"]).name], []).append(
                (message["ruleId"].rsplit("/", 1)[-1], content[start:end].strip())
            )
    return found


def test_nothing_secretlint_flags_survives(secretlint: dict[str, list[tuple[str, str]]]) -> None:
    by_format = {s.format: s for s in SAMPLES}
    checked = 0
    for fmt, flagged in secretlint.items():
        for text in placements(by_format[fmt]):
            redacted = REDACTOR.redact_str(text, {})
            for rule, value in flagged:
                if value in text:
                    assert value not in redacted, (rule, fmt, redacted)
                    checked += 1
    assert checked > len(SAMPLES)


def test_every_secretlint_rule_is_exercised_by_the_corpus(
    secretlint: dict[str, list[tuple[str, str]]],
) -> None:
    preset = json.loads(PRESET.read_text())
    rules = {
        name.rsplit("/", 1)[-1]
        for name in preset["devDependencies"]
        if name.startswith("@secretlint/secretlint-rule-")
    } - SECRETLINT_EXCLUDED
    seen = {rule for hits in secretlint.values() for rule, _ in hits}
    assert rules <= seen, sorted(rules - seen)
