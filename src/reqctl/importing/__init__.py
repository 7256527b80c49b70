"""Importers: Doorstop, StrictDoc, ReqIF (and spreadsheets) into reqctl items via one plan."""
