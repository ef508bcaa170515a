"""Bangla-safe text: normalising, language detection, matching and the answer validators. Plain functions over strings."""
