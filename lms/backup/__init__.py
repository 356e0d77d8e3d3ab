"""Backups and restores of the whole database (`lms backup`, `lms restore`)."""
