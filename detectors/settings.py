"""The detectors' one ``Settings``: every option, read from ``TOOLTRAIL_DETECT_*`` variables.

Times are event time. Defaults: 1-minute windows advancing every 10 s, a 7-day sliding baseline
re-fit every 24 h, a 3-day learning period for new entities, alerts cooled down for 30 min per
dedupe key. Secrets (Slack webhook URL, webhook signing secret) are ``SecretStr``; a placeholder
secret is refused unless ``environment`` is ``development``.

    TOOLTRAIL_DETECT_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/...
    TOOLTRAIL_DETECT_WEBHOOK_URL=https://siem.example/hooks/tooltrail
    TOOLTRAIL_DETECT_WEBHOOK_SECRET=...
    TOOLTRAIL_DETECT_DASHBOARD_URL=https://grafana.example/d/tooltrail-investigate?var-entity={entity}&from={from_ms}&to={to_ms}
    TOOLTRAIL_DETECT_SENSITIVE_TOOLS=grant_role,run_command,export_table
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from tooltrail._settings import PLACEHOLDER_SECRETS

__all__ = ["DetectSettings"]

_S = 1_000_000  # µs per second


def _csv(value: object) -> object:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return value


class DetectSettings(BaseSettings):
    """Everything the detectors can be told; field ``x`` reads ``TOOLTRAIL_DETECT_X``."""

    model_config = SettingsConfigDict(
        env_prefix="TOOLTRAIL_DETECT_", env_file=None, extra="ignore", frozen=True
    )

    environment: Literal["development", "staging", "production"] = "development"

    # -- windows and baselines (event time) ------------------------------------------------------
    window_seconds: int = Field(default=60, ge=10, description="feature window length")
    step_seconds: int = Field(default=10, ge=1, description="how far windows advance")
    baseline_days: float = Field(default=7.0, gt=0, description="sliding baseline for fits")
    hours_days: float = Field(
        default=28.0,
        gt=0,
        description="the hours each user works are learned from this much stored history "
        "(longer than the baseline: part-timers, rotas and people back from leave have too few "
        "days of work in one week); at least the baseline",
    )
    refit_hours: float = Field(default=24.0, gt=0, description="re-fit on this event-time grid")
    learning_days: float = Field(
        default=3.0, ge=0, description="an entity newer than this never pages (cold start)"
    )
    min_history_windows: int = Field(
        default=60, ge=1, description="fewer windows: borrow the entity group's baseline"
    )
    min_history_days: int = Field(
        default=5,
        ge=1,
        description="... unless the entity acted on this many distinct days of the baseline (a "
        "scheduled job that runs a minute a day has an own baseline)",
    )
    lateness_seconds: float = Field(
        default=60.0,
        ge=0,
        description="live: stragglers this late are still scored (with live off: score a "
        "window this long after its end)",
    )
    live: bool = Field(
        default=True,
        description="live: fire the rules on the window being filled and score windows at "
        "the streams' watermark (off: lateness_seconds behind the newest event)",
    )
    poll_seconds: float = Field(default=1.0, gt=0, description="live: how often to look")

    # -- models -----------------------------------------------------------------------------------
    #: chosen on the simulator (benchmarks/detection_models.py): every member set tried caught every
    #: incident with no false alert; ECOD alone was the fastest (no JIT, ~0.4 s per 100k windows)
    ensemble: Annotated[tuple[str, ...], NoDecode] = ("ecod",)
    ensemble_combine: Literal["mean", "max"] = "mean"
    contamination: float = Field(default=1e-4, gt=0, lt=0.5)
    random_state: int = 0
    model_dir: Path = Path(".tooltrail/models")
    model_key: SecretStr | None = Field(
        default=None, description="HMAC key for saved models (refused unsigned when set)"
    )

    # -- rules ------------------------------------------------------------------------------------
    max_calls_per_minute: int = Field(default=300, ge=1, description="hard limit per user/agent")
    loop_repeats_per_minute: int = Field(
        default=40, ge=2, description="identical calls (same args) in one window: a loop"
    )
    denial_burst: int = Field(default=5, ge=1, description="denials in one window")
    sensitive_tools: Annotated[tuple[str, ...], NoDecode] = (
        "grant_role",
        "run_command",
        "export_table",
    )
    # -- tool semantics (override the name heuristic of detectors/semantics.py) ------------------
    destructive_tools: Annotated[tuple[str, ...], NoDecode] = ()
    exporting_tools: Annotated[tuple[str, ...], NoDecode] = ()
    readonly_tools: Annotated[tuple[str, ...], NoDecode] = ()

    # -- family paging rules (detectors/families.py), against each entity's own baseline -------
    family_rules: bool = Field(
        default=True, description="page on the attack families (detectors/families.py)"
    )
    novelty_burst: int = Field(
        default=4, ge=1, description="never-used tools + servers of one entity in one window"
    )
    novelty_jump_bits: float = Field(
        default=5.0,
        ge=0,
        description="a novelty burst pages when one of its never-used tools was reached by a "
        "move this surprising for everyone (bits; a new team's routine is a move colleagues "
        "make, a sweep over unrelated tools is not); 0 pages on the count alone",
    )
    off_hours_calls: int = Field(
        default=2,
        ge=1,
        description="calls in one window at hours the user never worked, in a sitting that "
        "started there after two hours' quiet (one call pages three hours from any worked hour)",
    )
    destructive_burst: int = Field(
        default=3, ge=1, description="destructive calls in one window (and far above own p99)"
    )
    destructive_margin: float = Field(
        default=2.0,
        ge=1,
        description="a destructive burst is more than this many times the entity's own p99 "
        "of destructive calls per window (per user, and per user × tool)",
    )
    routine_factor: float = Field(
        default=4.0,
        ge=1,
        description="an entity that reaches a limit by routine (its own p99 of destructive "
        "calls is a burst already; its own p99 of one repeated call is near the loop limit: a "
        "nightly job) pages only at this many times its own p99",
    )
    error_probe: int = Field(
        default=3, ge=1, description="errors of one user × tool in one window, with big args"
    )
    bulk_factor: float = Field(
        default=100.0, gt=1, description="result bytes of one window over own p99 (3+ calls)"
    )
    bulk_stream_factor: float = Field(
        default=20.0,
        gt=1,
        description="result bytes of one window over own p99 when spread over many large "
        "results (at least 3 times the largest): a stream of reads, not one export",
    )
    probe_args_factor: float = Field(
        default=4.0,
        gt=1,
        description="an error storm on a tool the person calls too rarely for a baseline of "
        "its own: arguments more than this many times the largest they sent it (own p99)",
    )
    bulk_tool_calls: int = Field(
        default=8,
        ge=1,
        description="reads of one tool in one window (per user × tool) for a read burst",
    )
    bulk_tool_factor: float = Field(
        default=4.0,
        gt=1,
        description="a read burst of one tool is this many times the person's own p99 of calls "
        "of that tool per window, with more than twice its own p99 of result bytes",
    )
    bulk_tool_bytes: int = Field(
        default=64 << 10,
        ge=0,
        description="the least a read burst of one tool (bulk_tool_factor) must receive in one "
        "window: a job's replay of small records after an outage, a storm's bookings looked up, "
        "is no harvest of the tool (16 KiB until round 14; the person's own minute, "
        "bulk_factor and the spreads, has no floor: a harvest of small records far above the "
        "person's own minute still pages there)",
    )
    bulk_huge_bytes: int = Field(
        default=1 << 20,
        ge=1,
        description="one result at least this large and bulk_factor times the largest the "
        "person usually receives (own p99 of result_max) pages on its own",
    )
    bulk_hour_factor: float = Field(
        default=20.0,
        gt=1,
        description="a harvest paced over an hour: results received in the hour up to a window "
        "this many times the person's own p99 for an hour (and at least bulk_hour_bytes)",
    )
    bulk_hour_bytes: int = Field(
        default=2 << 20,
        ge=1,
        description="the least an hour's results must add up to for bulk_hour_factor to page "
        "(5 MiB until round 13: a harvest of 100-250 KB reads a minute by someone whose own "
        "hour is under 250 KB waited for the floor, not the factor)",
    )
    bulk_pace_factor: float = Field(
        default=10.0,
        gt=1,
        description="a harvest read object by object: results received in the five minutes up "
        "to a window this many times the person's own p99 for five minutes (and at least "
        "bulk_pace_bytes, made of bulk_pace_results comparable results)",
    )
    bulk_pace_bytes: int = Field(
        default=2 << 20,
        ge=1,
        description="the least five minutes' results must add up to for bulk_pace_factor to page",
    )
    bulk_pace_results: float = Field(
        default=4.0,
        ge=1,
        description="how many results of comparable size five minutes' results must be made of "
        "for bulk_pace_factor to page (a few large exports are not a harvest)",
    )
    harvest_results: float = Field(
        default=4.0,
        ge=1,
        description="a harvest of one tool paced over the hour (per user × tool): at least this "
        "many results of comparable size in the hour up to a window (results_1h), each "
        "harvest_size_factor times larger than the person's own and anyone's from the tool",
    )
    harvest_size_factor: float = Field(
        default=3.0,
        gt=1,
        description="the typical size of the hour's comparable results over the pair's own p99 "
        "of result_max (and harvest_tool_factor over the p99 the tool returns to anyone)",
    )
    harvest_tool_factor: float = Field(
        default=4.0,
        gt=1,
        description="the typical size of the hour's comparable results over the largest p99 of "
        "result_max the tool returned anyone in the baseline (its server × tool level): a "
        "quarter's exports are as large as colleagues' were; a harvest's objects are not",
    )
    harvest_hour_factor: float = Field(
        default=8.0,
        gt=1,
        description="the hour's results of one tool over the pair's own p99 for an hour",
    )
    harvest_bytes: int = Field(
        default=512 << 10,
        ge=1,
        description="the least the hour's results of one tool must add up to for a harvest",
    )
    object_spreads: float = Field(
        default=2.5,
        gt=0,
        description="a harvest's first object (per user × tool): one result this many spreads "
        "from the pair's own p50 of result_max (baseline.relative: a spread is the distance "
        "from its p50 to its p99 in log space; 1 is its p99), object_tool_spreads from the "
        "tool's and object_tool_factor times the largest the tool returned anyone",
    )
    object_tool_spreads: float = Field(
        default=2.5,
        ge=0,
        description="a harvest's first object, this many spreads from what the tool returns "
        "anyone (its server × tool p50 of result_max; its p99 is 1): a tool whose results vary "
        "widely for everyone (files, logs, queries) returns a large one now and then",
    )
    object_tool_factor: float = Field(
        default=2.0,
        gt=1,
        description="a harvest's first object over the largest p99 of result_max the tool "
        "returned anyone in the baseline (its server × tool level)",
    )
    object_bytes: int = Field(
        default=64 << 10,
        ge=1,
        description="the least a harvest's first object must be",
    )
    harvest_max_factor: float = Field(
        default=2.0,
        gt=1,
        description="a harvest paced over the hour also when its results are typically this many "
        "times the largest result the tool returned anyone in the baseline (its largest ever "
        "there, not its p99) and the pair's own p99 of result_max: a tool that returns bounded "
        "pages, read for objects beyond any page it ever gave (in place of harvest_size_factor and "
        "harvest_tool_factor; harvest_hour_factor still applies)",
    )
    harvest_max_share: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="a harvest judged by the tool's largest result (harvest_max_factor): its "
        "comparable results (results_1h) at least this share of the hour's calls of the tool "
        "(a harvest's reads are its objects; a month-end's large queries come among small ones)",
    )
    harvest_share: float = Field(
        default=0.15,
        gt=0,
        le=1,
        description="the least share of the hour's calls of the tool its comparable results "
        "must be: object after object, not a day's queries with a few large exports among them",
    )
    destructive_pace: float = Field(
        default=6.0,
        ge=1,
        description="destructive calls in five minutes (destructive_5m) that page when more "
        "than destructive_margin times the entity's own p99 for five minutes: deletes paced "
        "a minute apart, under destructive_burst in every window",
    )
    destructive_hour: float = Field(
        default=12.0,
        ge=1,
        description="destructive calls in an hour (destructive_1h) that page when more than "
        "routine_factor times the entity's own p99 for an hour (at least one), the last five "
        "minutes holding their share: deletes paced five minutes apart, under destructive_pace "
        "in every five minutes",
    )
    destructive_unowned: float = Field(
        default=2.0,
        ge=1,
        description="calls in five minutes of a destructive tool that neither the user nor "
        "anyone else called in the baseline (tool_peers 0) that page, per user × tool: "
        "deletes paced a minute apart with a tool nobody here uses page on their second call",
    )
    org_night_users: int = Field(
        default=3,
        ge=1,
        description="other users up at hours rare for them in the same hour, on any server: a "
        "night the organisation keeps together (off_hours then does not page; nor with two, one "
        "of them up on a server of the window's calls)",
    )
    org_shift_users: int = Field(
        default=3,
        ge=1,
        description="other users beyond their own p99 on a model alert's farthest feature in "
        "windows ending at the same time: the population's shift (a storm, a quarter's close); "
        "the model alert is kept low (stored, not paged)",
    )
    org_event_users: int = Field(
        default=3,
        ge=1,
        description="other users starting on new tools in the same hour: an organisation event "
        "(novelty and model alerts then do not page; nor off_hours with one other user up at "
        "an hour rare for them)",
    )

    # -- alerts -----------------------------------------------------------------------------------
    cooldown_minutes: float = Field(default=30.0, ge=0)
    group_minutes: float = Field(default=10.0, ge=0)
    notify_per_group: bool = Field(
        default=True,
        description="send one notification per alert group (and again when more severe)",
    )
    min_severity: Literal["low", "medium", "high", "critical"] = Field(
        default="medium", description="send alerts of at least this severity to the sinks"
    )
    announce_max_hours: float = Field(
        default=72.0,
        gt=0,
        description="the longest window one announcement (tooltrail alerts announce) may cover",
    )
    dashboard_url: str = Field(
        # the Investigation dashboard (tooltrail.dashboards.investigation): uid and variables
        default="http://localhost:3000/d/tooltrail-investigate?var-entity_kind={entity_kind}"
        "&var-entity={entity}&var-alert={alert_id}&from={from_ms}&to={to_ms}",
        description="investigation link; {entity_kind} {entity} {from_ms} {to_ms} {alert_id}",
    )
    slack_webhook_url: SecretStr | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _split_lists(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in (
                "ensemble",
                "sensitive_tools",
                "destructive_tools",
                "exporting_tools",
                "readonly_tools",
            ):
                if key in data:
                    data[key] = _csv(data[key])
        return data

    @model_validator(mode="after")
    def _check(self) -> DetectSettings:
        if self.window_seconds % self.step_seconds:
            raise ValueError("window_seconds must be a multiple of step_seconds")
        from .models import MODEL_NAMES

        if not self.ensemble:
            raise ValueError("ensemble must name at least one model (ecod, iforest, hbos, ...)")
        unknown = [m for m in self.ensemble if m not in MODEL_NAMES]
        if unknown:
            raise ValueError(
                f"ensemble: unknown model(s) {', '.join(unknown)}; known: "
                + ", ".join(sorted(MODEL_NAMES))
            )
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("webhook_secret is required when webhook_url is set")
        if self.environment != "development":
            secret = self.webhook_secret
            if secret is not None and secret.get_secret_value().lower() in PLACEHOLDER_SECRETS:
                raise ValueError("webhook_secret is a placeholder; set a real secret")
        return self

    # -- derived, in µs ---------------------------------------------------------------------------
    @property
    def window_us(self) -> int:
        return self.window_seconds * _S

    @property
    def step_us(self) -> int:
        return self.step_seconds * _S

    @property
    def lateness_us(self) -> int:
        return int(self.lateness_seconds * _S)

    @property
    def baseline_us(self) -> int:
        return int(self.baseline_days * 86400 * _S)

    @property
    def hours_us(self) -> int:
        return int(max(self.hours_days, self.baseline_days) * 86400 * _S)

    @property
    def refit_us(self) -> int:
        return int(self.refit_hours * 3600 * _S)

    @property
    def learning_us(self) -> int:
        return int(self.learning_days * 86400 * _S)

    @property
    def cooldown_us(self) -> int:
        return int(self.cooldown_minutes * 60 * _S)

    @property
    def group_us(self) -> int:
        return int(self.group_minutes * 60 * _S)

    @property
    def announce_max_us(self) -> int:
        return int(self.announce_max_hours * 3600 * _S)
