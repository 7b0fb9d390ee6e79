"""The front ends: the ``odl-verify`` CLI, the pytest plugin, the HTML report and the registry
of statements they share. The top layer: nothing below imports from here."""
