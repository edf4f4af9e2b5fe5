"""Every attack scenario produces its incident with the promised shape, in the attack window."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from tooltrail.simulator import (
    ATTACK_SCENARIOS,
    Incident,
    SimCall,
    SimConfig,
    Simulation,
    UserProfile,
    is_secret_uri,
    simulate,
    to_frame,
)

S = 1_000_000
MIN = 60 * S


def incident(sim: Simulation, scenario: str) -> tuple[Incident, list[SimCall]]:
    (inc,) = [i for i in sim.incidents if i.scenario == scenario]
    calls = [c for c in sim.calls if c.label == inc.id]
    assert len(calls) == inc.calls
    assert (calls[0].ts, calls[-1].ts) == (inc.start, inc.end)
    return inc, calls


def profile(sim: Simulation, name: str) -> UserProfile:
    (user,) = [u for u in sim.users if u.name == name]
    return user


def local_hour(ts: int, user: UserProfile) -> float:
    return (ts / 3_600_000_000 + user.tz_hours) % 24


def in_work_hours(ts: int, user: UserProfile) -> bool:
    return user.work_start <= local_hour(ts, user) <= user.work_end


@pytest.mark.parametrize("attack_days", [1, 3])
def test_attacks_happen_only_in_the_last_attack_days(attack_days: int) -> None:
    sim = simulate(SimConfig(users=10, days=4, attack_days=attack_days, new_users=0))
    cfg = sim.config
    ids = {i.id for i in sim.incidents}
    assert len(ids) == len(ATTACK_SCENARIOS)
    attack_calls = [c for c in sim.calls if c.label in ids]
    assert min(c.ts for c in attack_calls) >= cfg.attack_start_us
    assert max(c.ts for c in attack_calls) < cfg.end_us
    assert all(i.start >= cfg.attack_start_us for i in sim.incidents)


def test_attack_calls_use_the_victims_name_and_the_incidents_actor(
    default_sim: Simulation,
) -> None:
    for inc in default_sim.incidents:
        calls = [c for c in default_sim.calls if c.label == inc.id]
        assert {(c.user, c.agent, c.client) for c in calls} == {(inc.user, inc.agent, inc.client)}
        assert not inc.user.startswith("svc-")


def test_bulk_exfiltration(default_sim: Simulation) -> None:
    inc, calls = incident(default_sim, "bulk_exfiltration")
    user = profile(default_sim, inc.user)
    assert {c.tool for c in calls} <= {"read_file", "export_table"}
    assert len({c.resource_uri for c in calls}) >= 150
    assert inc.end - inc.start <= 3 * MIN
    assert min(c.result_bytes for c in calls) >= 200_000
    assert max(c.result_bytes for c in calls) <= 2_000_000
    assert (inc.agent, inc.client) == (user.agents[0], user.client)  # the usual agent/client
    assert in_work_hours(inc.start, user)


def test_slow_low_exfiltration(default_sim: Simulation) -> None:
    inc, calls = incident(default_sim, "slow_low_exfiltration")
    user = profile(default_sim, inc.user)
    assert len({c.session_id for c in calls}) == 1
    assert inc.end - inc.start >= 2.5 * 60 * MIN
    gaps = [b.ts - a.ts for a, b in itertools.pairwise(calls)]
    assert min(gaps) >= 45 * S
    assert max(gaps) <= 90 * S
    assert all(30_000 <= c.result_bytes <= 80_000 for c in calls)
    assert {c.tool for c in calls} <= {"run_query", "read_file"}
    assert 19 <= local_hour(inc.start, user) <= 21
    touched_before = {
        c.resource_uri for c in default_sim.calls if c.user == inc.user and not c.label
    }
    assert touched_before.isdisjoint(c.resource_uri for c in calls)


def test_resource_enumeration(default_sim: Simulation) -> None:
    inc, calls = incident(default_sim, "resource_enumeration")
    paths = {c.resource_uri for c in calls}
    assert 300 <= len(paths) == len(calls) <= 500
    assert inc.end - inc.start <= 2 * MIN
    assert {c.tool for c in calls} == {"list_directory", "read_file"}
    missing = sum(c.error_type == "FileNotFoundError" for c in calls) / len(calls)
    assert 0.2 < missing < 0.4
    assert max(c.result_bytes for c in calls) < 5_000


def test_runaway_agent_loop(default_sim: Simulation) -> None:
    inc, calls = incident(default_sim, "runaway_agent_loop")
    frame = to_frame(calls)
    assert frame["args_fingerprint"].nunique() == 1
    assert len({c.tool for c in calls}) == 1
    minutes = (inc.end - inc.start) / MIN
    assert 5 <= minutes <= 8
    assert 2 <= len(calls) / (minutes * 60) <= 5
    quarter = len(calls) // 4
    early = sum(c.outcome == "error" for c in calls[:quarter]) / quarter
    late = sum(c.outcome == "error" for c in calls[-quarter:]) / quarter
    assert early < 0.2 < 0.35 < late


def test_stolen_key_new_client(default_sim: Simulation) -> None:
    inc, calls = incident(default_sim, "stolen_key_new_client")
    user = profile(default_sim, inc.user)
    assert 30 <= len(calls) <= 60
    assert inc.client in ("python-requests", "curl")
    history = [c for c in default_sim.calls if c.user == inc.user and c.ts < inc.start]
    assert history  # the user has a past...
    assert inc.client not in {c.client for c in history}  # ...without this client
    assert inc.agent not in {c.agent for c in default_sim.calls if c.label != inc.id}
    assert all(2 <= local_hour(c.ts, user) < 4 for c in calls)  # off-hours where the user lives
    assert sum(is_secret_uri(c.resource_uri) for c in calls) >= 5
    assert {c.tool for c in calls} <= {"list_tables", "run_query", "read_file"}


def test_privilege_probing(default_sim: Simulation) -> None:
    inc, calls = incident(default_sim, "privilege_probing")
    assert 20 <= len(calls) <= 40
    assert inc.end - inc.start <= 2.5 * MIN
    denied = [c for c in calls if c.outcome == "denied"]
    assert len(denied) / len(calls) >= 0.7
    assert {c.error_type for c in denied} == {"PermissionDenied"}
    assert {c.tool for c in calls} <= {"grant_role", "list_users", "run_command", "write_file"}
    assert "grant_role" in {c.tool for c in calls}
    writes = [c.resource_uri or "" for c in calls if c.tool == "write_file"]
    assert all(uri.startswith("file:///etc/") for uri in writes)


def test_prompt_injection_sequence_inside_an_ordinary_session(default_sim: Simulation) -> None:
    inc, calls = incident(default_sim, "prompt_injection_sequence")
    (session,) = {c.session_id for c in calls}
    in_session = [c for c in default_sim.calls if c.session_id == session]
    assert any(c.label == "" for c in in_session)  # the user's own session
    assert inc.end - inc.start <= 90 * S
    tools = [(c.tool, c) for c in calls]
    triples = [tools[i : i + 3] for i in range(0, len(tools), 3)]
    assert 2 <= len(triples) <= 4
    for (t1, fetch), (t2, read), (t3, out) in triples:
        assert (t1, t2) == ("fetch_url", "read_file")
        assert is_secret_uri(read.resource_uri)
        assert t3 == "post_message" or (t3 == "fetch_url" and out.args.get("method") == "POST")
        assert fetch.resource_uri != out.resource_uri
    # and the session, in time order, shows the pattern without benign calls in between
    labels = [c.label for c in in_session]
    first = labels.index(inc.id)
    assert labels[first : first + len(calls)] == [inc.id] * len(calls)


def test_only_attack_calls_carry_attack_labels(default_sim: Simulation) -> None:
    by_label = Counter(c.label for c in default_sim.calls)
    for inc in default_sim.incidents:
        assert by_label[inc.id] == inc.calls
        victim_calls = [c for c in default_sim.calls if c.user == inc.user]
        assert any(c.label == "" for c in victim_calls)  # the victim's own work stays benign
    labels = {c.label for c in default_sim.calls}
    known = {i.id for i in default_sim.incidents} | {b.id for b in default_sim.benign_bursts}
    assert labels == known | {""}
