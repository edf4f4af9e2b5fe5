"""What a call's SQL statement did: judged against sqlparse (a parser we did not write) on
generated statements, and against an adversary hiding a destructive statement from the reader
(strings, comments, scripts, executable comments, the two readings of a backslash)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlparse  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.emitter.stages import Fingerprint
from tooltrail.emitter.statements import EFFECT_ATTR, EFFECTS, effect_of, statement_effect

#: sqlparse's statement types and the effect each has (MCP's sense of destructive: changes or
#: removes what exists; a write only adds)
_ORACLE = {
    "SELECT": "read",
    "INSERT": "write",
    "CREATE": "write",
    "UPDATE": "destructive",
    "DELETE": "destructive",
    "DROP": "destructive",
    "ALTER": "destructive",
    "TRUNCATE": "destructive",
    "MERGE": "destructive",
    "REPLACE": "destructive",
}

_names = st.sampled_from(["orders", "users", "public.events", '"Order Items"', "`logs`", "t1"])
_cols = st.sampled_from(["id", "status", "amount", "created_at", '"select"'])
# literals that carry what a naive reader would take for statements
_literals = st.sampled_from(
    [
        "'x'",
        "'a; DROP TABLE users'",
        "'-- DELETE FROM t'",
        "'it''s; TRUNCATE t'",
        "42",
        "'/* UPDATE t SET a=1 */'",
        "''",
    ]
)
_comments = st.sampled_from(
    ["", " ", "\n", " /* DROP TABLE users; */ ", " -- DELETE FROM t;\n", "\t"]
)


@st.composite
def _statement(draw: st.DrawFn) -> str:
    c = draw(_comments)
    name, col, lit = draw(_names), draw(_cols), draw(_literals)
    template = draw(
        st.sampled_from(
            [
                "SELECT {col} FROM {name} WHERE {col} = {lit}",
                "select *{c}from {name} limit 10",
                "INSERT INTO {name} ({col}) VALUES ({lit})",
                "UPDATE {name}{c}SET {col} = {lit} WHERE id = 1",
                "DELETE FROM {name} WHERE {col} = {lit}",
                "DROP TABLE IF EXISTS {name}",
                "drop{c}view {name}",
                "ALTER TABLE {name} ADD COLUMN x int",
                "TRUNCATE TABLE {name}",
                "CREATE TABLE {name} ({col} text)",
                "WITH latest AS (SELECT {col} FROM {name}) SELECT * FROM latest",
                "WITH stale AS (SELECT id FROM {name}) "
                "DELETE FROM {name} WHERE id IN (SELECT id FROM stale)",
                "{c}SELECT {lit}",
            ]
        )
    )
    text = template.format(name=name, col=col, lit=lit, c=c or " ")
    return (
        draw(_comments) + "".join(ch.upper() if draw(st.booleans()) else ch.lower() for ch in text)
        if draw(st.booleans())
        else draw(_comments) + text
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(_statement(), min_size=1, max_size=3))
def test_the_effect_is_sqlparses_strongest_statement_type(statements: list[str]) -> None:
    script = ";\n".join(statements)
    types = [s.get_type() for s in sqlparse.parse(script) if str(s).strip(" ;\n\t")]
    assert types, script
    assert "UNKNOWN" not in types, (script, types)
    want = max((_ORACLE[t] for t in types), key=EFFECTS.index)
    assert statement_effect(script) == want, (script, types)


@pytest.mark.parametrize(
    ("sql", "effect"),
    [
        # a destructive statement where a reader might not look
        ("SELECT 1; DROP TABLE users", "destructive"),
        ("select id from t;\n\n  delete from t", "destructive"),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "destructive"),
        ("EXPLAIN ANALYZE DELETE FROM t", "destructive"),  # ANALYZE runs it
        ("/*!50000 DROP TABLE users */", "destructive"),  # MySQL runs executable comments
        ("SELECT 1 /*M! ; DROP TABLE users */", "destructive"),
        ("SELECT 'a\\'; DROP TABLE users; -- '", "destructive"),  # standard SQL's reading
        ("SELECT 1 # 2\n; DROP TABLE users", "destructive"),  # PostgreSQL: # is an operator
        ("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "destructive"),
        ("GRANT ALL ON accounts TO mallory", "destructive"),
        ("UPDATE accounts SET balance = 0", "destructive"),
        ("(DELETE FROM t)", "destructive"),
        # destructive words where nothing is run
        ("SELECT 'a; DROP TABLE users'", "read"),
        ("SELECT $$ ; DROP TABLE users $$", "read"),
        ("SELECT $f$ ; DROP TABLE users $f$ AS body", "read"),
        ("SELECT 1 -- ; DROP TABLE users", "read"),
        ("SELECT 1 /* ; DROP TABLE users */", "read"),
        ("EXPLAIN DELETE FROM t", "read"),  # a plan only
        ("SELECT deleted, dropped FROM t WHERE updated_at > now()", "read"),
        # writes
        ("INSERT INTO t VALUES (1)", "write"),
        ("SELECT * INTO archive FROM t", "write"),
        ("CALL cleanup()", "write"),
        ("CREATE TABLE t (a int)", "write"),
        # not SQL: prose in a statement argument
        ("delete old branches", None),
        ("with invoice", None),
        ("show me the orders", "read"),  # reads as SQL's SHOW: harmless either way
        ("hello world", None),
        ("", None),
    ],
)
def test_what_a_statement_did(sql: str, effect: str | None) -> None:
    assert statement_effect(sql) == effect


@pytest.mark.parametrize(
    ("args", "effect"),
    [
        ({"sql": "DROP TABLE x"}, "destructive"),
        ({"query": "SELECT 1", "limit": 5}, "read"),
        ({"rawSql": "delete from t"}, "destructive"),  # the key's last word
        ({"sql_query": "select 1", "statement": "truncate table t"}, "destructive"),  # strongest
        ({"text": "DROP TABLE x"}, None),  # not a statement argument
        ({"sql": 42}, None),
        ({"sql": "x" * 70_000}, None),  # over the size read
        ({"query": "deploy status"}, None),  # a search query
        ("DROP TABLE x", None),
    ],
)
def test_statement_arguments(args: Any, effect: str | None) -> None:
    assert effect_of(args) == effect


def test_the_stage_stores_the_effect_never_the_statement() -> None:
    for key in (b"k", None):
        ev = {"mcp.method.name": "tools/call", "_args": {"sql": "DROP TABLE payroll_2026"}}
        out = Fingerprint(key)(ev)
        assert out["attrs"][EFFECT_ATTR] == "destructive"
        assert "payroll" not in json.dumps(out)
    plain = Fingerprint(b"k")({"mcp.method.name": "tools/call", "_args": {"path": "/a"}})
    assert EFFECT_ATTR not in plain.get("attrs", {})
