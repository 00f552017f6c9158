"""``ember.nn.utils``: gradient clipping, parameter/vector conversion, packed sequences,
parametrizations, weight/spectral normalisation, pruning and BatchNorm fusion."""
from ember.nn.utils.clip_grad import (clip_grad_norm, clip_grad_norm_,  # noqa: F401
                                      clip_grad_value_, clip_grads_with_norm_, get_total_norm)
from ember.nn.utils.convert_parameters import (parameters_to_vector,  # noqa: F401
                                               vector_to_parameters)
from ember.nn.utils import rnn  # noqa: F401,E402
from ember.nn.utils import parametrizations, parametrize  # noqa: F401
from ember.nn.utils.spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401,E402
from ember.nn.utils.weight_norm import remove_weight_norm, weight_norm  # noqa: F401,E402
from ember.nn.utils import fusion, init, prune, stateless  # noqa: F401,E402
from ember.nn.utils.fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights,  # noqa: F401
                                   fuse_linear_bn_eval, fuse_linear_bn_weights)
from ember.nn.utils.init import skip_init  # noqa: F401
