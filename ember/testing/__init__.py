"""``ember.testing``: ``assert_close`` with torch's default tolerances and messages, and
``make_tensor``."""
from ember.testing._comparison import assert_allclose, assert_close
from ember.testing._creation import make_tensor

__all__ = ["assert_allclose", "assert_close", "make_tensor"]
