"""``ember.linalg``: linear algebra functions, as ``torch.linalg``.

The functions live with the other matrix ops in ``ember/ops/linalg.py`` and
``ember/ops/linalg_decompositions.py`` (where their records are registered); this module is the
public namespace, loaded on first use of ``ember.linalg``.
"""
from ember.ops.linalg import inv, linalg_det as det, matrix_norm, solve, vector_norm
from ember.ops.linalg import linalg_norm as norm
from ember.ops.linalg_decompositions import (cholesky, cholesky_ex, eig, eigh, eigvals, eigvalsh,
                                             qr, solve_triangular, svd, svdvals)
from ember.ops.linalg_lu import (ldl_factor, ldl_factor_ex, ldl_solve, lu, lu_factor,
                                 lu_factor_ex, lu_solve)
from ember.ops.linalg_functions import (cond, diagonal, householder_product, inv_ex, lstsq,
                                        matrix_exp, matrix_power, matrix_rank, multi_dot, pinv,
                                        slogdet, solve_ex, tensorinv, tensorsolve, vander, vecdot)
from ember.ops.blas import matmul, vdot
from ember.ops.linalg import linalg_cross as cross

__all__ = ["cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals",
           "eigvalsh", "householder_product", "inv", "inv_ex", "ldl_factor", "ldl_factor_ex",
           "ldl_solve", "lstsq", "lu", "lu_factor",
           "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm", "matrix_power",
           "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex",
           "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve", "vander", "vdot",
           "vecdot", "vector_norm"]
