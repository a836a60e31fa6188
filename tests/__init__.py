"""Tests for the ezeep integration."""
