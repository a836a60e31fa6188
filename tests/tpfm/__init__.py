"""Tests of the TPFM library (client, parsing) and the TPFM simulator."""
