"""The speed-budget benchmark: builds the book, serves it, drives Chromium, reports medians against targets."""
