"""Tests of `obsctl values` and the obsctl.values package."""
