"""Tests of the demo company (``flask demo``)."""
