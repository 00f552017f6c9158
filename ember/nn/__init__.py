"""``ember.nn``: modules, parameters, functional ops, initialisation and utilities, as
``torch.nn``."""
from ember.nn.parameter import (Buffer, Parameter, UninitializedBuffer,  # noqa: F401
                                UninitializedParameter)
from ember.nn.modules import *  # noqa: F401,F403
from ember.nn.modules import Module  # noqa: F401
from ember.nn import attention, functional, grad, init, parallel  # noqa: F401
from ember.nn.parallel import DataParallel  # noqa: F401
import importlib as _importlib

# The star import above brought in ember.nn.modules.utils under the name ``utils``.
utils = _importlib.import_module("ember.nn.utils")
