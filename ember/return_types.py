"""Named tuples returned by ops that give several results, as ``torch.return_types``.

``ember.max(x, 1)`` returns ``max(values=..., indices=...)``: it unpacks like a tuple and its
fields are reachable by name, as torch's structseqs are.
"""
from collections import namedtuple


def _return_type(name, fields=("values", "indices")):
    cls = namedtuple(name, fields)
    cls.__module__ = "ember.return_types"

    def __repr__(self):
        return "ember.return_types.%s(\n%s)" % (name, ",\n".join(
            "%s=%r" % kv for kv in zip(fields, self)))

    cls.__repr__ = __repr__
    return cls


max = _return_type("max")
min = _return_type("min")
median = _return_type("median")
nanmedian = _return_type("nanmedian")
kthvalue = _return_type("kthvalue")
sort = _return_type("sort")
topk = _return_type("topk")
cummax = _return_type("cummax")
cummin = _return_type("cummin")
aminmax = _return_type("aminmax", ("min", "max"))
frexp = _return_type("frexp", ("mantissa", "exponent"))
histogram = _return_type("histogram", ("hist", "bin_edges"))
histogramdd = _return_type("histogramdd", ("hist", "bin_edges"))
# linear algebra (ember/ops/linalg*.py)
linalg_cholesky_ex = _return_type("linalg_cholesky_ex", ("L", "info"))
linalg_eigh = _return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_eig = _return_type("linalg_eig", ("eigenvalues", "eigenvectors"))
linalg_inv_ex = _return_type("linalg_inv_ex", ("inverse", "info"))
linalg_ldl_factor = _return_type("linalg_ldl_factor", ("LD", "pivots"))
linalg_ldl_factor_ex = _return_type("linalg_ldl_factor_ex", ("LD", "pivots", "info"))
linalg_lstsq = _return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
linalg_lu = _return_type("linalg_lu", ("P", "L", "U"))
linalg_lu_factor = _return_type("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_qr = _return_type("linalg_qr", ("Q", "R"))
linalg_slogdet = _return_type("linalg_slogdet", ("sign", "logabsdet"))
linalg_solve_ex = _return_type("linalg_solve_ex", ("result", "info"))
linalg_svd = _return_type("linalg_svd", ("U", "S", "Vh"))
geqrf = _return_type("geqrf", ("a", "tau"))
lu_unpack = _return_type("lu_unpack", ("P", "L", "U"))
qr = _return_type("qr", ("Q", "R"))
slogdet = _return_type("slogdet", ("sign", "logabsdet"))
svd = _return_type("svd", ("U", "S", "V"))
triangular_solve = _return_type("triangular_solve", ("solution", "cloned_coefficient"))
