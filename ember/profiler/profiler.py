"""``torch.profiler.profiler``: where torch defines ``profile`` and ``schedule`` (ember defines
them in ``ember.profiler`` itself; this module gives them their torch path)."""
from ember.profiler import (ProfilerAction, ProfilerActivity, profile, schedule,  # noqa: F401
                            supported_activities, tensorboard_trace_handler)

__all__ = ["ProfilerAction", "ProfilerActivity", "profile", "schedule", "supported_activities",
           "tensorboard_trace_handler"]
