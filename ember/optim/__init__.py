"""``ember.optim``: optimizers and learning-rate schedulers, mirroring ``torch.optim``."""
import importlib as _importlib

from ember.optim import lr_scheduler
from ember.optim._adafactor import Adafactor
from ember.optim._muon import Muon
from ember.optim._stateless import swap_in_optimizer_params_and_state
from ember.optim.adadelta import Adadelta
from ember.optim.adagrad import Adagrad
from ember.optim.adam import Adam
from ember.optim.adamax import Adamax
from ember.optim.adamw import AdamW
from ember.optim.asgd import ASGD
from ember.optim.lbfgs import LBFGS
from ember.optim.nadam import NAdam
from ember.optim.optimizer import Optimizer
from ember.optim.radam import RAdam
from ember.optim.rmsprop import RMSprop
from ember.optim.rprop import Rprop
from ember.optim.sgd import SGD
from ember.optim.sparse_adam import SparseAdam

__all__ = ["ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "Muon",
           "NAdam", "Optimizer", "RAdam", "RMSprop", "Rprop", "SGD", "SparseAdam", "lr_scheduler",
           "swa_utils", "swap_in_optimizer_params_and_state"]


def __getattr__(name):
    # swa_utils builds on ember.nn; load it on first use so ``import ember.optim`` stays light.
    if name == "swa_utils":
        return _importlib.import_module("ember.optim.swa_utils")
    raise AttributeError("module 'ember.optim' has no attribute %r" % name)
