"""``ember.utils.benchmark``: ``Timer`` and ``Measurement`` as torch.utils.benchmark's.

``Timer(stmt, setup, globals=...)`` times a statement with ``timeit`` (``timeit(number)``,
``repeat``, ``blocked_autorange``, ``adaptive_autorange``) and returns a ``Measurement`` that
prints as torch's: the statement, median and interquartile range in a fitting unit, and the
counts of measurements, runs and threads.
"""
import statistics
import timeit as _timeit

__all__ = ["Measurement", "Timer", "select_unit"]


def select_unit(t):
    """``(unit, scale)`` to print ``t`` seconds: ns, us, ms or s, as torch chooses."""
    import math

    exponent = int(math.log10(t) // 3) if t > 0 else 0
    unit = {-3: "ns", -2: "us", -1: "ms"}.get(exponent, "s")
    return unit, {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


class Measurement:
    """Times of one statement: ``times`` (seconds per run, one entry per measurement)."""

    def __init__(self, number_per_run, raw_times, task_spec=None, metadata=None, stmt="",
                 label=None, sub_label=None, description=None, num_threads=1):
        self.number_per_run = number_per_run
        self.raw_times = list(raw_times)
        self.stmt, self.label, self.sub_label = stmt, label, sub_label
        self.description, self.num_threads = description, num_threads
        self.metadata = metadata

    @property
    def times(self):
        return [t / self.number_per_run for t in self.raw_times]

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def mean(self):
        return statistics.mean(self.times)

    @property
    def iqr(self):
        if len(self.times) < 2:
            return 0.0
        quartiles = statistics.quantiles(self.times, n=4, method="inclusive")
        return quartiles[2] - quartiles[0]

    @property
    def has_warnings(self):
        return len(self.times) > 1 and self.iqr / self.median > 0.1

    @property
    def title(self):
        return self.label or self.stmt

    def __repr__(self):
        unit, scale = select_unit(self.median)
        lines = ["<torch.utils.benchmark.utils.common.Measurement object at %#x>" % id(self),
                 self.title]
        if self.sub_label or self.description:
            lines.append("  " + ": ".join(x for x in (self.sub_label, self.description) if x))
        n = len(self.times)
        if n == 1:
            lines.append("  %.2f %s" % (self.median / scale, unit))
            lines.append("  1 measurement, %d runs , %d thread%s" % (
                self.number_per_run, self.num_threads, "s" if self.num_threads > 1 else ""))
        else:
            quartiles = statistics.quantiles(self.times, n=4, method="inclusive")
            lines.append("  Median: %.2f %s" % (self.median / scale, unit))
            lines.append("  IQR:    %.2f %s (%.2f to %.2f)" % (
                self.iqr / scale, unit, quartiles[0] / scale, quartiles[2] / scale))
            lines.append("  %d measurements, %d runs per measurement, %d thread%s" % (
                n, self.number_per_run, self.num_threads, "s" if self.num_threads > 1 else ""))
            if self.has_warnings:
                lines.append("  WARNING: Interquartile range is %.1f%% of the median "
                             "measurement.\n           This suggests significant environmental "
                             "influence." % (100 * self.iqr / self.median))
        return "\n".join(lines)


class Timer:
    """Time ``stmt`` after running ``setup``, with ``globals`` as its namespace.

    Args:
        stmt (str): the statement to time.
        setup (str): run once before timing.
        globals (dict, optional): the namespace ``stmt`` and ``setup`` run in.
        label, sub_label, description (str, optional): printed with the measurement.
        num_threads (int): threads ember uses while timing.
    """

    def __init__(self, stmt="pass", setup="pass", global_setup="", timer=_timeit.default_timer,
                 globals=None, label=None, sub_label=None, description=None, env=None,
                 num_threads=1, language="python"):
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        self._stmt, self._label, self._sub_label = stmt, label, sub_label
        self._description, self._num_threads = description, num_threads
        self._timer = _timeit.Timer(stmt=stmt, setup=setup, timer=timer,
                                    globals=dict(globals or {}))

    def _run(self, number):
        import ember

        previous = ember.get_num_threads()
        ember.set_num_threads(self._num_threads)
        try:
            return self._timer.timeit(number)
        finally:
            ember.set_num_threads(previous)

    def _measurement(self, number, times):
        return Measurement(number, times, stmt=self._stmt, label=self._label,
                           sub_label=self._sub_label, description=self._description,
                           num_threads=self._num_threads)

    def timeit(self, number=1000000):
        """One measurement of ``number`` runs (after one warm-up run)."""
        self._run(max(1, number // 100) if number > 100 else 1)
        return self._measurement(number, [self._run(number)])

    def repeat(self, repeat=-1, number=-1):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _block_size(self, min_block_time=0.025):
        number = 1
        while True:
            if self._run(number) >= min_block_time:
                return number
            number *= 10

    def blocked_autorange(self, callback=None, min_run_time=0.2):
        """Measure blocks of runs (each about 25 ms) until ``min_run_time`` seconds are spent."""
        number = self._block_size()
        times, total = [], 0.0
        while total < min_run_time or len(times) < 2:
            t = self._run(number)
            if callback is not None:
                callback(number, t)
            times.append(t)
            total += t
        return self._measurement(number, times)

    def adaptive_autorange(self, threshold=0.1, *, min_run_time=0.01, max_run_time=10.0,
                           callback=None):
        """Measure until the interquartile range is within ``threshold`` of the median (or
        ``max_run_time`` seconds pass)."""
        number = self._block_size(min_run_time / 10)
        times, total = [], 0.0
        while total < max_run_time:
            t = self._run(number)
            if callback is not None:
                callback(number, t)
            times.append(t)
            total += t
            if total >= min_run_time and len(times) > 3:
                m = self._measurement(number, times)
                if m.iqr / m.median < threshold:
                    break
        return self._measurement(number, times)
