"""Motif matrices: MEME I/O, exports, TOMTOM matching against databases, distinct motifs."""
