"""Token buckets per source, counted in events, with a debt for large batches."""

from __future__ import annotations

import pytest

from tooltrail.collector.errors import RateLimited
from tooltrail.collector.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_full_bucket_admits_the_burst_then_refuses_with_retry_after() -> None:
    clock = Clock()
    rl = RateLimiter(rate=100, burst=50, clock=clock)
    rl.take("svc", 30)
    rl.take("svc", 19)
    rl.take("svc", 1)  # the bucket is now empty
    with pytest.raises(RateLimited) as err:
        rl.take("svc", 1)
    assert err.value.retry_after == pytest.approx(0.01)
    assert err.value.status == 429
    with pytest.raises(RateLimited):
        rl.check("svc")


def test_the_bucket_refills_at_the_rate_up_to_the_burst() -> None:
    clock = Clock()
    rl = RateLimiter(rate=10, burst=20, clock=clock)
    rl.take("svc", 20)
    clock.now += 0.5
    assert rl.tokens("svc") == pytest.approx(5)
    clock.now += 100
    assert rl.tokens("svc") == 20


def test_a_batch_larger_than_the_burst_goes_into_debt_and_waits_it_off() -> None:
    clock = Clock()
    rl = RateLimiter(rate=10, burst=20, clock=clock)
    rl.take("svc", 50)  # never refused forever
    with pytest.raises(RateLimited) as err:
        rl.take("svc", 1)
    assert err.value.retry_after == pytest.approx(3.1)  # (1 - (-30)) / 10
    clock.now += 3.11
    rl.take("svc", 1)


def test_check_takes_nothing_and_sources_are_independent() -> None:
    clock = Clock()
    rl = RateLimiter(rate=1, burst=2, clock=clock)
    for _ in range(5):
        rl.check("svc")
    rl.take("svc", 2)
    with pytest.raises(RateLimited, match="'svc'"):
        rl.check("svc")
    rl.take("other", 2)


def test_the_long_run_rate_is_the_configured_rate() -> None:
    clock = Clock()
    rl = RateLimiter(rate=1000, burst=100, clock=clock)
    admitted = 0
    for _ in range(10_000):  # 10 s of offers of 10 events every ms
        clock.now += 0.001
        try:
            rl.take("svc", 10)
            admitted += 10
        except RateLimited:
            pass
    assert 10_000 <= admitted <= 10_000 + 100 + 10


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(rate=0, burst=1)
