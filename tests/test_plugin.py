"""The pytest plugin's own surface: the run's configuration reaches users' tests."""
import subprocess
import sys

import pytest

from odl_verify import CheckConfig


def test_odl_config_fixture_carries_the_run_options(odl_config, pytestconfig):
    assert isinstance(odl_config, CheckConfig)
    assert odl_config.device == pytestconfig.getoption("odl_device")
    assert odl_config.seed == pytestconfig.getoption("odl_seed")
    assert odl_config.examples == pytestconfig.getoption("odl_examples")


def test_loading_the_plugin_imports_neither_torch_nor_sympy():
    """pytest loads the plugin in every run of the environment, the xdist controller included,
    which runs no check: it must not pay seconds for the numerical stack."""
    probe = ("import sys, odl_verify.frontends.pytest_plugin, odl_verify;"
             "heavy = sorted({'torch', 'sympy', 'scipy.stats', 'matplotlib'} & set(sys.modules));"
             "assert not heavy, heavy;"
             "odl_verify.Claim;"  # the package's API is still there, imported on first use
             "assert 'torch' in sys.modules")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-1000:]


def test_an_unknown_package_attribute_is_an_attribute_error():
    import odl_verify
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        odl_verify.Nope
