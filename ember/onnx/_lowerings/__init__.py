"""ONNX lowerings of ember's ops, one file per op category (as ``ember/ops``).

Importing this package registers every lowering in ``ember.onnx._trace.LOWERINGS``.
"""
from ember.onnx._lowerings import (arithmetic, attention, blas, comparison,  # noqa: F401
                                   indexing, manipulation, nn, reduction, rnn, views)
