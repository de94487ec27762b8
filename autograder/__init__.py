"""Instructor tooling for backprop-lab: notebook authoring, release generation and cohort grading."""
