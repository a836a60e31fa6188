"""Tests of the printer library (LEDM, IPP, the common model) and the printer simulator."""
