"""The analysis package exports what it promises (its purity is guarded by tests/test_layers.py)."""

import tracker.analysis

def test_public_names_are_exported():
    missing = [name for name in tracker.analysis.__all__ if not hasattr(tracker.analysis, name)]
    assert missing == []
