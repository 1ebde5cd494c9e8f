"""Privacy: suppression of figures about fewer than k persons, and the scanner that reads
every output before it is published.

Owns: the suppression rules (primary and complementary), the personnummer pattern, the
output scanner. May import: `kompetens.errors`, `kompetens.vocabulary`. It sits below the
other layers because readers (personnummer in ids), models (tables of counts) and the runner
(the scan before publishing) all use it; it knows nothing of them.
"""
