"""The definitions layer: what is claimed (claims and their compilation, domains), on what
(instance families with certified constants) and by which method (update rules), in the
array namespaces of :mod:`.backend`. Imports only from ``odl_verify.core``."""
