"""Exports of the client's data for a period, as CSV and XLSX, streamed: signals, rounds,
conversations (without anything about the resident) and effort.

`datasets` says what each export holds and why; `formats` writes them row by row; `filters`
reads and bounds the screen's filters. The rows come from `reporting.selectors.exports`, the
audit entry from `reporting.services.exports`.
"""
