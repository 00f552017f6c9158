"""ember.autograd: reverse-mode automatic differentiation, mirroring ``torch.autograd``."""
from ember.autograd.engine import backward, grad
from ember.autograd.function import Function, FunctionCtx, once_differentiable
from ember.autograd.grad_mode import (detect_anomaly, enable_grad, inference_mode,
                                      is_anomaly_enabled, is_grad_enabled,
                                      is_multithreading_enabled, no_grad, set_detect_anomaly,
                                      set_grad_enabled, set_multithreading_enabled)
from ember.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from ember.autograd.variable import Variable

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "detect_anomaly",
           "set_detect_anomaly", "is_anomaly_enabled", "is_grad_enabled", "gradcheck",
           "gradgradcheck", "GradcheckError", "Variable", "is_multithreading_enabled",
           "set_multithreading_enabled"]
from ember.autograd import (anomaly_mode, forward_ad, functional, graph,  # noqa: E402,F401
                            profiler)

__all__ += ["anomaly_mode", "forward_ad", "functional", "graph", "profiler"]
