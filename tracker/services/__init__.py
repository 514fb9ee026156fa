"""Use cases: the only code that writes. One function per use case, one transaction each."""
