"""Tests of the rate blueprint: rating forms, respondents, feedback."""
