"""``torch.cpu``: the CPU device module (the one device ember has)."""
import contextlib

__all__ = ["Event", "Stream", "StreamContext", "current_device", "current_stream",
           "device_count", "get_capabilities", "is_available", "is_initialized", "set_device",
           "stream", "synchronize"]


class Stream:
    """The CPU stream: work runs in order as it is issued, so it is always complete."""

    def __init__(self, device=None, *, priority=0):
        self.device_type, self.device_index, self.stream_id = "cpu", -1, 0
        self.priority = priority

    def query(self):
        return True

    def synchronize(self):
        pass

    def wait_event(self, event):
        pass

    def wait_stream(self, stream):
        pass

    def record_event(self, event=None):
        event = Event() if event is None else event
        event.record(self)
        return event

    def __eq__(self, other):
        return isinstance(other, Stream)

    def __hash__(self):
        return hash(("cpu", 0))

    def __repr__(self):
        return "torch.Stream device_type=cpu, device_index=-1, stream_id=0"


class Event:
    """A CPU event: recorded work is already done, so queries answer True."""

    def __init__(self, device=None, *, enable_timing=False, blocking=False, interprocess=False):
        self.device_type, self.device_index, self.event_id = "cpu", -1, 0
        self.enable_timing = enable_timing

    def record(self, stream=None):
        pass

    def query(self):
        return True

    def synchronize(self):
        pass

    def wait(self, stream=None):
        pass

    def __repr__(self):
        return "torch.Event device_type=cpu, device_index=-1, event_flag=0, event_id=0"


_STREAM = Stream()


def is_available():
    return True


def is_initialized():
    return True


def device_count():
    return 1


def current_device():
    return "cpu"


def set_device(device):
    """Accepted and ignored: there is one CPU device."""


def synchronize(device=None):
    """Nothing to wait for: CPU work is done when the call returns."""


def current_stream(device=None):
    return _STREAM


class StreamContext(contextlib.AbstractContextManager):
    def __init__(self, stream):
        self.stream = stream

    def __exit__(self, *exc):
        return False


def stream(stream):
    return StreamContext(stream)


def get_capabilities():
    """What torch reports about the CPU, as far as Python can tell (architecture, cores)."""
    import os
    import platform

    return {"architecture": platform.machine(), "num_logical_cores": os.cpu_count()}


class _AmpModule:
    """``torch.cpu.amp``: deprecated aliases of ``torch.amp`` with device ``'cpu'``."""

    def autocast(self, enabled=True, dtype=None, cache_enabled=True):
        from ember import _dtype
        from ember.amp import _deprecated, autocast

        _deprecated("torch.cpu.amp.autocast(args...)", "torch.amp.autocast('cpu', args...)")
        return autocast("cpu", dtype=dtype or _dtype._bfloat16(), enabled=enabled,
                        cache_enabled=cache_enabled)

    def GradScaler(self, *args, **kwargs):
        from ember.amp import GradScaler, _deprecated

        _deprecated("torch.cpu.amp.GradScaler(args...)", "torch.amp.GradScaler('cpu', args...)")
        return GradScaler("cpu", *args, **kwargs)


amp = _AmpModule()
