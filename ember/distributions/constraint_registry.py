"""``biject_to`` and ``transform_to``: from a constraint to a transform from unconstrained
space into it (``biject_to``'s transforms are bijective; ``transform_to``'s need not be)."""
import numbers

from ember.distributions import constraints, transforms

__all__ = ["ConstraintRegistry", "biject_to", "transform_to"]


class ConstraintRegistry:
    """A registry from constraint types to transform factories ``factory(constraint)``."""

    def __init__(self):
        self._registry = {}
        super().__init__()

    def register(self, constraint, factory=None):
        """Register ``factory`` for ``constraint`` (a Constraint subclass or instance);
        usable as a decorator."""
        if factory is None:
            return lambda factory: self.register(constraint, factory)
        if isinstance(constraint, constraints.Constraint):
            constraint = type(constraint)
        if not isinstance(constraint, type) or not issubclass(constraint,
                                                              constraints.Constraint):
            raise TypeError("Expected constraint to be either a Constraint subclass or "
                            "instance, but got %s" % constraint)
        self._registry[constraint] = factory
        return factory

    def __call__(self, constraint):
        try:
            factory = self._registry[type(constraint)]
        except KeyError:
            raise NotImplementedError("Cannot transform %s constraints"
                                      % type(constraint).__name__) from None
        return factory(constraint)


biject_to = ConstraintRegistry()
transform_to = ConstraintRegistry()


def _both(constraint_type, factory):
    biject_to.register(constraint_type, factory)
    transform_to.register(constraint_type, factory)


_both(constraints.real, lambda c: transforms.identity_transform)
biject_to.register(constraints.independent, lambda c: transforms.IndependentTransform(
    biject_to(c.base_constraint), c.reinterpreted_batch_ndims))
transform_to.register(constraints.independent, lambda c: transforms.IndependentTransform(
    transform_to(c.base_constraint), c.reinterpreted_batch_ndims))


def _greater_than(c):
    if isinstance(c.lower_bound, numbers.Number) and c.lower_bound == 0:
        return transforms.ExpTransform()
    return transforms.ComposeTransform([transforms.ExpTransform(),
                                        transforms.AffineTransform(c.lower_bound, 1)])


def _less_than(c):
    return transforms.ComposeTransform([transforms.ExpTransform(),
                                        transforms.AffineTransform(c.upper_bound, -1)])


def _interval(c):
    lower_is_0 = isinstance(c.lower_bound, numbers.Number) and c.lower_bound == 0
    upper_is_1 = isinstance(c.upper_bound, numbers.Number) and c.upper_bound == 1
    if lower_is_0 and upper_is_1:
        return transforms.SigmoidTransform()
    return transforms.ComposeTransform([
        transforms.SigmoidTransform(),
        transforms.AffineTransform(c.lower_bound, c.upper_bound - c.lower_bound)])


for _c, _f in ((constraints.positive, _greater_than), (constraints.nonnegative, _greater_than),
               (constraints.greater_than, _greater_than),
               (constraints.greater_than_eq, _greater_than),
               (constraints.less_than, _less_than), (constraints.unit_interval, _interval),
               (constraints.interval, _interval), (constraints.half_open_interval, _interval)):
    _both(_c, _f)
# not bijective onto these sets, so (as in torch) only transform_to knows them
transform_to.register(constraints.lower_cholesky, lambda c: transforms.LowerCholeskyTransform())
transform_to.register(constraints.positive_definite,
                      lambda c: transforms.PositiveDefiniteTransform())
transform_to.register(constraints.positive_semidefinite,
                      lambda c: transforms.PositiveDefiniteTransform())
_both(constraints.corr_cholesky, lambda c: transforms.CorrCholeskyTransform())
biject_to.register(constraints.simplex, lambda c: transforms.StickBreakingTransform())
transform_to.register(constraints.simplex, lambda c: transforms.SoftmaxTransform())
biject_to.register(constraints.cat, lambda c: transforms.CatTransform(
    [biject_to(x) for x in c.cseq], c.dim, c.lengths))
transform_to.register(constraints.cat, lambda c: transforms.CatTransform(
    [transform_to(x) for x in c.cseq], c.dim, c.lengths))
biject_to.register(constraints.stack, lambda c: transforms.StackTransform(
    [biject_to(x) for x in c.cseq], c.dim))
transform_to.register(constraints.stack, lambda c: transforms.StackTransform(
    [transform_to(x) for x in c.cseq], c.dim))
