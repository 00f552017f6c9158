"""The modules behind ``ember.utils.benchmark``, at torch's paths (``common``, ``timer``,
``compare``, ``fuzzer``)."""
