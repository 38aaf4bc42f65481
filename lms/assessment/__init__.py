"""Capability assessment: the question bank, pre- and post-course assessments, coach ratings and profiles."""
