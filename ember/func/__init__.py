"""ember.func: composable function transforms, mirroring ``torch.func``."""
from ember.func._functional_call import (
    functional_call,
    replace_all_batch_norm_modules_,
    stack_module_state,
)
from ember.func._transforms import (
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    vjp,
)
from ember.func._rearrange import rearrange
from ember.func._vmap import vmap

__all__ = ["vmap", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "linearize", "functional_call", "stack_module_state", "replace_all_batch_norm_modules_",
           "functionalize", "debug_unwrap", "rearrange"]


def functionalize(func, *, remove="mutations"):
    """``func`` itself: ember runs eagerly on private arrays, so there are no aliasing
    mutations to remove and the functionalized program computes the same values."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError("functionalize(f, remove='mutations'): received invalid argument for "
                           "remove=%s. Valid options are:\n     remove='mutations': all inplace "
                           "and out= operators will be removed from the program, and replaced "
                           "with their out-of-place equivalents.\n     remove='mutations_and_"
                           "views': In addition to the above, all aliasing operators {view} will "
                           "be replaced with their non-aliasing counterparts, {view}_copy.\n"
                           % remove)
    return func


def debug_unwrap(tensor, *, recurse=True):
    """The tensor itself (ember's transforms do not wrap tensors)."""
    return tensor
