"""Daily plans and reviews, the weekly review, and the execution measures they feed."""
