"""``ember.linalg``: linear algebra functions, as ``torch.linalg``.

The functions live with the other matrix ops in ``ember/ops/linalg.py`` (where their records
are registered); this module is the public namespace, loaded on first use of ``ember.linalg``.
"""
from ember.ops.linalg import inv, linalg_det as det, matrix_norm, solve, svdvals, vector_norm
from ember.ops.linalg import linalg_norm as norm
from ember.ops.blas import matmul, vdot
from ember.ops.linalg import linalg_cross as cross

__all__ = ["cross", "det", "inv", "matmul", "matrix_norm", "norm", "solve", "svdvals", "vdot",
           "vector_norm"]
