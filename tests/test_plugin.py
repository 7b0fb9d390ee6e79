"""The pytest plugin's own surface: the run's configuration reaches users' tests."""
from odl_verify import CheckConfig


def test_odl_config_fixture_carries_the_run_options(odl_config, pytestconfig):
    assert isinstance(odl_config, CheckConfig)
    assert odl_config.device == pytestconfig.getoption("odl_device")
    assert odl_config.seed == pytestconfig.getoption("odl_seed")
    assert odl_config.examples == pytestconfig.getoption("odl_examples")
