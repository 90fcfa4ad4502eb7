"""Renderers: each turns a computed result into ``str`` or ``bytes``; none prints or writes."""
