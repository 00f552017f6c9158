"""What a benchmark measured: ``TaskSpec`` (the statement and its labels), ``Measurement`` (its
times and statistics, printed as torch's) and the formatting helpers ``Compare`` uses."""
import collections
import contextlib
import dataclasses
import math
import textwrap

from ember._backend import np

__all__ = ["TaskSpec", "Measurement", "select_unit", "unit_to_english", "trim_sigfig",
           "ordered_unique", "set_torch_threads"]

_MAX_SIGNIFICANT_FIGURES = 4
_MIN_CONFIDENCE_INTERVAL = 25e-9  # seconds
_IQR_WARN_THRESHOLD = 0.1
_IQR_GROSS_WARN_THRESHOLD = 0.25
_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}


@dataclasses.dataclass(init=True, repr=False, eq=True, frozen=True)
class TaskSpec:
    """The statement a Timer runs and how its measurements are labelled (all but globals)."""
    stmt: str
    setup: str
    global_setup: str = ""
    label: str = None
    sub_label: str = None
    description: str = None
    env: str = None
    num_threads: int = 1

    @property
    def title(self):
        """The label (else the one-line statement), with the sub-label after a colon."""
        sub = ": %s" % self.sub_label if self.sub_label else ""
        if self.label is not None:
            return self.label + sub
        if "\n" not in self.stmt:
            return self.stmt + sub
        return "stmt:%s\n%s" % (" (%s)" % self.sub_label if self.sub_label else "",
                                textwrap.indent(self.stmt, "  "))

    def setup_str(self):
        if self.setup in ("pass", ""):
            return ""
        if "\n" in self.setup:
            return "setup:\n" + textwrap.indent(self.setup, "  ")
        return "setup: " + self.setup

    def summarize(self):
        """The task's lines of a Measurement's printout."""
        parts = [p for p in (self.title, self.description or "", self.setup_str()) if p]
        return "\n".join(p + "\n" if "\n" in p else p for p in parts)


_TASKSPEC_FIELDS = tuple(f.name for f in dataclasses.fields(TaskSpec))


def _quantile(sorted_values, q):
    """torch.quantile's default: linear interpolation between the closest ranks, with torch's
    lerp (from the nearer end)."""
    position = q * (len(sorted_values) - 1)
    low = int(math.floor(position))
    start, end = sorted_values[low], sorted_values[int(math.ceil(position))]
    weight = position - low
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


@dataclasses.dataclass(init=True, repr=False)
class Measurement:
    """The times of one Timer measurement (``raw_times``, each of ``number_per_run`` runs) and
    its statistics; the task's fields (``label``, ``stmt``, ``num_threads``, ...) read through.
    """
    number_per_run: int
    raw_times: list
    task_spec: TaskSpec
    metadata: dict = None

    def __post_init__(self):
        self._sorted_times = ()
        self._warnings = ()
        self._median = self._mean = self._p25 = self._p75 = -1.0

    def __getattr__(self, name):
        if name in _TASKSPEC_FIELDS:
            return getattr(self.task_spec, name)
        return super().__getattribute__(name)

    @property
    def times(self):
        """Seconds per run, one entry per block of runs."""
        return [t / self.number_per_run for t in self.raw_times]

    @property
    def median(self):
        self._lazy_init()
        return self._median

    @property
    def mean(self):
        self._lazy_init()
        return self._mean

    @property
    def iqr(self):
        self._lazy_init()
        return self._p75 - self._p25

    @property
    def significant_figures(self):
        """Figures of the median the spread of the middle half of the times supports (1-4)."""
        self._lazy_init()
        # in float32, as torch computes it (its tensors of Python floats are float32)
        n = len(self._sorted_times)
        middle = np.array(self._sorted_times[n // 4:int(math.ceil(3 * n / 4))], np.float32)
        std = float(middle.std())
        interval = max(1.645 * std / float(np.sqrt(np.float32(len(middle)))),
                       _MIN_CONFIDENCE_INTERVAL)
        figures = int(np.floor(np.log10(np.float32(self._median / interval))))
        return min(max(figures, 1), _MAX_SIGNIFICANT_FIGURES)

    @property
    def has_warnings(self):
        self._lazy_init()
        return bool(self._warnings)

    def _lazy_init(self):
        if self.raw_times and not self._sorted_times:
            self._sorted_times = tuple(sorted(self.times))
            self._median = _quantile(self._sorted_times, 0.5)
            self._mean = sum(self._sorted_times) / len(self._sorted_times)
            self._p25 = _quantile(self._sorted_times, 0.25)
            self._p75 = _quantile(self._sorted_times, 0.75)
            if not self.meets_confidence(_IQR_GROSS_WARN_THRESHOLD):
                self._warn("This suggests significant environmental influence.")
            elif not self.meets_confidence(_IQR_WARN_THRESHOLD):
                self._warn("This could indicate system fluctuation.")

    def _warn(self, why):
        self._warnings += ("  WARNING: Interquartile range is %.1f%% of the median measurement."
                           "\n           %s" % (self.iqr / self.median * 100, why),)

    def meets_confidence(self, threshold=_IQR_WARN_THRESHOLD):
        """Whether the interquartile range is below ``threshold`` of the median."""
        return self.iqr / self.median < threshold

    @property
    def title(self):
        return self.task_spec.title

    @property
    def as_row_name(self):
        return self.sub_label or self.stmt or "[Unknown]"

    def __repr__(self):
        self._lazy_init()
        n = len(self._sorted_times)
        unit, scale = select_unit(self._median)
        lines = ["<torch.utils.benchmark.utils.common.Measurement object at %#x>" % id(self),
                 self.task_spec.summarize(),
                 "  %s%.2f %s" % ("Median: " if n > 1 else "", self._median / scale, unit)]
        if n >= 4:
            lines.append("  IQR:    %.2f %s (%.2f to %.2f)" % (
                self.iqr / scale, unit, self._p25 / scale, self._p75 / scale))
        lines.append("  %d measurement%s, %d runs %s %d thread%s" % (
            n, "s" if n > 1 else "", self.number_per_run,
            "per measurement," if n > 1 else ",", self.num_threads,
            "s" if self.num_threads > 1 else ""))
        lines.extend(self._warnings)
        return "\n".join(line for line in "\n".join(lines).strip().splitlines())

    @staticmethod
    def merge(measurements):
        """One Measurement per TaskSpec, its times those of all replicates (per single run)."""
        groups = collections.defaultdict(list)
        for m in measurements:
            groups[m.task_spec].append(m)
        return [Measurement(number_per_run=1, raw_times=[t for m in group for t in m.times],
                            task_spec=spec, metadata=None) for spec, group in groups.items()]


def select_unit(t):
    """``(unit, scale)`` to print ``t`` seconds: ns, us, ms or s, as torch chooses."""
    if not 0 < t < math.inf:
        raise ValueError("cannot convert float NaN to integer")
    unit = {-3: "ns", -2: "us", -1: "ms"}.get(int(math.log10(t) // 3), "s")
    return unit, _UNITS[unit]


def unit_to_english(u):
    return {"ns": "nanosecond", "us": "microsecond", "ms": "millisecond", "s": "second"}[u]


def trim_sigfig(x, n):
    """``x`` rounded to ``n`` significant figures (3.14159, 2 -> 3.1)."""
    if n != int(n):
        raise AssertionError("Number of significant figures must be an integer")
    # float32 arithmetic and half-to-even rounding, as torch's tensors of Python floats
    magnitude = int(np.ceil(np.log10(np.abs(np.float32(x)))))
    scale = 10 ** (magnitude - n)
    return float(np.round(np.float32(x / scale)) * np.float32(scale))


def ordered_unique(elements):
    """The distinct elements in order of first appearance."""
    return list(dict.fromkeys(elements))


@contextlib.contextmanager
def set_torch_threads(n):
    """Run the body with ``n`` threads for ember's kernels, then restore the count."""
    import ember

    prior = ember.get_num_threads()
    try:
        ember.set_num_threads(n)
        yield
    finally:
        ember.set_num_threads(prior)
