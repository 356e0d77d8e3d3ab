"""In-app notifications and the e-mail digests that carry them."""
