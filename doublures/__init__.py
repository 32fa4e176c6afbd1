"""Local stand-in servers speaking the protocols of outside services (tests and the demo): never imported by production code."""
