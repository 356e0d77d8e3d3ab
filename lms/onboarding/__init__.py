"""Onboarding: enrollments on 30/60/90-day paths, field-task sign-offs, check-ins, status,
reminders and calendar feeds."""
