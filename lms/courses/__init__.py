"""Courses for learners: the catalogue, a course's outline, lessons and their completion."""
