"""The error of a feedback that cannot be counted."""


class FeedbackError(ValueError):
    """A feedback whose truth or prediction cannot be counted; the message says which and why."""
