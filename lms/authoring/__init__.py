"""Authoring in the browser: trainers create and edit courses and lessons, keep drafts and
publish new versions through the same validation as the importer."""
