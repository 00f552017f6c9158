"""``torch.autograd.anomaly_mode``: the anomaly-detection switches (defined with the other
autograd modes in ``grad_mode``)."""
from ember.autograd.grad_mode import detect_anomaly, set_detect_anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly"]
