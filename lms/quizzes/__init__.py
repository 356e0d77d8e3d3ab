"""Quizzes: the player, attempts, scoring and item analysis."""
