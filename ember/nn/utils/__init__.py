"""``ember.nn.utils``: gradient clipping, parameter/vector conversion, packed sequences,
parametrizations and weight/spectral normalisation."""
from ember.nn.utils.clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_  # noqa: F401
from ember.nn.utils.convert_parameters import (parameters_to_vector,  # noqa: F401
                                               vector_to_parameters)
from ember.nn.utils import rnn  # noqa: F401,E402
from ember.nn.utils import parametrizations, parametrize  # noqa: F401
from ember.nn.utils.spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401,E402
from ember.nn.utils.weight_norm import remove_weight_norm, weight_norm  # noqa: F401,E402
