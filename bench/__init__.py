"""Benchmarks of the ezeep integration against the TPFM simulator (run by ``scripts/bench``)."""
