"""``ember.nn``: modules, parameters, functional ops, initialisation and utilities, as
``torch.nn``."""
from ember.nn.parameter import Buffer, Parameter  # noqa: F401
from ember.nn.modules import *  # noqa: F401,F403
from ember.nn.modules import Module  # noqa: F401
from ember.nn import functional, init, utils  # noqa: F401
