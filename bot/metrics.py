"""Process metrics in the Prometheus text format (served by `safebot webhook` at /metrics).

Small on purpose: counters, one latency histogram, and gauges read from the store when
scraped. No labels carry user data."""

from __future__ import annotations

import bisect
from collections import Counter
from typing import Callable

# Handler latency buckets, seconds (Prometheus' defaults, trimmed for a chat bot).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.counters: Counter[str] = Counter()
        self._bucket_counts = [0] * (len(BUCKETS) + 1)
        self._latency_sum = 0.0
        self._latency_count = 0
        self.gauges: dict[str, Callable[[], float]] = {}

    def inc(self, name: str, amount: int = 1) -> None:
        self.counters[name] += amount

    def observe_latency(self, seconds: float) -> None:
        self._bucket_counts[bisect.bisect_left(BUCKETS, seconds)] += 1
        self._latency_sum += seconds
        self._latency_count += 1

    def render(self) -> str:
        from .i18n import missing_counter  # strings shown in English for want of a translation

        self.counters["safebot_untranslated_total"] = sum(missing_counter.values())
        lines = []
        for name, help_text in (("safebot_updates_handled_total", "Telegram updates handled"),
                                ("safebot_errors_total", "Errors while handling updates"),
                                ("safebot_distress_total", "Messages that raised a distress alarm"),
                                ("safebot_untranslated_total", "Untranslated strings shown (English used)")):
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter", f"{name} {self.counters[name]}"]
        for name, read in sorted(self.gauges.items()):
            try:
                value = read()
            except Exception:  # a gauge must never break the scrape
                continue
            lines += [f"# TYPE {name} gauge", f"{name} {value}"]
        name = "safebot_handler_latency_seconds"
        lines += [f"# HELP {name} Time to handle one update", f"# TYPE {name} histogram"]
        running = 0
        for bound, count in zip(BUCKETS, self._bucket_counts):
            running += count
            lines.append(f'{name}_bucket{{le="{bound}"}} {running}')
        lines.append(f'{name}_bucket{{le="+Inf"}} {self._latency_count}')
        lines += [f"{name}_sum {self._latency_sum:.6f}", f"{name}_count {self._latency_count}"]
        return "\n".join(lines) + "\n"


metrics = Metrics()
