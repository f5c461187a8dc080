"""The measurements of one suite run: every figure keeps one sample per repetition and is reported as
the median. A figure the report asks for but no benchmark produced is remembered as missing, which
fails the run (a benchmark that reports nothing has rotted)."""
import math, statistics
from dataclasses import dataclass, field


@dataclass
class Settings:
    """How big and how long: the full run, or the short mode CI uses to keep the suite alive."""
    short: bool
    runs: int
    seconds: int
    objects: int          # pods for the memory and restart benchmarks
    watchers: int         # the large watch fan-out
    parallel_replicas: int
    ordered_replicas: int
    real_pods: int        # the largest batch of real pods (benchmarks/realpods.py)

    @staticmethod
    def make(short, runs, seconds, objects):
        if short:
            return Settings(True, 1, 1, objects or 1_000, 100, 50, 20, 10)
        return Settings(False, runs, seconds, objects or 100_000, 10_000, 1_000, 200, 100)


@dataclass
class Figures:
    samples: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    details: dict = field(default_factory=dict)   # lists a section shows as they are (fuzzing's 5xx by endpoint)

    def add(self, key, value):
        self.samples.setdefault(key, []).append(float(value))

    def get(self, key):
        """The median of `key`'s samples, or None (and `key` noted missing) if there is none."""
        values = [v for v in self.samples.get(key, []) if not math.isnan(v)]
        if not values:
            if key not in self.missing:
                self.missing.append(key)
            return None
        return statistics.median(values)


@dataclass
class Context:
    """What each benchmark module's `run(context)` gets: binaries, sizes, a scratch dir, the figures."""
    settings: Settings
    figures: Figures
    workdir: object
    kubelite: str
    baseline: str
    watchers: str

    def repeat(self, measure):
        """Calls `measure` once per run (each call adds its own samples)."""
        for _ in range(self.settings.runs):
            measure()


def fmt(value, pattern):
    """A figure for the report, or "—" when nobody measured it."""
    return "—" if value is None else pattern.format(value)
