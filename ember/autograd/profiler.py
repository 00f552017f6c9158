"""``ember.autograd.profiler``: per-op CPU time of ember's own ops, in torch's table.

While a ``profile`` is active, every op ember runs (each application of an autograd ``Node``,
i.e. every differentiable op's forward, and every custom ``Function``) and every
``record_function`` range is timed. Ops are named as torch names them (``aten::addmm``, from the
op's autograd node name ``AddmmBackward0``), so ``prof.key_averages().table()`` reads like
torch's: self and total CPU time, their shares, the average and the call count.
"""
import re
import time

__all__ = ["profile", "record_function", "EventList", "FunctionEvent", "FunctionEventAvg"]

_ACTIVE = []  # the running profiles (innermost last)
_STACK = []  # open events of the current call tree


class FunctionEvent:
    """One timed call: ``name``, start/end in microseconds, and its children."""

    def __init__(self, name, start_us, parent=None):
        self.name = self.key = name
        self.time_range_start = start_us
        self.time_range_end = start_us
        self.cpu_parent = parent
        self.cpu_children = []
        self.count = 1

    @property
    def cpu_time_total(self):
        return self.time_range_end - self.time_range_start

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    def __repr__(self):
        return "<FunctionEvent name=%s cpu_time_total=%.3fus>" % (self.name, self.cpu_time_total)


class FunctionEventAvg:
    """The events of one name together (``key_averages`` rows)."""

    def __init__(self, key):
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0

    def add(self, event):
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        return self

    @property
    def cpu_time(self):
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self):
        return "<FunctionEventAvg key=%s self_cpu_time=%.3fus cpu_time=%.3fus count=%d>" % (
            self.key, self.self_cpu_time_total, self.cpu_time, self.count)


def _format_time(us):
    if us >= 1e6:
        return "%.3fs" % (us / 1e6)
    if us >= 1e3:
        return "%.3fms" % (us / 1e3)
    return "%.3fus" % us


class EventList(list):
    """A list of events with torch's ``table`` and ``key_averages``."""

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        averages = {}
        for event in self:
            averages.setdefault(event.key, FunctionEventAvg(event.key)).add(event)
        return EventList(averages.values())

    @property
    def self_cpu_time_total(self):
        return sum(event.self_cpu_time_total for event in self)

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False):
        """torch's table: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg and
        # of Calls, sorted by ``sort_by`` (``"cpu_time_total"``, ``"self_cpu_time_total"``,
        ``"count"``...), at most ``row_limit`` rows."""
        rows = list(self)
        if sort_by is not None:
            key = {"cpu_time": "cpu_time_total", "self_cpu_time": "self_cpu_time_total"}.get(
                sort_by, sort_by)
            rows.sort(key=lambda e: getattr(e, key, 0), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        total = self.self_cpu_time_total or 1.0
        width = min(max_name_column_width, max([len(e.key) for e in rows] + [4]))
        columns = ("Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
                   "# of Calls")
        line = "-" * width + "  " + "  ".join("-" * 12 for _ in columns) + "  "
        out = [line, ("%*s" % (width, "Name")) + "  " + "  ".join(
            "%12s" % c for c in columns) + "  ", line]
        for e in rows:
            name = e.key if len(e.key) <= width else e.key[:width - 3] + "..."
            cells = ("%.2f%%" % (100.0 * e.self_cpu_time_total / total),
                     _format_time(e.self_cpu_time_total),
                     "%.2f%%" % (100.0 * e.cpu_time_total / total), _format_time(e.cpu_time_total),
                     _format_time(e.cpu_time_total / max(1, e.count)), str(e.count))
            out.append("%*s" % (width, name) + "  " + "  ".join("%12s" % c for c in cells) + "  ")
        out.append(line)
        out.append("Self CPU time total: %s" % _format_time(self.self_cpu_time_total))
        return ("" if header is None else header + "\n") + "\n".join(out) + "\n"


def _now_us():
    return time.perf_counter_ns() / 1e3


def _begin(name):
    event = FunctionEvent(name, _now_us(), _STACK[-1] if _STACK else None)
    if event.cpu_parent is not None:
        event.cpu_parent.cpu_children.append(event)
    _STACK.append(event)
    for prof in _ACTIVE:
        prof._events.append(event)
    return event


def _end(event):
    event.time_range_end = _now_us()
    if _STACK and _STACK[-1] is event:
        _STACK.pop()


_NAMES = {}


def _aten(node_name):
    """``AddmmBackward0`` -> ``aten::addmm``: torch's op name from its autograd node name."""
    name = _NAMES.get(node_name)
    if name is None:
        base = re.sub(r"Backward\d*$", "", node_name)
        name = _NAMES[node_name] = "aten::" + re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()
    return name


def _op_name(cls, result, params):
    """The op's torch name: from the node it recorded, else from its class (or the table line
    a table-driven node takes as its parameter)."""
    out = result[0] if isinstance(result, tuple) and result else result
    node = getattr(out, "_grad_fn", None)
    if node is not None and type(node) is cls:
        return _aten(node.name())
    for param in params:
        if hasattr(param, "node_name"):
            return _aten(param.node_name)
    try:
        return _aten(cls.name(object.__new__(cls)))
    except (AttributeError, TypeError):
        return _aten(cls.__name__)


def _timed(apply, naming):
    def timed(cls, *args, **kwargs):
        event = _begin(cls.__name__)
        result = None
        try:
            result = apply(cls, *args, **kwargs)
            return result
        finally:
            event.name = event.key = naming(cls, result, args[1:])
            _end(event)

    return classmethod(timed)


def _install():
    from ember.autograd.function import Function, Node

    originals = (Node.__dict__["apply"], Node.__dict__["apply_multi"],
                 Function.__dict__["apply"])
    Node.apply = _timed(originals[0].__func__, _op_name)
    Node.apply_multi = _timed(originals[1].__func__, _op_name)
    Function.apply = _timed(originals[2].__func__, lambda cls, result, params: cls.__name__)
    return originals


def _uninstall(originals):
    from ember.autograd.function import Function, Node

    Node.apply, Node.apply_multi, Function.apply = originals


class profile:
    """Context manager recording the CPU time of ember's ops (see the module doc).

    Args:
        enabled (bool): record at all.
        use_cuda, use_device, record_shapes, with_flops, profile_memory, with_stack,
            with_modules, use_kineto, use_cpu: accepted as torch's; ember records CPU time.

    Example:
        >>> import ember
        >>> with ember.autograd.profiler.profile() as prof:
        ...     _ = ember.ones(2, 2).matmul(ember.ones(2, 2))
        >>> prof.key_averages()[0].key
        'aten::matmul'
    """

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False,
                 with_flops=False, profile_memory=False, with_stack=False, with_modules=False,
                 use_kineto=False, use_cpu=True, experimental_config=None, acc_events=False,
                 custom_trace_id_callback=None):
        self.enabled = enabled
        self.record_shapes = record_shapes
        self._events = []
        self._originals = None
        self.function_events = None

    def __enter__(self):
        if not self.enabled:
            return self
        if not _ACTIVE:
            self._originals = _install()
        _ACTIVE.append(self)
        return self

    def __exit__(self, *exc):
        if not self.enabled:
            return False
        _ACTIVE.remove(self)
        if self._originals is not None:
            _uninstall(self._originals)
        self.function_events = EventList(self._events)
        return False

    def _require_results(self):
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self.function_events

    def events(self):
        return self._require_results()

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        return self._require_results().key_averages(group_by_input_shape, group_by_stack_n)

    def table(self, sort_by=None, row_limit=100, **kwargs):
        return self._require_results().table(sort_by=sort_by, row_limit=row_limit, **kwargs)

    @property
    def self_cpu_time_total(self):
        return self._require_results().self_cpu_time_total

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (``chrome://tracing``, Perfetto)."""
        import json

        trace = [{"name": e.name, "ph": "X", "ts": e.time_range_start, "dur": e.cpu_time_total,
                  "pid": 0, "tid": 0, "cat": "cpu_op"} for e in self._require_results()]
        with open(path, "w") as f:
            json.dump({"traceEvents": trace}, f)

    def __str__(self):
        return self.table()


class record_function:
    """Name a region (``with record_function("name"):`` or as a decorator); its time shows as a
    row of the profile's table, and ops inside count as its children."""

    def __init__(self, name, args=None):
        self.name = name
        self.args = args
        self._event = None

    def __enter__(self):
        if _ACTIVE:
            self._event = _begin(self.name)
        return self

    def __exit__(self, *exc):
        if self._event is not None:
            _end(self._event)
            self._event = None
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with record_function(self.name, self.args):
                return fn(*args, **kwargs)

        return wrapped
