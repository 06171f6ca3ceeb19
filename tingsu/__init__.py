"""Tingsu 听诉: self-hosted customer complaint handling."""
