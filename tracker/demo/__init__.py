"""The demo company."""
