"""``ember.profiler``: torch.profiler's API over ``ember.autograd.profiler``'s CPU timing.

``profile(activities=[ProfilerActivity.CPU])`` records ember's ops as the autograd profiler
does; ``schedule`` and ``step()`` select which steps are kept, as torch's do.
"""
import enum

from ember.autograd.profiler import EventList, record_function
from ember.autograd.profiler import profile as _autograd_profile

__all__ = ["DeviceType", "ProfilerAction", "ProfilerActivity", "profile", "record_function",
           "schedule", "supported_activities", "tensorboard_trace_handler"]


# The device an event ran on (``event.device_type``), with torch's numbering.
DeviceType = enum.IntEnum("DeviceType", [
    ("CPU", 0), ("CUDA", 1), ("MKLDNN", 2), ("OPENGL", 3), ("OPENCL", 4), ("IDEEP", 5),
    ("HIP", 6), ("FPGA", 7), ("MAIA", 8), ("XLA", 9), ("Vulkan", 10), ("Metal", 11), ("XPU", 12),
    ("MPS", 13), ("Meta", 14), ("HPU", 15), ("VE", 16), ("Lazy", 17), ("IPU", 18), ("MTIA", 19),
    ("PrivateUse1", 20)])


class ProfilerActivity(enum.Enum):
    CPU = 0
    CUDA = 2
    XPU = 3
    MTIA = 4
    HPU = 5
    PrivateUse1 = 6


class ProfilerAction(enum.Enum):
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities():
    """The activities ember can record: the CPU."""
    return {ProfilerActivity.CPU}


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """torch's step schedule: skip ``skip_first`` steps, then cycles of ``wait`` idle,
    ``warmup`` and ``active`` recorded steps (``repeat`` cycles, 0 for unlimited)."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError("Invalid profiler schedule arguments")

    def action(step):
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        cycle = wait + warmup + active
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        position = step % cycle
        if position < wait:
            return ProfilerAction.NONE
        if position < wait + warmup:
            return ProfilerAction.WARMUP
        return (ProfilerAction.RECORD if position < cycle - 1
                else ProfilerAction.RECORD_AND_SAVE)

    return action


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    """An ``on_trace_ready`` handler writing each finished trace as a Chrome trace file."""
    import os
    import socket
    import time

    def handler(prof):
        os.makedirs(dir_name, exist_ok=True)
        name = worker_name or "%s_%d" % (socket.gethostname(), os.getpid())
        prof.export_chrome_trace(os.path.join(
            dir_name, "%s.%d.pt.trace.json" % (name, int(time.time() * 1000))))

    return handler


class profile(_autograd_profile):
    """torch.profiler.profile: records ember's ops on the CPU.

    Args:
        activities: accepted (ember records ``ProfilerActivity.CPU``).
        schedule (callable, optional): step -> ``ProfilerAction``; without it every step is kept.
        on_trace_ready (callable, optional): called with the profiler when a recorded cycle ends.
        record_shapes, profile_memory, with_stack, with_flops, with_modules: accepted.
    """

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None,
                 record_shapes=False, profile_memory=False, with_stack=False, with_flops=False,
                 with_modules=False, experimental_config=None, execution_trace_observer=None,
                 acc_events=False, use_cuda=None, custom_trace_id_callback=None):
        super().__init__(record_shapes=record_shapes)
        self.schedule = schedule
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self._kept = []
        self._saved = []  # the last cycle handed to on_trace_ready

    def _recording(self):
        return self.schedule is None or self.schedule(self.step_num) in (
            ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)

    def __enter__(self):
        super().__enter__()
        return self

    def __exit__(self, *exc):
        self._keep()
        super().__exit__(*exc)
        self.function_events = EventList(self._kept or self._saved)
        if self.on_trace_ready is not None and self._kept and self.schedule is None:
            self.on_trace_ready(self)
        return False

    def _keep(self):
        if self._recording():
            self._kept.extend(self._events)
        self._events.clear()

    def start(self):
        self.__enter__()

    def stop(self):
        self.__exit__(None, None, None)

    def step(self):
        """End one step: keep its events if the schedule records it; hand a finished cycle to
        ``on_trace_ready``."""
        action = self.schedule(self.step_num) if self.schedule is not None else None
        self._keep()
        self.step_num += 1
        if action == ProfilerAction.RECORD_AND_SAVE and self.on_trace_ready is not None:
            self.function_events = EventList(self._kept)
            self.on_trace_ready(self)
            self._saved, self._kept = self._kept, []


from ember.profiler import profiler  # noqa: E402,F401
