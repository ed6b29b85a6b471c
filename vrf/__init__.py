"""ECVRF per RFC 9381, all four suites.  Never imports click, never prints, never exits."""
