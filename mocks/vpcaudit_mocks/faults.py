"""Fault-injection rules set through `POST /_vpcaudit/faults`.

A rule matches a request when every filter it names (service, region, action,
and `params`: query-protocol parameters such as STS's RoleArn, or `Version`,
which tells Classic ELB's calls (2012-06-01) from ELBv2's (2015-12-01) of the
same name under the one `elasticloadbalancing` service) equals the request's; it then fires with probability `rate` drawn from a
seeded RNG so test runs are repeatable. The first rule that fires wins.

`failed_ids` makes Security Hub's BatchImportFindings a partial failure: the
findings with those ids are not imported and come back in `FailedFindings`
(with `FailedCount`), the others are imported as usual (`partial.py`).
"""

import random
import threading
from dataclasses import dataclass

from .request import AwsRequest

HANG = "hang"
HANG_DEFAULT_MS = 3_600_000


@dataclass
class Rule:
    error: str | None = None  # error code, "hang", or None for latency only
    latency_ms: int | None = None
    service: str | None = None
    region: str | None = None
    action: str | None = None
    rate: float = 1.0
    status: int | None = None  # override the error's default HTTP status
    message: str | None = None
    times: int | None = None  # fire at most this many times (None = forever)
    # query-protocol parameters that must all be equal, e.g. STS AssumeRole's
    # {"RoleArn": "arn:aws:iam::210987654321:role/Audit"}
    params: dict[str, str] | None = None
    # BatchImportFindings: finding ids to reject (see partial.py)
    failed_ids: list[str] | None = None

    def matches(self, req: AwsRequest) -> bool:
        return all(
            want is None or want == got
            for want, got in (
                (self.service, req.service),
                (self.region, req.region),
                (self.action, req.action),
            )
        ) and all(req.param(k) == str(v) for k, v in (self.params or {}).items())


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._rng = random.Random(0)

    def set(self, spec: dict) -> None:
        """Replace all rules; raises TypeError/ValueError on a bad spec."""
        rules = [Rule(**r) for r in spec.get("rules", [])]
        for r in rules:
            if not 0.0 <= float(r.rate) <= 1.0:
                raise ValueError(f"rate out of range: {r.rate}")
        with self._lock:
            self._rules = rules
            self._rng = random.Random(spec.get("seed", 0))

    def clear(self) -> None:
        self.set({})

    def list(self) -> list[dict]:
        with self._lock:
            return [vars(r).copy() for r in self._rules]

    def pick(self, req: AwsRequest) -> Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.times is not None and rule.times <= 0:
                    continue
                if not rule.matches(req) or self._rng.random() >= rule.rate:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return rule
        return None
