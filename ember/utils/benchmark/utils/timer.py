"""``Timer``: time a Python statement with ``timeit``, as ``torch.utils.benchmark.Timer``."""
import enum
import textwrap
import timeit

from ember.utils.benchmark.utils import common

__all__ = ["Timer", "timer", "Language"]


def timer():
    """The clock Timer reads (ember has no accelerator to synchronize first)."""
    return timeit.default_timer()


class Language(enum.Enum):
    PYTHON = 0
    CPP = 1


def _dedent(code):
    code = textwrap.dedent(code)
    return (code[1:] if code and code[0] == "\n" else code).rstrip()


class Timer:
    """Time ``stmt`` after running ``setup``, with ``globals`` as its namespace (``torch`` in it
    is ember unless given).

    Args:
        stmt (str): the statement to time.
        setup (str): run once before timing.
        timer (callable): the clock.
        globals (dict, optional): the namespace ``stmt`` and ``setup`` run in.
        label, sub_label, description, env (str, optional): how ``Compare`` files the results.
        num_threads (int): threads ember's kernels use while timing.
        language: ``"python"`` (C++ statements need torch's C++ toolchain: refused).

    Example:
        >>> import ember
        >>> from ember.utils.benchmark import Timer
        >>> m = Timer("x + x", globals={"x": ember.ones(3)}).timeit(100)
        >>> m.number_per_run, len(m.times)
        (100, 1)
    """

    def __init__(self, stmt="pass", setup="pass", global_setup="", timer=timer, globals=None,
                 label=None, sub_label=None, description=None, env=None, num_threads=1,
                 language=Language.PYTHON):
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        self._globals = dict(globals or {})
        if language in (Language.PYTHON, "py", "python"):
            import ember

            self._globals.setdefault("torch", ember)
            self._language = Language.PYTHON
            if global_setup:
                raise ValueError("global_setup is C++ only, got `%s`. Most likely this code can "
                                 "simply be moved to `setup`." % global_setup)
        elif language in (Language.CPP, "cpp", "c++"):
            raise NotImplementedError("ember times Python statements only: C++ statements are "
                                      "compiled against torch's C++ library")
        else:
            raise ValueError("Invalid language `%s`." % (language,))
        stmt, setup = _dedent(stmt), _dedent(setup)
        self._timer = timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=self._globals)
        self._task_spec = common.TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup,
                                          label=label, sub_label=sub_label,
                                          description=description, env=env,
                                          num_threads=num_threads)

    def _timeit(self, number):
        return max(self._timer.timeit(number), 1e-9)

    def _measurement(self, number, times):
        return common.Measurement(number_per_run=number, raw_times=times,
                                  task_spec=self._task_spec)

    def timeit(self, number=1000000):
        """One measurement of ``number`` runs (after a warm-up of ``number // 100``)."""
        with common.set_torch_threads(self._task_spec.num_threads):
            self._timeit(number=max(int(number // 100), 2))
            return self._measurement(number, [self._timeit(number=number)])

    def repeat(self, repeat=-1, number=-1):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def autorange(self, callback=None):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _estimate_block_size(self, min_run_time):
        """Runs per block: grown tenfold until the timer's overhead is negligible."""
        with common.set_torch_threads(self._task_spec.num_threads):
            overheads = sorted(self._timeit(0) for _ in range(5))
            overhead = overheads[2]
            number = 1
            while True:
                taken = self._timeit(number)
                if overhead / taken <= 1e-4 and taken >= min_run_time / 1000:
                    break
                if taken > min_run_time or number * 10 > 2147483647:
                    break
                number *= 10
        return number

    def _loop(self, number, stop, min_run_time, max_run_time=None, callback=None):
        total, times, can_stop = 0.0, [], False
        with common.set_torch_threads(self._task_spec.num_threads):
            while total < min_run_time or not can_stop:
                spent = self._timeit(number)
                times.append(spent)
                total += spent
                if callback:
                    callback(number, spent)
                can_stop = stop(times)
                if max_run_time and total > max_run_time:
                    break
        return times

    def blocked_autorange(self, callback=None, min_run_time=0.2):
        """Measure blocks of runs until ``min_run_time`` seconds are spent."""
        number = self._estimate_block_size(min_run_time)
        return self._measurement(number, self._loop(number, lambda times: True, min_run_time,
                                                    callback=callback))

    def adaptive_autorange(self, threshold=0.1, *, min_run_time=0.01, max_run_time=10.0,
                           callback=None):
        """Measure until the interquartile range is within ``threshold`` of the median (or
        ``max_run_time`` seconds pass)."""
        number = self._estimate_block_size(min_run_time=0.05)

        def stop(times):
            return len(times) > 3 and self._measurement(number, times).meets_confidence(
                threshold=threshold)

        return self._measurement(number, self._loop(number, stop, min_run_time, max_run_time,
                                                    callback))
