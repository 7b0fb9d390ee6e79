import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def repo_path():
    return lambda *parts: os.path.join(REPO, *parts)
