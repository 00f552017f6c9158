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
kthvalue = _return_type("kthvalue")
sort = _return_type("sort")
topk = _return_type("topk")
cummax = _return_type("cummax")
cummin = _return_type("cummin")
aminmax = _return_type("aminmax", ("min", "max"))
frexp = _return_type("frexp", ("mantissa", "exponent"))
histogram = _return_type("histogram", ("hist", "bin_edges"))
histogramdd = _return_type("histogramdd", ("hist", "bin_edges"))
