"""Thin Qt layer over the core and the scanning pipeline."""
