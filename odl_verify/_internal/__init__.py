"""Internals of odl-verify: not a public API."""
